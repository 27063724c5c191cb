package dev.jmesh.instrumentation.testing;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

import javax.net.ssl.SSLContext;

/** A real HTTP server on 127.0.0.1 that records every request and answers as a test scripts it. */
public final class TestUpstream implements AutoCloseable {

    /** What the server saw; {@code custom} and {@code app} are the headers {@code X-Custom} and {@code X-App}. */
    public record Seen(String method, String path, String query, String custom, String app, String host,
                       String contentType, String body) {
    }

    /** How to answer the n-th request (0-based); {@code headers} are added to the response. */
    public record Reply(int status, long delayMillis, String body, Map<String, String> headers) {
        public Reply(int status, long delayMillis, String body) {
            this(status, delayMillis, body, Map.of());
        }
    }

    public final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    public TestUpstream(IntFunction<Reply> script) throws IOException {
        this(script, null);
    }

    /** @param tls serves HTTPS with this context's key material when not null (see {@link TestTls}) */
    public TestUpstream(IntFunction<Reply> script, SSLContext tls) throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls != null) {
            HttpsServer https = HttpsServer.create(address, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        } else {
            server = HttpServer.create(address, 0);
        }
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            int n;
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            synchronized (seen) {
                n = seen.size();
                seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders().getFirst("X-Custom"),
                        exchange.getRequestHeaders().getFirst("X-App"), exchange.getRequestHeaders().getFirst("Host"),
                        exchange.getRequestHeaders().getFirst("Content-Type"), body));
            }
            Reply reply = script.apply(n);
            try {
                if (reply.delayMillis() > 0) {
                    Thread.sleep(reply.delayMillis());
                }
                reply.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
                byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            } catch (InterruptedException | IOException e) {
                // the client gave up; nothing to answer
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    public static TestUpstream ok(String body) throws IOException {
        return new TestUpstream(n -> new Reply(200, 0, body));
    }

    /** A 503 ("busy") first, then 200s with body "ok". */
    public static TestUpstream busyOnce() throws IOException {
        return new TestUpstream(n -> n == 0 ? new Reply(503, 0, "busy") : new Reply(200, 0, "ok"));
    }

    /** Every other request gets a 503 ("busy"), starting with the first; the others 200 "ok". */
    public static TestUpstream busyEveryOther() throws IOException {
        return new TestUpstream(n -> n % 2 == 0 ? new Reply(503, 0, "busy") : new Reply(200, 0, "ok"));
    }

    /** Answers every request with 200 "late" after {@code delayMillis}. */
    public static TestUpstream slow(long delayMillis) throws IOException {
        return new TestUpstream(n -> new Reply(200, delayMillis, "late"));
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code 127.0.0.1:PORT}. */
    public String authority() {
        return "127.0.0.1:" + port();
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String base() {
        return "http://" + authority();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
