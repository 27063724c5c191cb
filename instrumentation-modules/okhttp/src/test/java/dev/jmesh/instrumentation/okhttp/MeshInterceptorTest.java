package dev.jmesh.instrumentation.okhttp;

import dev.jmesh.instrumentation.testing.TestUpstream;
import dev.jmesh.instrumentation.testing.FakeEngine;

import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.MeshEngine;
import dev.jmesh.bootstrap.OutboundCall;
import okhttp3.Call;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.reflect.Method;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interceptor in a real OkHttp client against a real server, with no engine (the facade then makes one
 * direct attempt) and with a fake engine that routes, retries a 503 and sets a per-try timeout; both
 * {@code execute()} and {@code enqueue()}.
 */
class MeshInterceptorTest {
    private static final MediaType JSON = MediaType.parse("application/json; charset=utf-8");

    private final MeshInterceptor mesh = new MeshInterceptor();
    private TestUpstream upstream;

    @AfterEach
    void tearDown() {
        Mesh.install(null);
        if (upstream != null) {
            upstream.close();
        }
    }

    /** A client as the woven constructor leaves it: the application's interceptors, then the mesh. */
    private OkHttpClient client(OkHttpClient.Builder builder) {
        mesh.clientBuilding(builder);
        return builder.build();
    }

    private OkHttpClient client() {
        return client(new OkHttpClient.Builder());
    }

    private static Request inventoryGet() {
        return new Request.Builder().url("http://inventory/x?q=1").header("X-Custom", "abc").build();
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
    void withoutEngineExecuteSendsTheApplicationsRequestUnchanged() throws Exception {
        upstream = TestUpstream.ok("hello");
        Request request = new Request.Builder().url(upstream.base() + "/x?q=1").header("X-Custom", "abc").build();

        try (Response response = client().newCall(request).execute()) {
            assertEquals(200, response.code());
            assertEquals("hello", response.body().string());
            assertSame(request, response.request());
        }
        assertEquals(1, upstream.seen.size());
        assertEquals("/x", upstream.seen.get(0).path());
        assertEquals("q=1", upstream.seen.get(0).query());
        assertEquals("abc", upstream.seen.get(0).custom());
    }

    @Test
    void withoutEngineEnqueueCallsBackOnce() throws Exception {
        upstream = TestUpstream.ok("hello");
        RecordingCallback callback = new RecordingCallback();

        client().newCall(new Request.Builder().url(upstream.base() + "/x").build()).enqueue(callback);

        callback.awaitExactlyOnce();
        assertEquals(List.of(200), callback.statuses);
        assertEquals(List.of("hello"), callback.bodies);
    }

    // ---- (b) routing by service name and a retry that hides a 503 --------------------------------------

    @Test
    void executeRoutesToTheEndpointAndRetriesA503() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        OkHttpClient client = client();
        Request request = inventoryGet();

        try (Response response = client.newCall(request).execute()) {
            assertEquals(200, response.code());
            assertEquals("ok", response.body().string());
            // the application sees its own request, not the endpoint's address
            assertSame(request, response.request());
        }
        assertEquals(List.of(503, 200), engine.statuses);
        assertTwoIdenticalRequests("GET", "");
        assertEquals(1, engine.calls.size());
        OutboundCall call = engine.calls.get(0);
        assertEquals("http", call.protocol());
        assertEquals("http", call.scheme());
        assertEquals("inventory", call.host());
        assertEquals(-1, call.port());
        assertEquals("inventory", call.authority());
        assertEquals("GET", call.method());
        assertEquals("/x", call.path());
        assertTrue(call.replayable());
        // the discarded 503 gave its connection back: both attempts used one connection
        assertEquals(1, client.connectionPool().connectionCount());
    }

    @Test
    void enqueueRoutesRetriesA503AndCallsBackOnceOnOkHttpsThread() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        RecordingCallback callback = new RecordingCallback();

        client().newCall(inventoryGet()).enqueue(callback);

