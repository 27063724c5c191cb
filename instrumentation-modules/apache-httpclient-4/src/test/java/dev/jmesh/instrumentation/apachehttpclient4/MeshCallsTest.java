package dev.jmesh.instrumentation.apachehttpclient4;

import dev.jmesh.instrumentation.testing.TestUpstream;
import dev.jmesh.instrumentation.testing.FakeEngine;

import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.OutboundCall;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.conn.ConnectTimeoutException;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.InputStreamEntity;
import org.apache.http.entity.StringEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.util.EntityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Calls the application makes through the library's public API, with the real library classes woven
 * (see {@link WovenLibrary}) and a fake engine that routes service {@code inventory} to a local server.
 * Every case runs for the three kinds of client.
 */
class MeshCallsTest {
    private TestUpstream upstream;

    @BeforeAll
    static void weave() throws Exception {
        WovenLibrary.install();
    }

    @AfterEach
    void tearDown() {
        Mesh.install(null);
        if (upstream != null) {
            upstream.close();
        }
    }

    private static String read(CloseableHttpResponse response) throws IOException {
        try {
            return response.getStatusLine().getStatusCode() + " " + EntityUtils.toString(response.getEntity(),
                    StandardCharsets.UTF_8);
        } finally {
            response.close();
        }
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    @ParameterizedTest
    @EnumSource(Clients.class)
    void withoutAnEngineTheCallGoesWhereTheApplicationSentIt(Clients kind) throws Exception {
        upstream = TestUpstream.ok("direct");
        try (CloseableHttpClient client = kind.create()) {
            assertEquals("200 direct", read(client.execute(new HttpGet("http://" + upstream.authority() + "/x?q=1"))));
        }
        assertEquals(1, upstream.seen.size());
        assertEquals("/x", upstream.seen.get(0).path());
        assertEquals("q=1", upstream.seen.get(0).query());
    }

    @ParameterizedTest
    @EnumSource(Clients.class)
    void aServiceNameIsRoutedAndARetryHidesA503(Clients kind) throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        HttpGet get = new HttpGet("http://inventory/items/42?q=a%20b");
        get.setHeader("X-Custom", "abc");

        try (CloseableHttpClient client = kind.create()) {
            assertEquals("200 ok", read(client.execute(get)));
        }

        assertEquals(1, engine.calls.size());
        OutboundCall call = engine.calls.get(0);
        assertEquals("GET http://inventory/items/42", call.toString());
        assertEquals("http", call.protocol());
        assertEquals(-1, call.port());
        assertTrue(call.replayable());
        assertEquals(List.of(503, 200), engine.statuses);
        assertEquals(2, upstream.seen.size());
        TestUpstream.Seen first = upstream.seen.get(0);
        assertEquals(first, upstream.seen.get(1));
        assertEquals(new TestUpstream.Seen("GET", "/items/42", "q=a%20b", "abc", null, upstream.authority(), null, ""), first);
    }

