package dev.jmesh.instrumentation.apachehttpclient5;

import dev.jmesh.instrumentation.testing.TestUpstream;
import dev.jmesh.instrumentation.testing.FakeEngine;

import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.OutboundCall;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpPut;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interceptor against a real server and the real library (no weaving: the interceptor is called as
 * the advice would call it), with no engine (one direct attempt) and with a fake engine that routes
 * {@code inventory}, retries a 503 and sets a per-try timeout.
 */
class ApacheHttpClient5InterceptorTest {
    private final ApacheHttpClient5Interceptor interceptor = new ApacheHttpClient5Interceptor();
    /** The library's own retries off, so that every request the server sees is a mesh attempt. */
    private final CloseableHttpClient client = HttpClients.custom().disableAutomaticRetries().build();
    private TestUpstream upstream;

    @AfterEach
    void tearDown() throws IOException {
        Mesh.install(null);
        client.close();
        if (upstream != null) {
            upstream.close();
        }
    }

    /** What {@code doExecute} would return for this call. */
    private CloseableHttpResponse execute(HttpHost target, ClassicHttpRequest request, HttpClientContext context)
            throws Exception {
        return (CloseableHttpResponse) interceptor.execute(client, target, request, context);
    }

    private CloseableHttpResponse execute(ClassicHttpRequest request) throws Exception {
        return execute(null, request, null);
    }

    private static String body(CloseableHttpResponse response) throws Exception {
        try (CloseableHttpResponse closing = response) {
            return EntityUtils.toString(closing.getEntity(), StandardCharsets.UTF_8);
        }
    }

    private static HttpGet inventoryGet() {
        HttpGet get = new HttpGet("http://inventory/x?q=1");
        get.addHeader("X-Custom", "abc");
        return get;
    }

    private void assertTwoIdenticalRequests(String method, String body) {
        assertEquals(2, upstream.seen.size());
        for (TestUpstream.Seen seen : upstream.seen) {
            assertEquals(method, seen.method());
            assertEquals("/x", seen.path());
            assertEquals("q=1", seen.query());
            assertEquals("abc", seen.custom());
            assertEquals(upstream.authority(), seen.host());
            assertEquals(body, seen.body());
        }
    }

    // ---- (a) no engine: one direct attempt with the application's own request ------------------------

    @Test
    void withoutEngineSendsTheApplicationsRequestUnchanged() throws Exception {
        upstream = TestUpstream.ok("hello");
        HttpGet request = new HttpGet("http://127.0.0.1:" + upstream.port() + "/x?q=1");
        request.addHeader("X-Custom", "abc");

        CloseableHttpResponse response = execute(request);

        assertEquals(200, response.getCode());
        assertEquals("hello", body(response));
        assertEquals(1, upstream.seen.size());
        assertEquals("/x", upstream.seen.get(0).path());
        assertEquals("q=1", upstream.seen.get(0).query());
        assertEquals("abc", upstream.seen.get(0).custom());
    }

    @Test
    void withoutEngineAnExplicitTargetAndARelativeRequestWork() throws Exception {
        upstream = TestUpstream.ok("hello");
        BasicClassicHttpRequest request = new BasicClassicHttpRequest("GET", "/x?q=1");

        CloseableHttpResponse response = execute(new HttpHost("127.0.0.1", upstream.port()), request, null);

        assertEquals("hello", body(response));
        assertEquals("/x", upstream.seen.get(0).path());
    }

    // ---- (b) routing by service name and a retry that hides a 503 ---------------------------------------

    @Test
    void routesToTheEndpointAndRetriesA503() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        HttpGet request = inventoryGet();

        CloseableHttpResponse response = execute(request);

