package dev.jmesh.instrumentation.apachehttpclient5;

import dev.jmesh.instrumentation.testing.TestHelpers;

import dev.jmesh.instrumentation.testing.TestUpstream;
import dev.jmesh.instrumentation.testing.FakeEngine;

import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Helpers;
import dev.jmesh.bootstrap.Mesh;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.HttpClientResponseHandler;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module's advice woven into the REAL library classes ({@code InternalHttpClient},
 * {@code MinimalHttpClient}) in this JVM, through Byte Buddy's agent and the module's own
 * {@link ApacheHttpClient5Module#instrument}, with the interceptor defined the way the agent defines
 * helpers: application-style calls through the public API are taken over once, whichever
 * {@code execute} overload they use, and pass through when nested.
 */
class AdviceTest {
    private static Instrumentation instrumentation;
    private static ResettableClassFileTransformer transformer;

    private final CloseableHttpClient client = HttpClients.custom().disableAutomaticRetries().build();
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
    void tearDown() throws IOException {
        Mesh.install(null);
        client.close();
        if (upstream != null) {
            upstream.close();
        }
    }

    private static final HttpClientResponseHandler<String> TO_STRING =
            response -> EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);

    private static String body(ClassicHttpResponse response) throws Exception {
        try {
            return EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
        } finally {
            response.close();
        }
    }

    @Test
    void anApplicationCallIsRoutedAndRetriedAndTheHandlerSeesOnlyTheFinalResponse() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        AtomicInteger handled = new AtomicInteger();

        String result = client.execute(new HttpGet("http://inventory/x?q=1"), response -> {
            handled.incrementAndGet();
            return response.getCode() + " " + EntityUtils.toString(response.getEntity());
        });

        assertEquals("200 ok", result);
        assertEquals(1, handled.get());
        assertEquals(1, engine.calls.size());
        assertEquals(2, upstream.seen.size());
        assertEquals(upstream.authority(), upstream.seen.get(1).host());
        assertFalse(CallDepth.nested());
        // the interceptor lives in its own loader below the library's, as the agent defines it
        List<Object> classic = TestHelpers.INSTANCE.created.stream()
                .filter(h -> h.getClass().getName().equals(ApacheHttpClient5Interceptor.class.getName())).toList();
        assertFalse(classic.isEmpty());
        for (Object helper : classic) {
            assertNotSame(ApacheHttpClient5Interceptor.class, helper.getClass());
            assertSame(CloseableHttpClient.class.getClassLoader(), helper.getClass().getClassLoader().getParent());
        }
    }

    @Test
    @SuppressWarnings("deprecation")
    void everyExecuteOverloadIsOneLogicalCall() throws Exception {
        upstream = TestUpstream.ok("ok");
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        HttpHost inventory = new HttpHost("inventory");
        HttpClientContext context = HttpClientContext.create();

        assertEquals("ok", body(client.execute(new HttpGet("http://inventory/1"))));
        assertEquals("ok", body(client.execute(new HttpGet("http://inventory/2"), context)));
        assertEquals("ok", body(client.execute(inventory, new HttpGet("/3"))));
        assertEquals("ok", body(client.execute(inventory, new HttpGet("/4"), context)));
        assertEquals("ok", client.execute(new HttpGet("http://inventory/5"), TO_STRING));
        assertEquals("ok", client.execute(new HttpGet("http://inventory/6"), context, TO_STRING));
        assertEquals("ok", client.execute(inventory, new HttpGet("/7"), TO_STRING));
        assertEquals("ok", client.execute(inventory, new HttpGet("/8"), context, TO_STRING));

        assertEquals(8, engine.calls.size());
        assertEquals(8, upstream.seen.size());
        for (int i = 0; i < 8; i++) {
            assertEquals("/" + (i + 1), engine.calls.get(i).path());
            assertEquals("/" + (i + 1), upstream.seen.get(i).path());
        }
    }

    @Test
    void theMinimalClientIsTakenOverToo() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        try (CloseableHttpClient minimal = HttpClients.createMinimal()) {
            HttpPost post = new HttpPost("http://inventory/orders");
            post.setEntity(new StringEntity("{\"id\":7}", ContentType.APPLICATION_JSON));

            // a context of its own: MinimalHttpClient 5.0 fails on a null context (fixed in later versions)
            assertEquals("ok", minimal.execute(post, HttpClientContext.create(), TO_STRING));
        }
        assertEquals(1, engine.calls.size());
        assertEquals(2, upstream.seen.size());
        assertEquals("{\"id\":7}", upstream.seen.get(0).body());
        assertEquals("{\"id\":7}", upstream.seen.get(1).body());
    }

    @Test
    void aTimeoutReachesTheApplicationAsTheLibrarysException() throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 2000, "late"));
        Mesh.install(new FakeEngine(upstream.port(), 200));

        assertThrows(SocketTimeoutException.class, () -> client.execute(new HttpGet("http://inventory/x"), TO_STRING));
    }

    @Test
    void withoutEngineTheCallRunsDirectly() throws Exception {
        upstream = TestUpstream.ok("direct");

        assertEquals("direct", client.execute(new HttpGet("http://127.0.0.1:" + upstream.port() + "/d"), TO_STRING));
        assertEquals(1, upstream.seen.size());
    }

    @Test
    void nestedCallsPassThrough() throws Exception {
        upstream = TestUpstream.ok("inner");
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);

        CallDepth.enter();
        try {
            assertEquals("inner", client.execute(new HttpGet("http://127.0.0.1:" + upstream.port() + "/n"), TO_STRING));
        } finally {
            CallDepth.exit();
        }

        assertTrue(engine.calls.isEmpty());
        assertEquals(1, upstream.seen.size());
    }

    @Test
    void aClientLayeredOverAnotherIsOneLogicalCall() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        // a wrapper that, like an SDK or RestTemplate, calls the library client for the application
        try (CloseableHttpClient inner = HttpClients.custom().disableAutomaticRetries().build()) {
            CloseableHttpClient outer = new Wrapper(inner);
            assertEquals("ok", outer.execute(new HttpGet("http://inventory/layered"), TO_STRING));
        }
        assertEquals(1, engine.calls.size());
        assertEquals(2, upstream.seen.size());
    }

    /** An application-defined client (not woven) that delegates to a library client (woven). */
    private static final class Wrapper extends CloseableHttpClient {
        private final CloseableHttpClient delegate;

        Wrapper(CloseableHttpClient delegate) {
            this.delegate = delegate;
        }

        @Override
        @SuppressWarnings("deprecation")
        protected CloseableHttpResponse doExecute(HttpHost target, org.apache.hc.core5.http.ClassicHttpRequest request,
                                                  org.apache.hc.core5.http.protocol.HttpContext context)
                throws IOException {
            return delegate.execute(target, request, context);
        }

        @Override
        public void close(org.apache.hc.core5.io.CloseMode closeMode) {
            delegate.close(closeMode);
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}