    @ParameterizedTest
    @EnumSource(Clients.class)
    void thePerTryTimeoutFailsWithTheLibrarysReadTimeout(Clients kind) throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 3000, "late"));
        Mesh.install(new FakeEngine(upstream.port(), 200));
        long start = System.nanoTime();
        try (CloseableHttpClient client = kind.create()) {
            assertThrows(SocketTimeoutException.class, () -> client.execute(new HttpGet("http://inventory/slow")));
        }
        assertTrue(millisSince(start) < 2500, "took " + millisSince(start) + " ms");
    }

    @ParameterizedTest
    @EnumSource(Clients.class)
    void theApplicationsOwnTighterTimeoutStays(Clients kind) throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 3000, "late"));
        Mesh.install(new FakeEngine(upstream.port(), 10_000));
        HttpGet get = new HttpGet("http://inventory/slow");
        kind.ownSocketTimeout(get, 200);
        long start = System.nanoTime();
        try (CloseableHttpClient client = kind.create()) {
            assertThrows(SocketTimeoutException.class, () -> client.execute(get));
        }
        assertTrue(millisSince(start) < 2500, "took " + millisSince(start) + " ms");
    }

    @ParameterizedTest
    @EnumSource(Clients.class)
    void theMeshTimeoutTightensALooserApplicationTimeout(Clients kind) throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 3000, "late"));
        Mesh.install(new FakeEngine(upstream.port(), 200));
        HttpGet get = new HttpGet("http://inventory/slow");
        kind.ownSocketTimeout(get, 20_000);
        long start = System.nanoTime();
        try (CloseableHttpClient client = kind.create()) {
            assertThrows(SocketTimeoutException.class, () -> client.execute(get));
        }
        assertTrue(millisSince(start) < 2500, "took " + millisSince(start) + " ms");
    }

    /** Legacy per-request parameters on an {@code HttpClientBuilder} client: the client builds its config from them. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {200, 20_000})
    @SuppressWarnings("deprecation")
    void legacyRequestParametersOnABuiltClientAreTightenedToo(int ownMillis) throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 3000, "late"));
        Mesh.install(new FakeEngine(upstream.port(), ownMillis == 200 ? 10_000 : 200));
        HttpGet get = new HttpGet("http://inventory/slow");
        org.apache.http.params.HttpConnectionParams.setSoTimeout(get.getParams(), ownMillis);
        long start = System.nanoTime();
        try (CloseableHttpClient client = Clients.BUILT.create()) {
            assertThrows(SocketTimeoutException.class, () -> client.execute(get));
        }
        assertTrue(millisSince(start) < 2500, "took " + millisSince(start) + " ms");
    }

    /**
     * A listening socket whose accept queue is full drops further connection attempts (Linux), so the
     * attempt's connect timeout fires. Skipped where the platform answers such a connect at once.
     */
    @ParameterizedTest
    @EnumSource(Clients.class)
    void aConnectTimeoutIsTheLibrarysConnectTimeoutException(Clients kind) throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        List<Socket> filling = new ArrayList<>();
        try (ServerSocket full = new ServerSocket(0, 1, loopback)) {
            boolean saturated = false;
            for (int i = 0; i < 20 && !saturated; i++) {
                Socket socket = new Socket();
                filling.add(socket);
                try {
                    socket.connect(new InetSocketAddress(loopback, full.getLocalPort()), 200);
                } catch (SocketTimeoutException e) {
                    saturated = true;
                }
            }
            assumeTrue(saturated, "this platform does not let a connect time out against a full accept queue");
            Mesh.install(new FakeEngine(full.getLocalPort(), 300));
            long start = System.nanoTime();
            try (CloseableHttpClient client = kind.create()) {
                assertThrows(ConnectTimeoutException.class, () -> client.execute(new HttpGet("http://inventory/x")));
            }
            assertTrue(millisSince(start) < 2500, "took " + millisSince(start) + " ms");
        } finally {
            for (Socket socket : filling) {
                socket.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Clients.class, names = {"BUILT", "MINIMAL"})
    void theApplicationsContextKeepsItsOwnRequestConfig(Clients kind) throws Exception {
        upstream = TestUpstream.ok("fine");
        Mesh.install(new FakeEngine(upstream.port(), 1000));
        RequestConfig own = RequestConfig.custom().setSocketTimeout(30_000).build();
        HttpClientContext context = HttpClientContext.create();
        context.setRequestConfig(own);
        RequestConfig onRequest = RequestConfig.custom().setSocketTimeout(20_000).build();
        HttpGet configured = new HttpGet("http://inventory/x");
        configured.setConfig(onRequest);

        try (CloseableHttpClient client = kind.create()) {
            assertEquals("200 fine", read(client.execute(new HttpGet("http://inventory/x"), context)));
            assertSame(own, context.getRequestConfig());
            // the library itself leaves the request's own config in the context: so do we
            assertEquals("200 fine", read(client.execute(configured, context)));
            assertSame(onRequest, context.getRequestConfig());
        }
    }

    @ParameterizedTest
    @EnumSource(Clients.class)
    void aSmallBodyIsSentIntactOnEveryAttempt(Clients kind) throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        String json = "{\"item\":\"Wäsche ✓\",\"qty\":3}";
        HttpPost post = new HttpPost("http://inventory/orders");
        post.setEntity(new StringEntity(json, ContentType.APPLICATION_JSON));

        try (CloseableHttpClient client = kind.create()) {
            assertEquals("200 ok", read(client.execute(post)));
        }

        assertTrue(engine.calls.get(0).replayable());
        assertEquals("POST http://inventory/orders", engine.calls.get(0).toString());
        assertEquals(2, upstream.seen.size());
        for (TestUpstream.Seen seen : upstream.seen) {
            assertEquals("POST", seen.method());
            assertEquals(json, seen.body());
            assertEquals("application/json; charset=UTF-8", seen.contentType());
        }
    }

    @ParameterizedTest
    @EnumSource(Clients.class)
    void aStreamedBodyIsNotReplayableNotBufferedAndArrivesIntact(Clients kind) throws Exception {
        upstream = TestUpstream.ok("stored");
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 200 * 1024; i++) {
            text.append("line ").append(i).append('\n');
        }
        HttpPost post = new HttpPost("http://inventory/upload");
        post.setEntity(new InputStreamEntity(new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8)), -1));

        try (CloseableHttpClient client = kind.create()) {
            assertEquals("200 stored", read(client.execute(post)));
        }

        assertFalse(engine.calls.get(0).replayable());
        assertEquals(-1, engine.calls.get(0).bodyBytes());
        assertEquals(1, upstream.seen.size());
        assertEquals(text.toString(), upstream.seen.get(0).body());
    }

    @ParameterizedTest
    @EnumSource(Clients.class)
    @Timeout(30)
    void aDiscardedResponseReturnsItsConnectionToThePool(Clients kind) throws Exception {
        upstream = TestUpstream.busyEveryOther();
        Mesh.install(new FakeEngine(upstream.port(), 0));
        try (CloseableHttpClient client = kind.withOneConnection()) {
            for (int i = 0; i < 3; i++) {
                assertEquals("200 ok", read(client.execute(new HttpGet("http://inventory/x"))));
            }
        }
        assertEquals(6, upstream.seen.size());
    }

    @ParameterizedTest
    @EnumSource(Clients.class)
    @Timeout(30)
    void abortingTheApplicationsRequestAbortsTheAttempt(Clients kind) throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 5000, "late"));
        Mesh.install(new FakeEngine(upstream.port(), 0));
        HttpGet get = new HttpGet("http://inventory/slow");
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime();
        try (CloseableHttpClient client = kind.create()) {
            scheduler.schedule(get::abort, 300, TimeUnit.MILLISECONDS);
            assertThrows(IOException.class, () -> client.execute(get));
        } finally {
            scheduler.shutdownNow();
        }
        assertTrue(millisSince(start) < 3000, "took " + millisSince(start) + " ms");
        assertEquals(1, upstream.seen.size());
    }
}