        callback.awaitExactlyOnce();
        assertEquals(List.of(200), callback.statuses);
        assertEquals(List.of("ok"), callback.bodies);
        assertTrue(callback.threads.get(0).startsWith("OkHttp"), callback.threads.get(0));
        assertEquals(List.of(503, 200), engine.statuses);
        assertEquals(1, engine.calls.size());
        assertTwoIdenticalRequests("GET", "");
    }

    @Test
    void anExplicitNonDefaultPortIsReported() throws Exception {
        upstream = TestUpstream.ok("ok");
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);

        try (Response response = client().newCall(new Request.Builder().url("http://inventory:8080/a/b%20c?x=y").build())
                .execute()) {
            assertEquals(200, response.code());
        }
        assertEquals(8080, engine.calls.get(0).port());
        assertEquals("/a/b%20c", engine.calls.get(0).path());
        assertEquals("/a/b%20c", upstream.seen.get(0).path());
        assertEquals("x=y", upstream.seen.get(0).query());
    }

    @Test
    void anAttemptKeepsEverythingButTheAddress() {
        Request original = new Request.Builder().url("http://inventory/a%20b/c?x=1&y=%2F")
                .header("X-Custom", "abc").tag("app-tag").build();

        Request routed = MeshInterceptor.requestFor(original, "127.0.0.2", 8080);
        assertEquals("http://127.0.0.2:8080/a%20b/c?x=1&y=%2F", routed.url().toString());
        assertEquals("abc", routed.header("X-Custom"));
        assertEquals("app-tag", routed.tag());
        assertEquals("http://[::1]:8080/a%20b/c?x=1&y=%2F",
                MeshInterceptor.requestFor(original, "::1", 8080).url().toString());
        assertEquals("http://127.0.0.2/a%20b/c?x=1&y=%2F",
                MeshInterceptor.requestFor(original, "127.0.0.2", -1).url().toString());
        // where the mesh keeps the application's address, the application's request goes out as it is
        assertSame(original, MeshInterceptor.requestFor(original, "inventory", -1));
        assertSame(original, MeshInterceptor.requestFor(original, "INVENTORY", 80));
    }

    // ---- application interceptors stay in front; network interceptors see every attempt ----------------

    @Test
    void applicationInterceptorsRunOncePerCallAndNetworkInterceptorsOncePerAttempt() throws Exception {
        upstream = TestUpstream.busyOnce();
        Mesh.install(new FakeEngine(upstream.port(), 0));
        AtomicInteger applicationRuns = new AtomicInteger();
        List<String> networkHosts = new java.util.concurrent.CopyOnWriteArrayList<>();
        Interceptor application = chain -> {
            applicationRuns.incrementAndGet();
            assertEquals("inventory", chain.request().url().host()); // the logical address
            return chain.proceed(chain.request().newBuilder().header("X-App", "yes").build());
        };
        Interceptor network = chain -> {
            networkHosts.add(chain.request().url().host() + ":" + chain.request().url().port());
            return chain.proceed(chain.request());
        };
        OkHttpClient client = client(new OkHttpClient.Builder().addInterceptor(application)
                .addNetworkInterceptor(network));

        try (Response response = client.newCall(inventoryGet()).execute()) {
            assertEquals(200, response.code());
        }
        assertEquals(1, applicationRuns.get());
        String endpoint = "127.0.0.1:" + upstream.port();
        assertEquals(List.of(endpoint, endpoint), networkHosts);
        assertEquals("yes", upstream.seen.get(0).app());
        assertEquals("yes", upstream.seen.get(1).app());
    }

    // ---- (c) per-try timeout: OkHttp's own SocketTimeoutException -----------------------------------------

    @Test
    void perTryTimeoutFailsExecuteWithSocketTimeoutException() throws Exception {
        upstream = TestUpstream.slow(5000);
        Mesh.install(new FakeEngine(upstream.port(), 200));

        long start = System.nanoTime();
        assertThrows(SocketTimeoutException.class, () -> client().newCall(inventoryGet()).execute());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 4000);
    }

    @Test
    void perTryTimeoutFailsEnqueueOnceWithSocketTimeoutException() throws Exception {
        upstream = TestUpstream.slow(5000);
        Mesh.install(new FakeEngine(upstream.port(), 200));
        RecordingCallback callback = new RecordingCallback();

        client().newCall(inventoryGet()).enqueue(callback);

        callback.awaitExactlyOnce();
        assertEquals(1, callback.failures.size());
        assertTrue(callback.failures.get(0) instanceof SocketTimeoutException, callback.failures.get(0).toString());
    }

    @Test
    void theApplicationsOwnTighterReadTimeoutStillApplies() throws Exception {
        upstream = TestUpstream.slow(5000);
        Mesh.install(new FakeEngine(upstream.port(), 10_000));
        OkHttpClient client = client(new OkHttpClient.Builder().readTimeout(200, TimeUnit.MILLISECONDS));

        long start = System.nanoTime();
        assertThrows(SocketTimeoutException.class, () -> client.newCall(inventoryGet()).execute());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 4000);
    }

    @Test
    void theMeshTimeoutDoesNotOutliveTheAttempt() throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, n == 0 ? 0 : 1500, "r" + n));
        Mesh.install(new FakeEngine(upstream.port(), 1000));
        OkHttpClient client = client();
        try (Response first = client.newCall(inventoryGet()).execute()) {
            assertEquals("r0", first.body().string());
        }
        Mesh.install(null);

        // the pooled connection is reused by a call the mesh does not time: the client's own 10 s apply
        try (Response second = client.newCall(new Request.Builder().url(upstream.base() + "/x").build()).execute()) {
            assertEquals("r1", second.body().string());
        }
    }

    @Test
    void theApplicationsCallTimeoutStillCoversTheWholeLogicalCall() throws Exception {
        Method callTimeout;
        try {
            callTimeout = OkHttpClient.Builder.class.getMethod("callTimeout", long.class, TimeUnit.class);
        } catch (NoSuchMethodException e) {
            Assumptions.abort("call timeouts came with OkHttp 3.12");
            return;
        }
        upstream = TestUpstream.slow(5000);
        Mesh.install(new FakeEngine(upstream.port(), 0));
        OkHttpClient.Builder builder = new OkHttpClient.Builder();
        callTimeout.invoke(builder, 300L, TimeUnit.MILLISECONDS);
        OkHttpClient client = client(builder);

        InterruptedIOException e = assertThrows(InterruptedIOException.class,
                () -> client.newCall(inventoryGet()).execute());
        assertEquals("timeout", e.getMessage());
    }

    @Test
    void cancellingAnEnqueuedCallInFlightFailsItOnce() throws Exception {
        upstream = TestUpstream.slow(5000);
        Mesh.install(new FakeEngine(upstream.port(), 0));
        RecordingCallback callback = new RecordingCallback();
        Call call = client().newCall(inventoryGet());

        call.enqueue(callback);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (upstream.seen.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        call.cancel();

        callback.awaitExactlyOnce();
        assertEquals(1, callback.failures.size());
        assertTrue(call.isCanceled());
    }

    // ---- (d) request bodies ----------------------------------------------------------------------------

    @Test
    void postBodyIsDeliveredIntactOnEveryAttempt() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        String body = "{\"sku\":\"ä-42\",\"qty\":3}";
        Request request = new Request.Builder().url("http://inventory/x?q=1").header("X-Custom", "abc")
                .post(RequestBody.create(JSON, body)).build();

        try (Response response = client().newCall(request).execute()) {
            assertEquals(200, response.code());
        }
        assertTwoIdenticalRequests("POST", body);
        assertEquals("application/json; charset=utf-8", upstream.seen.get(1).contentType());
        assertEquals("POST", engine.calls.get(0).method());
        assertTrue(engine.calls.get(0).replayable());
    }

    @Test
    void enqueuedPutBodyIsDeliveredIntactOnEveryAttempt() throws Exception {
        upstream = TestUpstream.busyOnce();
        Mesh.install(new FakeEngine(upstream.port(), 0));
        String body = "name=value&other=x%20y";
        RecordingCallback callback = new RecordingCallback();

        client().newCall(new Request.Builder().url("http://inventory/x?q=1").header("X-Custom", "abc")
                .put(RequestBody.create(MediaType.parse("application/x-www-form-urlencoded"), body)).build())
                .enqueue(callback);

        callback.awaitExactlyOnce();
        assertEquals(List.of(200), callback.statuses);
        assertTwoIdenticalRequests("PUT", body);
    }

    @Test
    void onlyBodiesOkHttpCanReplayAreReplayableAndTheEngineIsToldTheirSize() {
        Request.Builder post = new Request.Builder().url("http://inventory/x");
        assertTrue(mesh.replayable(post.build()));
        assertTrue(mesh.replayable(post.post(RequestBody.create(JSON, new byte[0])).build()));
        Request large = post.post(RequestBody.create(JSON, new byte[64 * 1024 + 1])).build();
        assertTrue(mesh.replayable(large));
        assertEquals(64 * 1024 + 1, mesh.bodyBytes(large));
        assertFalse(mesh.replayable(post.post(new Streamed(-1, false)).build()));
        assertEquals(-1, mesh.bodyBytes(post.post(new Streamed(-1, false)).build()));
        // OkHttp 3.14+ lets a body say it can be written only once; before that it cannot say so
        boolean canSay = hasMethod(RequestBody.class, "isOneShot");
        assertEquals(!canSay, mesh.replayable(post.post(new Streamed(10, true)).build()));
    }

    static boolean hasMethod(Class<?> type, String name) {
        try {
            type.getMethod(name);
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** A body written from a stream, of the given length (-1 = unknown). */
    static final class Streamed extends RequestBody {
        private final long length;
        private final boolean oneShot;

        Streamed(long length, boolean oneShot) {
            this.length = length;
            this.oneShot = oneShot;
        }

        @Override
        public MediaType contentType() {
            return null;
        }

        @Override
        public long contentLength() {
            return length;
        }

        /** Overrides {@code RequestBody.isOneShot()} where OkHttp has it (3.14+). */
        public boolean isOneShot() {
            return oneShot;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            sink.writeUtf8("0123456789");
        }
    }

    // ---- rejection, nesting, engine failure -------------------------------------------------------------

    /** An engine that refuses every call, as an open circuit breaker does. */
    private static MeshEngine refusing() {
        return new MeshEngine() {
            @Override
            public <R> R call(OutboundCall call, BlockingExchange<R> exchange) throws Exception {
                throw exchange.rejectedException("jmesh: circuit open for service inventory");
            }

            @Override
            public <R> CompletableFuture<R> callAsync(OutboundCall call, AsyncExchange<R> exchange) {
                throw new AssertionError();
            }
        };
    }

    @Test
    void aRefusedCallFailsWithAPlainIOExceptionCarryingTheMessage() {
        Mesh.install(refusing());

        IOException e = assertThrows(IOException.class, () -> client().newCall(inventoryGet()).execute());
        assertEquals(IOException.class, e.getClass());
        assertEquals("jmesh: circuit open for service inventory", e.getMessage());
    }

    @Test
    void aRefusedEnqueuedCallFailsOnce() throws Exception {
        Mesh.install(refusing());
        RecordingCallback callback = new RecordingCallback();

        client().newCall(inventoryGet()).enqueue(callback);

        callback.awaitExactlyOnce();
        assertEquals(IOException.class, callback.failures.get(0).getClass());
        assertEquals("jmesh: circuit open for service inventory", callback.failures.get(0).getMessage());
    }

    @Test
    void callsMadeInsideAnAttemptPassThrough() throws Exception {
        upstream = TestUpstream.ok("inner");
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);

        CallDepth.enter();
        try (Response response = client().newCall(new Request.Builder().url(upstream.base() + "/x").build())
                .execute()) {
            assertEquals("inner", response.body().string());
        } finally {
            CallDepth.exit();
        }
        assertTrue(engine.calls.isEmpty());
    }

    @Test
    void anEngineFailureFallsBackToTheApplicationsAddress() throws Exception {
        upstream = TestUpstream.ok("direct");
        Mesh.install(new MeshEngine() {
            @Override
            public <R> R call(OutboundCall call, BlockingExchange<R> exchange) {
                throw new IllegalStateException("engine bug");
            }

            @Override
            public <R> CompletableFuture<R> callAsync(OutboundCall call, AsyncExchange<R> exchange) {
                throw new AssertionError();
            }
        });

        try (Response response = client().newCall(new Request.Builder().url(upstream.base() + "/x").build())
                .execute()) {
            assertEquals("direct", response.body().string());
        }
    }
}