        assertEquals(200, response.getCode());
        assertEquals("ok", body(response));
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
        // the application's request object is left as it was
        assertEquals("inventory", request.getAuthority().getHostName());
        assertEquals("/x?q=1", request.getPath());
    }

    @Test
    void anExplicitTargetIsWhatTheMeshRoutes() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        BasicClassicHttpRequest request = new BasicClassicHttpRequest("GET", "/x?q=1");
        request.addHeader("X-Custom", "abc");

        CloseableHttpResponse response = execute(new HttpHost("inventory", 8080), request, HttpClientContext.create());

        assertEquals("ok", body(response));
        assertTwoIdenticalRequests("GET", "");
        assertEquals("inventory", engine.calls.get(0).host());
        assertEquals(8080, engine.calls.get(0).port());
    }

    @Test
    void hostsThatAreNotServicesKeepTheirAddressAndTheirRequest() throws Exception {
        upstream = TestUpstream.ok("plain");
        FakeEngine engine = new FakeEngine(1, 0);
        Mesh.install(engine);

        CloseableHttpResponse response = execute(new HttpGet("http://127.0.0.1:" + upstream.port() + "/p"));

        assertEquals("plain", body(response));
        assertEquals("127.0.0.1", engine.calls.get(0).host());
        assertEquals(upstream.port(), engine.calls.get(0).port());
    }

    @Test
    void discardReturnsTheConnectionToThePoolBeforeTheRetry() throws Exception {
        upstream = new TestUpstream(n -> n == 0 ? new TestUpstream.Reply(503, 0, "x".repeat(10_000))
                : new TestUpstream.Reply(200, 0, "ok"));
        Mesh.install(new FakeEngine(upstream.port(), 0));
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
        pool.setMaxTotal(1);
        pool.setDefaultMaxPerRoute(1);
        RequestConfig config = RequestConfig.custom()
                .setConnectionRequestTimeout(Timeout.ofMilliseconds(1000)).build();
        try (CloseableHttpClient single = HttpClients.custom().setConnectionManager(pool)
                .setDefaultRequestConfig(config).disableAutomaticRetries().build()) {
            for (int i = 0; i < 3; i++) {
                // with one pooled connection, the retry (and the next calls) wait for the one the 503 held
                assertEquals("ok", body((CloseableHttpResponse) interceptor.execute(single, null, inventoryGet(), null)));
            }
        }
        // a 503 then 200, then two more calls (the script answers 200 from then on)
        assertEquals(4, upstream.seen.size());
    }

    @Test
    void theLibrarysOwnRetriesRunInsideOneMeshAttempt() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        // HttpClient's default retry strategy resends a 503 once itself (after 1 s), inside the attempt
        try (CloseableHttpClient defaults = HttpClients.createDefault()) {
            assertEquals("ok", body((CloseableHttpResponse) interceptor.execute(defaults, null, inventoryGet(), null)));
        }
        assertEquals(List.of(200), engine.statuses);
        assertEquals(2, upstream.seen.size());
    }

    @Test
    void abortingTheApplicationsRequestAbortsTheAttemptInFlight() throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 3000, "late"));
        Mesh.install(new FakeEngine(upstream.port(), 0));
        HttpGet request = inventoryGet();
        Thread aborter = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            request.cancel();
        });

        long start = System.nanoTime();
        aborter.start();
        assertThrows(IOException.class, () -> execute(request));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 2000);
        aborter.join();
    }

    // ---- (c) per-try timeout -----------------------------------------------------------------------------

    @Test
    void perTryTimeoutFailsWithTheLibrarysSocketTimeoutException() throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 2000, "late"));
        Mesh.install(new FakeEngine(upstream.port(), 200));

        long start = System.nanoTime();
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> execute(inventoryGet()));
        assertFalse(e instanceof ConnectTimeoutException, "the response timed out, not the connect");
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 1500);
    }

    @Test
    void theApplicationsOwnTighterTimeoutStillApplies() throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 2000, "late"));
        Mesh.install(new FakeEngine(upstream.port(), 10_000));
        HttpGet request = inventoryGet();
        request.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(200)).build());

        long start = System.nanoTime();
        assertThrows(SocketTimeoutException.class, () -> execute(request));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 1500);
    }

    @Test
    void theClientsDefaultTighterTimeoutStillApplies() throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 2000, "late"));
        Mesh.install(new FakeEngine(upstream.port(), 10_000));
        RequestConfig defaults = RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(200)).build();
        try (CloseableHttpClient strict = HttpClients.custom().setDefaultRequestConfig(defaults)
                .disableAutomaticRetries().build()) {
            long start = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> interceptor.execute(strict, null, inventoryGet(), null));
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 1500);
        }
    }

    @Test
    void theMeshTimeoutDoesNotLeakIntoTheApplicationsContext() throws Exception {
        upstream = TestUpstream.ok("ok");
        Mesh.install(new FakeEngine(upstream.port(), 5_000));
        HttpClientContext empty = HttpClientContext.create();
        RequestConfig own = RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(30)).build();
        HttpClientContext configured = HttpClientContext.create();
        configured.setRequestConfig(own);

        assertEquals("ok", body(execute(null, inventoryGet(), empty)));
        assertEquals("ok", body(execute(null, inventoryGet(), configured)));

        assertNull(ApacheHttpClient5Interceptor.contextConfig(empty));
        assertSame(own, ApacheHttpClient5Interceptor.contextConfig(configured));
    }

    @Test
    void aConnectThatTimesOutFailsWithTheLibrarysConnectTimeoutException() throws Exception {
        // A listening socket whose accept queue is full: Linux drops further SYNs, so connecting hangs.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    Socket filler = new Socket();
                    try {
                        filler.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort()), 200);
                        fillers.add(filler);
                    } catch (IOException queueFull) {
                        filler.close();
                        break;
                    }
                }
                Mesh.install(new FakeEngine(full.getLocalPort(), 300));

                long start = System.nanoTime();
                assertThrows(ConnectTimeoutException.class, () -> execute(inventoryGet()));
                assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 2000);
            } finally {
                for (Socket filler : fillers) {
                    filler.close();
                }
            }
        }
    }

    // ---- (d) request bodies -----------------------------------------------------------------------------

    @Test
    void postBodyIsDeliveredIntactOnEveryAttempt() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        String json = "{\"sku\":\"ä-42\",\"qty\":3}";
        HttpPost request = new HttpPost("http://inventory/x?q=1");
        request.addHeader("X-Custom", "abc");
        request.setEntity(new StringEntity(json, ContentType.APPLICATION_JSON));

        CloseableHttpResponse response = execute(request);

        assertEquals(200, response.getCode());
        body(response);
        assertTwoIdenticalRequests("POST", json);
        assertTrue(upstream.seen.get(1).contentType().startsWith("application/json"));
        assertEquals("POST", engine.calls.get(0).method());
        assertTrue(engine.calls.get(0).replayable());
    }

    @Test
    void aStreamedBodyIsNotReplayableAndIsDeliveredIntact() throws Exception {
        upstream = TestUpstream.ok("stored");
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        byte[] bytes = "streamed, never buffered".getBytes(StandardCharsets.UTF_8);
        HttpPut request = new HttpPut("http://inventory/x?q=1");
        request.addHeader("X-Custom", "abc");
        request.setEntity(new InputStreamEntity(new ByteArrayInputStream(bytes), bytes.length,
                ContentType.APPLICATION_OCTET_STREAM));

        assertEquals("stored", body(execute(request)));

        assertFalse(engine.calls.get(0).replayable());
        assertEquals(1, upstream.seen.size());
        assertEquals("streamed, never buffered", upstream.seen.get(0).body());
    }

    // ---- the rest of the exchange -------------------------------------------------------------------------

    @Test
    void meshMadeFailuresAreTheLibrarysTypes() {
        HttpGet request = inventoryGet();
        ApacheHttpClient5Interceptor.Classic exchange = new ApacheHttpClient5Interceptor.Classic(client, null,
                request, null, ApacheHttpClient5Interceptor.describe(null, request));
        assertInstanceOf(SocketTimeoutException.class, exchange.timeoutException("jmesh: timeout"));
        Exception rejected = exchange.rejectedException("jmesh: circuit open");
        assertEquals(IOException.class, rejected.getClass());
        assertEquals("jmesh: circuit open", rejected.getMessage());
    }

    @Test
    void aRequestWithoutHostIsDeclined() throws Exception {
        Mesh.install(new FakeEngine(1, 0));
        assertNull(interceptor.execute(client, null, new BasicClassicHttpRequest("GET", "/relative"), null));
    }

    @Test
    void timeoutsAreTightenedNeverLoosened() {
        assertEquals(200, ApacheHttpClient5Interceptor.tighter(null, 200).toMilliseconds());
        assertEquals(200, ApacheHttpClient5Interceptor.tighter(Timeout.DISABLED, 200).toMilliseconds());
        assertEquals(200, ApacheHttpClient5Interceptor.tighter(Timeout.ofSeconds(5), 200).toMilliseconds());
        assertEquals(100, ApacheHttpClient5Interceptor.tighter(Timeout.ofMilliseconds(100), 200).toMilliseconds());
        RequestConfig base = RequestConfig.custom().setRedirectsEnabled(false)
                .setResponseTimeout(Timeout.ofMilliseconds(50)).build();
        RequestConfig tightened = ApacheHttpClient5Interceptor.withTimeout(base, 300);
        assertFalse(tightened.isRedirectsEnabled());
        assertEquals(50, tightened.getResponseTimeout().toMilliseconds());
        assertEquals(300, tightened.getConnectionRequestTimeout().toMilliseconds());
    }
}
