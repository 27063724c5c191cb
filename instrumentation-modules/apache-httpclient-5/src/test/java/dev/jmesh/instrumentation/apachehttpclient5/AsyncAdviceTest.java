package dev.jmesh.instrumentation.apachehttpclient5;

import dev.jmesh.instrumentation.testing.TestHelpers;

import dev.jmesh.bootstrap.Helpers;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.instrumentation.testing.FakeEngine;
import dev.jmesh.instrumentation.testing.TestUpstream;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.io.CloseMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.instrument.Instrumentation;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The async client's {@code execute(SimpleHttpRequest, ...)} woven in this JVM: routed, a 503 retried before the
 * application hears of it, per-try timeouts as the library's {@code SocketTimeoutException}, the callback called
 * exactly once, cancellation reaching the attempt in flight.
 */
class AsyncAdviceTest {
    private static Instrumentation instrumentation;
    private static ResettableClassFileTransformer transformer;

    /**
     * The library's own retries off, as in the demos: they would resend a 503 inside one mesh attempt (and 5.0
     * never completes a POST answered 503 while they are on, with or without the agent).
     */
    private final CloseableHttpAsyncClient client = HttpAsyncClients.custom().disableAutomaticRetries().build();
    private TestUpstream upstream;

    @BeforeAll
    static void weave() {
        instrumentation = ByteBuddyAgent.install();
        Helpers.install(TestHelpers.INSTANCE);
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.Listener.StreamWriting.toSystemError().withErrorsOnly());
        transformer = new ApacheHttpClient5Module().instrument(builder).installOn(instrumentation);
    }

    @AfterAll
    static void unweave() {
        transformer.reset(instrumentation, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
        Helpers.install(null);
    }

    @AfterEach
    void tearDown() {
        Mesh.install(null);
        client.close(CloseMode.IMMEDIATE);
        if (upstream != null) {
            upstream.close();
        }
    }

    /** Records every callback, to show each future calls exactly one of them exactly once. */
    private static final class Recorder implements FutureCallback<SimpleHttpResponse> {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void completed(SimpleHttpResponse result) {
            calls.add("completed " + result.getCode());
        }

        @Override
        public void failed(Exception ex) {
            calls.add("failed " + ex.getClass().getSimpleName());
        }

        @Override
        public void cancelled() {
            calls.add("cancelled");
        }
    }

    private static void awaitCallbacks(Recorder recorder) throws InterruptedException {
        for (int i = 0; i < 1000 && recorder.calls.isEmpty(); i++) {
            Thread.sleep(10);
        }
    }

    @Test
    void aSimpleRequestIsRoutedAndA503RetriedBeforeTheCallbackSeesIt() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        client.start();
        Recorder recorder = new Recorder();
        SimpleHttpRequest post = new SimpleHttpRequest("POST", java.net.URI.create("http://inventory/orders?q=1"));
        post.setBody("{\"n\":1}", ContentType.APPLICATION_JSON);
        post.setHeader("X-Custom", "abc");

        SimpleHttpResponse response = client.execute(post, recorder).get(10, TimeUnit.SECONDS);

        assertEquals(200, response.getCode());
        assertEquals("ok", response.getBodyText());
        awaitCallbacks(recorder);
        Thread.sleep(100); // a second callback would come right after the first
        assertEquals(List.of("completed 200"), recorder.calls);
        OutboundCall call = engine.calls.get(0);
        assertEquals("inventory", call.host());
        assertEquals("/orders", call.path());
        assertEquals(7, call.bodyBytes());
        assertEquals(2, upstream.seen.size(), "the 503 was retried");
        for (TestUpstream.Seen seen : upstream.seen) {
            assertEquals("{\"n\":1}", seen.body());
            assertEquals("q=1", seen.query());
            assertEquals("abc", seen.custom());
        }
    }

    @Test
    void aPerTryTimeoutFailsWithTheLibrarysSocketTimeoutExceptionOnce() throws Exception {
        upstream = TestUpstream.slow(5_000);
        Mesh.install(new FakeEngine(upstream.port(), 300));
        client.start();
        Recorder recorder = new Recorder();

        Future<SimpleHttpResponse> future = client.execute(new SimpleHttpRequest("GET", java.net.URI.create("http://inventory/x")),
                recorder);

        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        assertInstanceOf(SocketTimeoutException.class, e.getCause());
        awaitCallbacks(recorder);
        assertEquals(List.of("failed SocketTimeoutException"), recorder.calls);
    }

    @Test
    void cancellingTheFutureCancelsTheAttemptAndCallsBackOnce() throws Exception {
        upstream = TestUpstream.slow(5_000);
        Mesh.install(new FakeEngine(upstream.port(), 0));
        client.start();
        Recorder recorder = new Recorder();

        Future<SimpleHttpResponse> future = client.execute(new SimpleHttpRequest("GET", java.net.URI.create("http://inventory/x")),
                recorder);
        for (int i = 0; i < 1000 && upstream.seen.isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertTrue(future.cancel(true));

        assertTrue(future.isCancelled());
        Thread.sleep(200);
        assertEquals(List.of("cancelled"), recorder.calls);
        assertEquals(1, upstream.seen.size());
    }

    @Test
    void withoutAServiceTheCallGoesWhereTheAppSentIt() throws Exception {
        upstream = TestUpstream.ok("direct");
        FakeEngine engine = new FakeEngine(1, 0); // would send "inventory" calls to a closed port
        Mesh.install(engine);
        client.start();

        SimpleHttpResponse response = client.execute(new SimpleHttpRequest("GET", java.net.URI.create(upstream.base() + "/d")), null)
                .get(10, TimeUnit.SECONDS);

        assertEquals("direct", response.getBodyText());
        assertEquals("127.0.0.1", engine.calls.get(0).host());
    }
}
