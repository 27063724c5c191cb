package dev.jmesh.instrumentation.httpurlconnection;

import com.sun.net.httpserver.HttpServer;
import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.MeshEngine;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.instrumentation.testing.FakeEngine;
import dev.jmesh.instrumentation.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link MeshHttpURLConnection} against real loopback servers, with a stand-in engine. */
class MeshHttpURLConnectionTest {
    private TestUpstream upstream;
    private HttpServer server;

    @AfterEach
    void tearDown() {
        Mesh.install(null);
        if (upstream != null) {
            upstream.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    private static MeshHttpURLConnection open(String url) throws IOException {
        return new MeshHttpURLConnection(new URL(url), null);
    }

    private static String read(HttpURLConnection c) throws IOException {
        try (InputStream in = c.getResponseCode() >= 400 ? c.getErrorStream() : c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aBufferedBodyIsRoutedAndItsSizeToldToTheEngine() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);

        MeshHttpURLConnection c = open("http://inventory/orders?x=1");
        c.setRequestMethod("PUT");
        c.setDoOutput(true);
        c.setRequestProperty("X-Custom", "abc");
        try (OutputStream out = c.getOutputStream()) {
            out.write("{\"n\":1}".getBytes(StandardCharsets.UTF_8));
        }

        assertEquals(200, c.getResponseCode());
        assertEquals("ok", read(c));
        OutboundCall call = engine.calls.get(0);
        assertTrue(call.replayable());
        assertEquals(7, call.bodyBytes());
        assertEquals("/orders", call.path());
        assertEquals(2, upstream.seen.size(), "the 503 was retried with the same body");
        assertEquals("{\"n\":1}", upstream.seen.get(1).body());
        assertEquals("abc", upstream.seen.get(1).custom());
    }

    @Test
    void responseHeadersAreReadForTheEngine() throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(503, 0, "busy", Map.of("Retry-After", "7")));
        AtomicReference<String> retryAfter = new AtomicReference<>();
        Mesh.install(new BlockingOnly() {
            @Override
            public <R> R call(OutboundCall call, BlockingExchange<R> exchange) throws Exception {
                R response = exchange.attempt("127.0.0.1", upstream.port(), 0);
                retryAfter.set(exchange.headerOf(response, "retry-after"));
                return response;
            }
        });

        MeshHttpURLConnection c = open("http://inventory/items/1");

        assertEquals(503, c.getResponseCode());
        assertEquals("7", retryAfter.get());
    }

    /**
     * A chunked upload reaches the upstream while the application is still writing: the server sees the first
     * chunk before the application writes the rest, which it does only once the server has seen it.
     */
    @Test
    void aStreamedBodyIsNeverBufferedAndGetsOneAttempt() throws Exception {
        CountDownLatch firstChunkArrived = new CountDownLatch(1);
        AtomicLong received = new AtomicLong();
        AtomicReference<String> transferEncoding = new AtomicReference<>();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            transferEncoding.set(exchange.getRequestHeaders().getFirst("Transfer-Encoding"));
            try (InputStream in = exchange.getRequestBody()) {
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) != -1) {
                    if (received.addAndGet(n) >= 8192) {
                        firstChunkArrived.countDown();
                    }
                }
            }
            byte[] reply = ("got " + received.get()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(201, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        server.start();
        FakeEngine engine = new FakeEngine(server.getAddress().getPort(), 0);
        Mesh.install(engine);

        MeshHttpURLConnection c = open("http://inventory/upload");
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setChunkedStreamingMode(8192);
        byte[] chunk = new byte[8192];
        Arrays.fill(chunk, (byte) 'x');
        try (OutputStream out = c.getOutputStream()) {
            out.write(chunk);
            out.flush();
            assertTrue(firstChunkArrived.await(10, TimeUnit.SECONDS),
                    "the first chunk must reach the upstream before the body is complete");
            for (int i = 0; i < 127; i++) {
                out.write(chunk);
            }
        }

        assertEquals(201, c.getResponseCode());
        assertEquals("got " + 128 * 8192, read(c));
        assertEquals("chunked", transferEncoding.get());
        OutboundCall call = engine.calls.get(0);
        assertFalse(call.replayable());
        assertEquals(-1, call.bodyBytes());
    }

    @Test
    void aFixedLengthStreamIsSentAsTheApplicationDeclaredIt() throws Exception {
        upstream = TestUpstream.ok("stored");
        Mesh.install(new FakeEngine(upstream.port(), 0));

        MeshHttpURLConnection c = open("http://inventory/upload");
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(5);
        c.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));

        // the body was not closed: asking for the response closes it, as the JDK does
        assertEquals(200, c.getResponseCode());
        assertEquals("stored", read(c));
        assertEquals("hello", upstream.seen.get(0).body());
    }

    @Test
    void aStreamedCallTheMeshRefusesFailsAtGetOutputStreamWithTheMeshMessage() throws Exception {
        Mesh.install(new MeshEngine() {
            @Override
            public <R> R call(OutboundCall call, BlockingExchange<R> exchange) {
                throw new AssertionError("a streamed body is an asynchronous attempt");
            }

            @Override
            public <R> CompletableFuture<R> callAsync(OutboundCall call, AsyncExchange<R> exchange) {
                CompletableFuture<R> refused = new CompletableFuture<>();
                refused.completeExceptionally(exchange.rejectedException("jmesh: circuit breaker open"));
                return refused;
            }
        });

        MeshHttpURLConnection c = open("http://inventory/upload");
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setChunkedStreamingMode(0);

        IOException e = assertThrows(IOException.class, c::getOutputStream);
        assertEquals("jmesh: circuit breaker open", e.getMessage());
        IOException again = assertThrows(IOException.class, c::getResponseCode);
        assertEquals("jmesh: circuit breaker open", again.getMessage());
    }

    /** An engine for blocking calls only. */
    private abstract static class BlockingOnly implements MeshEngine {
        @Override
        public <R> CompletableFuture<R> callAsync(OutboundCall call, AsyncExchange<R> exchange) {
            throw new AssertionError("not expected");
        }
    }
}
