package dev.jmesh.instrumentation.jdkhttpclient;

import dev.jmesh.instrumentation.testing.TestUpstream;
import dev.jmesh.instrumentation.testing.FakeEngine;

import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.OutboundCall;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interceptor against a real server, with no engine (the facade then makes one direct attempt)
 * and with a fake engine that routes, retries a 503 and sets a per-try timeout.
 */
class JdkHttpClientInterceptorTest {
    private final JdkHttpClientInterceptor interceptor = new JdkHttpClientInterceptor();
    private final HttpClient client = HttpClient.newHttpClient();
    private TestUpstream upstream;

    @AfterEach
    void tearDown() {
        Mesh.install(null);
        if (upstream != null) {
            upstream.close();
        }
    }

    private static TestUpstream.Reply reply(int status, String body) {
        return new TestUpstream.Reply(status, 0, body);
    }

    /** 503 for the first request, 200 "ok" afterwards. */
    private static TestUpstream flakyOnce() throws Exception {
        return new TestUpstream(n -> n == 0 ? reply(503, "busy") : reply(200, "ok"));
    }

    @SuppressWarnings("unchecked")
    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return (HttpResponse<String>) interceptor.send(client, request, HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
        return (CompletableFuture<HttpResponse<String>>) interceptor.sendAsync(client, request,
                HttpResponse.BodyHandlers.ofString(), null);
    }

    @SuppressWarnings("unchecked")
    private CompletableFuture<HttpResponse<String>> sendAsyncWithPushPromises(HttpRequest request) {
        HttpResponse.PushPromiseHandler<String> refuseAll = (initiating, pushPromise, acceptor) -> { };
        return (CompletableFuture<HttpResponse<String>>) interceptor.sendAsync(client, request,
                HttpResponse.BodyHandlers.ofString(), refuseAll);
    }

    private static HttpRequest inventoryGet() {
        return HttpRequest.newBuilder(URI.create("http://inventory/x?q=1")).header("X-Custom", "abc").build();
    }

    private void assertTwoIdenticalRequests(String method, String body) {
        assertEquals(2, upstream.seen.size());
        for (TestUpstream.Seen seen : upstream.seen) {
            assertEquals(method, seen.method());
            assertEquals("/x", seen.path());
            assertEquals("q=1", seen.query());
            assertEquals("abc", seen.custom());
            assertEquals("127.0.0.1:" + upstream.port(), seen.host());
            assertEquals(body, seen.body());
        }
    }

    // ---- (a) no engine: one direct attempt with the application's own request ------------------------

