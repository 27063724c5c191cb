package dev.jmesh.instrumentation.jdkhttpclient;

import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.MeshEngine;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.instrumentation.testing.FakeEngine;
import dev.jmesh.instrumentation.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sendAsync}'s future cancelled by the application, and the request's own timeout handed to the engine. */
class CancellationAndTimeoutTest {
    private final JdkHttpClientInterceptor interceptor = new JdkHttpClientInterceptor();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private TestUpstream upstream;

    @AfterEach
    void tearDown() {
        Mesh.install(null);
        if (upstream != null) {
            upstream.close();
        }
    }

    /**
     * An engine that retries any failed attempt, up to three attempts, and says how each attempt ended and when
     * the call is over.
     */
    private static final class RetryingEngine implements MeshEngine {
        final int port;
        final List<Object> attemptOutcomes = new CopyOnWriteArrayList<>();
        final CompletableFuture<Object> over = new CompletableFuture<>();

        RetryingEngine(int port) {
            this.port = port;
        }

        @Override
        public <R> R call(OutboundCall call, BlockingExchange<R> exchange) {
            throw new AssertionError("sendAsync only");
        }

        @Override
        public <R> CompletableFuture<R> callAsync(OutboundCall call, AsyncExchange<R> exchange) {
            CompletableFuture<R> result = attempt(exchange, 1);
            result.whenComplete((r, t) -> over.complete(t != null ? unwrap(t) : r));
            return result;
        }

        private <R> CompletableFuture<R> attempt(AsyncExchange<R> exchange, int n) {
            return exchange.attempt("127.0.0.1", port, 0).handle((response, failure) -> {
                attemptOutcomes.add(failure != null ? unwrap(failure) : exchange.statusOf(response));
                if (failure == null) {
                    return CompletableFuture.completedFuture(response);
                }
                if (n < 3) {
                    return attempt(exchange, n + 1);
                }
                return CompletableFuture.<R>failedFuture(unwrap(failure));
            }).thenCompose(f -> f);
        }
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    @SuppressWarnings("unchecked")
    private CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
        return (CompletableFuture<HttpResponse<String>>) interceptor.sendAsync(client, request,
                HttpResponse.BodyHandlers.ofString(), null);
    }

    private void awaitRequests(int n) throws InterruptedException {
        for (int i = 0; i < 1000 && upstream.seen.size() < n; i++) {
            Thread.sleep(10);
        }
        assertEquals(n, upstream.seen.size());
    }

    @Test
    void cancellingTheFutureAbortsTheAttemptInFlightAndStartsNoOther() throws Exception {
        upstream = TestUpstream.slow(5_000);
        RetryingEngine engine = new RetryingEngine(upstream.port());
        Mesh.install(engine);

        CompletableFuture<HttpResponse<String>> future = sendAsync(
                HttpRequest.newBuilder(URI.create("http://inventory/slow")).build());
        awaitRequests(1);
        assertTrue(future.cancel(true));

        Object outcome = engine.over.get(10, TimeUnit.SECONDS);
        assertTrue(future.isCancelled());
        assertInstanceOf(CancellationException.class, engine.attemptOutcomes.get(0),
                "the attempt in flight was aborted, not answered: " + engine.attemptOutcomes);
        assertInstanceOf(CancellationException.class, outcome);
        assertTrue(engine.attemptOutcomes.size() <= 3, engine.attemptOutcomes.toString());
        for (Object later : engine.attemptOutcomes.subList(1, engine.attemptOutcomes.size())) {
            assertInstanceOf(CancellationException.class, later, "later attempts are refused before sending");
        }
        assertEquals(1, upstream.seen.size(), "no retry reached the upstream");
    }

    @Test
    void cancellingWithoutInterruptLetsTheAttemptFinishButStartsNoOther() throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(503, 500, "busy"));
        Mesh.install(new FakeEngine(upstream.port(), 0)); // would retry the 503 once

        CompletableFuture<HttpResponse<String>> future = sendAsync(
                HttpRequest.newBuilder(URI.create("http://inventory/x")).build());
        awaitRequests(1);
        assertTrue(future.cancel(false));

        assertThrows(CancellationException.class, future::join);
        Thread.sleep(1_000); // the first attempt answers after 500 ms; a retry would show up by now
        assertEquals(1, upstream.seen.size());
    }

    @Test
    void theRequestsOwnTimeoutIsHandedToTheEngine() throws Exception {
        upstream = TestUpstream.ok("ok");
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);

        sendAsync(HttpRequest.newBuilder(URI.create("http://inventory/x")).timeout(Duration.ofMillis(1500)).build())
                .get(10, TimeUnit.SECONDS);
        sendAsync(HttpRequest.newBuilder(URI.create("http://inventory/x")).build()).get(10, TimeUnit.SECONDS);

        assertEquals(1500, engine.calls.get(0).timeoutMillis());
        assertEquals(0, engine.calls.get(1).timeoutMillis());
    }
}
