package dev.jmesh.instrumentation.okhttp;

import dev.jmesh.instrumentation.testing.TestHelpers;

import dev.jmesh.instrumentation.testing.TestUpstream;
import dev.jmesh.instrumentation.testing.FakeEngine;

import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Helpers;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.OutboundCall;
import okhttp3.Call;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.SocketTimeoutException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module's advice woven into the REAL OkHttp classes of this JVM (Byte Buddy's agent attached to it), with
 * helpers defined in their own loader as the agent defines them: an application that only uses OkHttp's
 * public API gets the mesh once per logical call, and calls made from within an attempt pass through.
 */
class AdviceTest {
    private static Weaving weaving;
    private TestUpstream upstream;

    @BeforeAll
    static void weave() {
        Helpers.install(TestHelpers.INSTANCE);
        weaving = new Weaving();
        // RealCall is loaded (and woven) on first use
        new OkHttpClient().newCall(new Request.Builder().url("http://127.0.0.1:1/").build());
    }

    @AfterAll
    static void unweave() {
        weaving.close();
        Helpers.install(null);
    }

    @AfterEach
    void tearDown() {
        Mesh.install(null);
        if (upstream != null) {
            upstream.close();
        }
    }

    private static Request inventoryGet() {
        return new Request.Builder().url("http://inventory/x?q=1").header("X-Custom", "abc").build();
    }

    private static long meshes(OkHttpClient client) {
        return client.interceptors().stream().filter(MeshInterceptor::isMesh).count();
    }

    @Test
    void theRealClassesAreWoven() {
        assertEquals(List.of(), weaving.errors);
        assertTrue(weaving.woven.contains(OkHttpModule.CLIENT), weaving.woven.toString());
        assertTrue(weaving.woven.contains(OkHttpModule.REAL_CALL_3) || weaving.woven.contains(OkHttpModule.REAL_CALL_4),
                weaving.woven.toString());
    }

    @Test
    void everyClientCarriesExactlyOneMeshInterceptorBehindTheApplicationsOwn() {
        Interceptor app = chain -> chain.proceed(chain.request());
        Interceptor later = chain -> chain.proceed(chain.request());

        OkHttpClient plain = new OkHttpClient();
        OkHttpClient built = new OkHttpClient.Builder().addInterceptor(app).build();
        OkHttpClient copy = built.newBuilder().addInterceptor(later).build();
        OkHttpClient copyOfCopy = copy.newBuilder().build();

        assertEquals(1, meshes(plain));
        assertEquals(1, meshes(built));
        assertSame(app, built.interceptors().get(0));
        assertEquals(List.of(app, later), copy.interceptors().subList(0, 2));
        assertEquals(3, copy.interceptors().size());
        assertEquals(copy.interceptors(), copyOfCopy.interceptors());
        // the helper was defined by its own loader, next to OkHttp, not taken from the test's class path
        Object mesh = plain.interceptors().get(0);
        assertNotSame(MeshInterceptor.class, mesh.getClass());
        assertSame(OkHttpClient.class.getClassLoader(), mesh.getClass().getClassLoader().getParent());
    }

    @Test
    void anApplicationsExecuteIsRoutedAndRetriedAsOneLogicalCall() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);

        try (Response response = new OkHttpClient().newCall(inventoryGet()).execute()) {
            assertEquals(200, response.code());
            assertEquals("ok", response.body().string());
        }
        assertEquals(1, engine.calls.size());
        assertEquals(List.of(503, 200), engine.statuses);
        assertEquals(2, upstream.seen.size());
        assertFalse(CallDepth.nested());
    }

    @Test
    void anApplicationsEnqueueIsRoutedAndRetriedAndCalledBackOnce() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        RecordingCallback callback = new RecordingCallback();

        new OkHttpClient().newCall(inventoryGet()).enqueue(callback);

        callback.awaitExactlyOnce();
        assertEquals(List.of("ok"), callback.bodies);
        assertEquals(1, engine.calls.size());
        assertEquals(2, upstream.seen.size());
    }

    @Test
    void aPerTryTimeoutReachesTheApplicationAsSocketTimeoutException() throws Exception {
        upstream = TestUpstream.slow(5000);
        Mesh.install(new FakeEngine(upstream.port(), 200));

        assertThrows(SocketTimeoutException.class, () -> new OkHttpClient().newCall(inventoryGet()).execute());
    }

    /**
     * An outer instrumented client whose attempt uses OkHttp (say an SDK over OkHttp): one logical call, the
     * outer one; OkHttp's calls inside the attempt, synchronous or enqueued, pass through.
     */
    @Test
    void okHttpCallsInsideAnOuterAttemptPassThroughSyncAndAsync() throws Exception {
        upstream = TestUpstream.ok("inner");
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        OkHttpClient client = new OkHttpClient();
        RecordingCallback callback = new RecordingCallback();
        Request direct = new Request.Builder().url(upstream.base() + "/x").build();

        String body = Mesh.call(new OutboundCall("http", "http", "outer-sdk", -1, "GET", "/", true),
                new BlockingExchange<String>() {
                    @Override
                    public String attempt(String host, int port, int timeoutMillis) throws Exception {
                        CallDepth.enter(); // what every instrumentation does around its attempts
                        try {
                            client.newCall(direct).enqueue(callback);
                            try (Response response = client.newCall(direct).execute()) {
                                return response.body().string();
                            }
                        } finally {
                            CallDepth.exit();
                        }
                    }

                    @Override
                    public int statusOf(String response) {
                        return 200;
                    }

                    @Override
                    public void discard(String response) {
                    }

                    @Override
                    public Exception timeoutException(String message) {
                        return new SocketTimeoutException(message);
                    }

                    @Override
                    public Exception rejectedException(String message) {
                        return new java.io.IOException(message);
                    }
                });

        callback.awaitExactlyOnce();
        assertEquals("inner", body);
        assertEquals(List.of("inner"), callback.bodies);
        assertEquals(1, engine.calls.size());
        assertEquals("outer-sdk", engine.calls.get(0).host());
    }

    @Test
    void aCallEnqueuedOutsideAnAttemptIsNotMistakenForANestedOne() throws Exception {
        upstream = TestUpstream.ok("ok");
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        OkHttpClient client = new OkHttpClient();
        Call nested;
        CallDepth.enter();
        try {
            nested = client.newCall(inventoryGet());
        } finally {
            CallDepth.exit();
        }
        RecordingCallback callback = new RecordingCallback();

        nested.enqueue(callback); // created inside, but enqueued outside an attempt: a call of its own

        callback.awaitExactlyOnce();
        assertEquals(List.of("ok"), callback.bodies);
        assertEquals(1, engine.calls.size());
    }
}