    @Test
    void withoutEngineSendsTheApplicationsRequestUnchanged() throws Exception {
        upstream = TestUpstream.ok("hello");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + upstream.port() + "/x?q=1"))
                .header("X-Custom", "abc").build();

        HttpResponse<String> response = send(request);

        assertEquals(200, response.statusCode());
        assertEquals("hello", response.body());
        assertEquals(request.uri(), response.request().uri());
        assertEquals(1, upstream.seen.size());
        assertEquals("/x", upstream.seen.get(0).path());
        assertEquals("q=1", upstream.seen.get(0).query());
        assertEquals("abc", upstream.seen.get(0).custom());
    }

    @Test
    void withoutEngineSendAsyncCompletesWithTheResponse() throws Exception {
        upstream = TestUpstream.ok("hello");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + upstream.port() + "/x?q=1"))
                .build();

        HttpResponse<String> response = sendAsync(request).get(10, TimeUnit.SECONDS);

        assertEquals(200, response.statusCode());
        assertEquals("hello", response.body());
    }

    // ---- (b) routing and a retry ------------------------------------------------------------------------

    @Test
    void routesToTheEndpointAndRetriesA503() throws Exception {
        upstream = flakyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);

        HttpResponse<String> response = send(inventoryGet());

        assertEquals(200, response.statusCode());
        assertEquals("ok", response.body());
        assertEquals(List.of(503, 200), engine.statuses);
        assertTwoIdenticalRequests("GET", "");
        OutboundCall call = engine.calls.get(0);
        assertEquals("http", call.protocol());
        assertEquals("http", call.scheme());
        assertEquals("inventory", call.host());
        assertEquals(-1, call.port());
        assertEquals("GET", call.method());
        assertEquals("/x", call.path());
        assertTrue(call.replayable());
        // documented: a routed response reports the attempt's address
        assertEquals(URI.create("http://127.0.0.1:" + upstream.port() + "/x?q=1"), response.uri());
    }

    @Test
    void discardClosesAStreamedBodyBeforeTheRetry() throws Exception {
        upstream = flakyOnce();
        Mesh.install(new FakeEngine(upstream.port(), 0));

        @SuppressWarnings("unchecked")
        HttpResponse<InputStream> response = (HttpResponse<InputStream>) interceptor.send(client, inventoryGet(),
                HttpResponse.BodyHandlers.ofInputStream());

        assertEquals(200, response.statusCode());
        try (InputStream body = response.body()) {
            assertEquals("ok", new String(body.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(2, upstream.seen.size());
    }

    // ---- (c) per-try timeout ----------------------------------------------------------------------------

    @Test
    void perTryTimeoutFailsWithHttpTimeoutException() throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 2000, "late"));
        Mesh.install(new FakeEngine(upstream.port(), 200));

        long start = System.nanoTime();
        assertThrows(HttpTimeoutException.class, () -> send(inventoryGet()));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 1500);
    }

    @Test
    void theApplicationsOwnTighterTimeoutStillApplies() throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 2000, "late"));
        Mesh.install(new FakeEngine(upstream.port(), 10_000));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://inventory/x"))
                .timeout(Duration.ofMillis(200)).build();

        long start = System.nanoTime();
        assertThrows(HttpTimeoutException.class, () -> send(request));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 1500);
    }

    // ---- (d) the async variants -------------------------------------------------------------------------

    @Test
    void sendAsyncRoutesAndRetriesA503() throws Exception {
        upstream = flakyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);

        HttpResponse<String> response = sendAsync(inventoryGet()).get(10, TimeUnit.SECONDS);

        assertEquals(200, response.statusCode());
        assertEquals("ok", response.body());
        assertEquals(List.of(503, 200), engine.statuses);
        assertTwoIdenticalRequests("GET", "");
        assertEquals("inventory", engine.calls.get(0).host());
    }

    @Test
    void sendAsyncWithPushPromiseHandlerRoutesAndRetriesA503() throws Exception {
        upstream = flakyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);

        HttpResponse<String> response = sendAsyncWithPushPromises(inventoryGet()).get(10, TimeUnit.SECONDS);

        assertEquals(200, response.statusCode());
        assertEquals("ok", response.body());
        assertTwoIdenticalRequests("GET", "");
    }

    @Test
    void sendAsyncPerTryTimeoutCompletesWithHttpTimeoutException() throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 2000, "late"));
        Mesh.install(new FakeEngine(upstream.port(), 200));

        CompletableFuture<HttpResponse<String>> future = sendAsync(inventoryGet());

        ExecutionException failure = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        assertInstanceOf(HttpTimeoutException.class, failure.getCause());
    }

    // ---- (e) request bodies -----------------------------------------------------------------------------

    @Test
    void postBodyIsDeliveredIntactOnEveryAttempt() throws Exception {
        upstream = flakyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        String body = "{\"sku\":\"ä-42\",\"qty\":3}";
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://inventory/x?q=1"))
                .header("X-Custom", "abc")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();

        HttpResponse<String> response = send(request);

        assertEquals(200, response.statusCode());
        assertTwoIdenticalRequests("POST", body);
        assertEquals("POST", engine.calls.get(0).method());
        assertTrue(engine.calls.get(0).replayable());
    }

    @Test
    void asyncPostBodyIsDeliveredIntactOnEveryAttempt() throws Exception {
        upstream = flakyOnce();
        Mesh.install(new FakeEngine(upstream.port(), 0));
        String body = "name=value&other=x%20y";
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://inventory/x?q=1"))
                .header("X-Custom", "abc")
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build();

        HttpResponse<String> response = sendAsync(request).get(10, TimeUnit.SECONDS);

        assertEquals(200, response.statusCode());
        assertTwoIdenticalRequests("PUT", body);
    }

    @Test
    void onlyBodiesOfKnownLengthAreReplayableAndTheEngineIsToldTheirSize() {
        URI uri = URI.create("http://inventory/x");
        assertTrue(JdkHttpClientInterceptor.replayable(HttpRequest.newBuilder(uri).build()));
        assertTrue(JdkHttpClientInterceptor.replayable(HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.noBody()).build()));
        HttpRequest large = HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[64 * 1024 + 1])).build();
        assertTrue(JdkHttpClientInterceptor.replayable(large));
        assertEquals(64 * 1024 + 1, JdkHttpClientInterceptor.bodyBytes(large));
        HttpRequest streamed = HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[1]))).build();
        assertFalse(JdkHttpClientInterceptor.replayable(streamed));
        assertEquals(-1, JdkHttpClientInterceptor.bodyBytes(streamed));
        assertEquals(0, JdkHttpClientInterceptor.bodyBytes(HttpRequest.newBuilder(uri).build()));
    }

    @Test
    void aRequestWithoutHostIsDeclined() throws Exception {
        Mesh.install(new FakeEngine(1, 0));
        HttpRequest request = new DelegatingRequest(HttpRequest.newBuilder(URI.create("http://inventory/x")).build()) {
            @Override
            public URI uri() {
                return URI.create("http:/no-authority");
            }
        };
        assertEquals(null, interceptor.send(client, request, HttpResponse.BodyHandlers.ofString()));
        assertEquals(null, interceptor.sendAsync(client, request, HttpResponse.BodyHandlers.ofString(), null));
    }
}
