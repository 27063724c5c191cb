package dev.jmesh.instrumentation.apachehttpclient5;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

/** A real HTTP server on 127.0.0.1 that records every request and answers as a test scripts it. */
final class TestUpstream implements AutoCloseable {

    /** What the server saw. */
    record Seen(String method, String path, String query, String custom, String host, String contentType,
                String body) {
    }

    /** How to answer the n-th request (0-based). */
    record Reply(int status, long delayMillis, String body) {
    }

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    TestUpstream(IntFunction<Reply> script) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
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
                        exchange.getRequestHeaders().getFirst("Host"),
                        exchange.getRequestHeaders().getFirst("Content-Type"), body));
            }
            Reply reply = script.apply(n);
            try {
                if (reply.delayMillis() > 0) {
                    Thread.sleep(reply.delayMillis());
                }
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

    static TestUpstream ok(String body) throws IOException {
        return new TestUpstream(n -> new Reply(200, 0, body));
    }

    /** 503 "busy" for the first request, 200 "ok" afterwards. */
    static TestUpstream flakyOnce() throws IOException {
        return new TestUpstream(n -> n == 0 ? new Reply(503, 0, "busy") : new Reply(200, 0, "ok"));
    }

    int port() {
        return server.getAddress().getPort();
    }

    String authority() {
        return "127.0.0.1:" + port();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
