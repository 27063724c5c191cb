package dev.jmesh.instrumentation.jdkhttpclient;

import dev.jmesh.instrumentation.testing.TestUpstream;
import dev.jmesh.instrumentation.testing.FakeEngine;

import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.jdkhttpclient.HttpClientBridge;
import dev.jmesh.bootstrap.Outcome;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The advice and the bridge, woven with Byte Buddy into {@link FakeFacade} (the real target,
 * {@code HttpClientFacade}, needs the packaged agent; the smoke tests cover it): a call the mesh takes
 * skips the original body and returns or throws the mesh's outcome; otherwise the original runs.
 */
class AdviceTest {
    private static HttpClient woven;
    private TestUpstream upstream;

    @BeforeEach
    void weave() throws Exception {
        if (woven == null) {
            Class<?> type = new ByteBuddy()
                    .redefine(FakeFacade.class)
                    .name(FakeFacade.class.getName() + "Woven")
                    .visit(Advice.to(JdkHttpClientModule.SendAdvice.class, JdkHttpClientModule.ReturnOutcomeAdvice.class)
                            .on(JdkHttpClientModule.sendMethod()))
                    .visit(Advice.to(JdkHttpClientModule.SendAsyncAdvice.class,
                                    JdkHttpClientModule.ReturnOutcomeAdvice.class)
                            .on(JdkHttpClientModule.sendAsyncMethod()))
                    .visit(Advice.to(JdkHttpClientModule.SendAsyncWithPushPromisesAdvice.class,
                                    JdkHttpClientModule.ReturnOutcomeAdvice.class)
                            .on(JdkHttpClientModule.sendAsyncWithPushPromisesMethod()))
                    .make()
                    .load(AdviceTest.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
                    .getLoaded();
            woven = (HttpClient) type.getConstructor(HttpClient.class).newInstance(HttpClient.newHttpClient());
        }
        OriginalBodies.COUNT.set(0);
    }

    @AfterEach
    void tearDown() {
        HttpClientBridge.register(null);
        Mesh.install(null);
        if (upstream != null) {
            upstream.close();
        }
    }

    private static HttpRequest inventory() {
        return HttpRequest.newBuilder(URI.create("http://inventory/x?q=1")).header("X-Custom", "abc").build();
    }

    @Test
    void meshTakesSendAndRetries() throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(n == 0 ? 503 : 200, 0, n == 0 ? "busy" : "ok"));
        JdkHttpClientInterceptor.install();
        Mesh.install(new FakeEngine(upstream.port(), 0));

        HttpResponse<String> response = woven.send(inventory(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        assertEquals("ok", response.body());
        assertEquals(2, upstream.seen.size());
        // the application's call was skipped; each attempt ran the original body once, as a nested call
        assertEquals(2, OriginalBodies.COUNT.get());
        assertEquals(false, CallDepth.nested());
    }

    @Test
    void meshOutcomeCanBeAnException() throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 2000, "late"));
        JdkHttpClientInterceptor.install();
        Mesh.install(new FakeEngine(upstream.port(), 200));

        assertThrows(HttpTimeoutException.class, () -> woven.send(inventory(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void meshTakesBothSendAsyncVariants() throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(n % 2 == 0 ? 503 : 200, 0, "r" + n));
        JdkHttpClientInterceptor.install();
        Mesh.install(new FakeEngine(upstream.port(), 0));

        HttpResponse<String> first = woven.sendAsync(inventory(), HttpResponse.BodyHandlers.ofString())
                .get(10, TimeUnit.SECONDS);
        HttpResponse<String> second = woven.sendAsync(inventory(), HttpResponse.BodyHandlers.ofString(),
                (initiating, pushPromise, acceptor) -> { }).get(10, TimeUnit.SECONDS);

        assertEquals("r1", first.body());
        assertEquals("r3", second.body());
        assertEquals(4, OriginalBodies.COUNT.get());
    }

    @Test
    void asyncTimeoutCompletesTheFutureExceptionally() throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 2000, "late"));
        JdkHttpClientInterceptor.install();
        Mesh.install(new FakeEngine(upstream.port(), 200));

        CompletableFuture<HttpResponse<String>> future = woven.sendAsync(inventory(), HttpResponse.BodyHandlers.ofString());

        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        assertInstanceOf(HttpTimeoutException.class, e.getCause());
    }

    @Test
    void withoutInterceptorTheOriginalRuns() throws Exception {
        upstream = TestUpstream.ok("direct");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + upstream.port() + "/x")).build();

        HttpResponse<String> response = woven.send(request, HttpResponse.BodyHandlers.ofString());

        assertEquals("direct", response.body());
        assertEquals(request.uri(), response.request().uri());
        assertEquals(1, OriginalBodies.COUNT.get());
    }

    @Test
    void aDecliningInterceptorLetsTheOriginalRun() throws Exception {
        upstream = TestUpstream.ok("direct");
        HttpClientBridge.register(new HttpClientBridge.Interceptor() {
            @Override
            public Object send(Object client, Object request, Object bodyHandler) {
                return null;
            }

            @Override
            public Object sendAsync(Object client, Object request, Object bodyHandler, Object pushPromiseHandler) {
                return null;
            }
        });
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + upstream.port() + "/x")).build();

        assertEquals("direct", woven.send(request, HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("direct", woven.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .get(10, TimeUnit.SECONDS).body());
        assertEquals(2, OriginalBodies.COUNT.get());
    }

    @Test
    void bridgePassesThroughNestedCallsAndReportsInterceptorFailures() {
        IOException failure = new IOException("refused");
        HttpClientBridge.register(new HttpClientBridge.Interceptor() {
            @Override
            public Object send(Object client, Object request, Object bodyHandler) throws IOException {
                throw failure;
            }

            @Override
            public Object sendAsync(Object client, Object request, Object bodyHandler, Object pushPromiseHandler) {
                return CompletableFuture.completedFuture("future");
            }
        });

        Outcome thrown = HttpClientBridge.send(woven, inventory(), HttpResponse.BodyHandlers.ofString());
        assertNotNull(thrown);
        assertSame(failure, thrown.failure());
        Outcome returned = HttpClientBridge.sendAsync(woven, inventory(), HttpResponse.BodyHandlers.ofString(), null);
        assertNotNull(returned);
        assertNull(returned.failure());
        assertInstanceOf(CompletableFuture.class, returned.result());

        CallDepth.enter();
        try {
            assertNull(HttpClientBridge.send(woven, inventory(), HttpResponse.BodyHandlers.ofString()));
            assertNull(HttpClientBridge.sendAsync(woven, inventory(), HttpResponse.BodyHandlers.ofString(), null));
        } finally {
            CallDepth.exit();
        }
        assertNull(HttpClientBridge.send(woven, null, HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void moduleRegistersTheInterceptorAndAddsItsTransformation() throws Exception {
        upstream = TestUpstream.ok("via module");
        AgentBuilder builder = new AgentBuilder.Default();
        assertNotNull(new JdkHttpClientModule().instrument(builder));
        Mesh.install(new FakeEngine(upstream.port(), 0));

        assertEquals("via module", woven.send(inventory(), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("jdk-http-client", new JdkHttpClientModule().name());
    }
}
