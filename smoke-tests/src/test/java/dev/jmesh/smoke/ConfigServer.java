package dev.jmesh.smoke;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A control plane for the HTTP source, owned by the test: serves one config document at {@code /mesh.yaml} on
 * 127.0.0.1 with an ETag (answering 304 to a matching {@code If-None-Match}), checks a bearer token, and can be
 * switched to hostile answers. Counts what it saw.
 */
final class ConfigServer implements AutoCloseable {
    /** How the server answers. */
    enum Mode { DOCUMENT, GARBAGE, HUGE, SLOW, HTML }

    static final int HUGE_BYTES = 50 * 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "config-server");
        t.setDaemon(true);
        return t;
    });
    private volatile String document = "";
    private volatile String etag = "\"0\"";
    private volatile String token;
    private volatile Mode mode = Mode.DOCUMENT;
    private volatile String lastAuthorization;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger conditionalRequests = new AtomicInteger();
    final AtomicInteger notModified = new AtomicInteger();
    final AtomicInteger unauthorized = new AtomicInteger();
    final AtomicInteger hostile = new AtomicInteger();

    private ConfigServer(HttpServer server) {
        this.server = server;
        server.createContext("/mesh.yaml", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Plain HTTP on {@code port} (0: any free port). */
    static ConfigServer http(int port) {
        try {
            return new ConfigServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** HTTPS with the given server context. */
    static ConfigServer https(SSLContext context) {
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(context));
            return new ConfigServer(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String scheme) {
        return scheme + "://127.0.0.1:" + port() + "/mesh.yaml";
    }

    /** Serves {@code yaml} from now on, with a new ETag. */
    void serve(String yaml, String newEtag) {
        document = yaml;
        etag = "\"" + newEtag + "\"";
        mode = Mode.DOCUMENT;
    }

    void mode(Mode value) {
        mode = value;
    }

    /** Requires {@code Authorization: Bearer value} (null: no token required). */
    void requireToken(String value) {
        token = value;
    }

    String lastAuthorization() {
        return lastAuthorization;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            lastAuthorization = authorization;
            String required = token;
            if (required != null && !("Bearer " + required).equals(authorization)) {
                unauthorized.incrementAndGet();
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            Mode current = mode;
            if (current != Mode.DOCUMENT) {
                hostile.incrementAndGet();
                answerHostile(exchange, current); // ignores If-None-Match: every poll gets the bad answer again
                return;
            }
            String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
            if (ifNoneMatch != null) {
                conditionalRequests.incrementAndGet();
            }
            String currentEtag = etag;
            exchange.getResponseHeaders().set("ETag", currentEtag);
            if (currentEtag.equals(ifNoneMatch)) {
                notModified.incrementAndGet();
                exchange.sendResponseHeaders(304, -1);
                return;
            }
            byte[] body = document.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/yaml");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (IOException e) {
            // the client gave up (as it should with the hostile answers)
        }
    }

    private static void answerHostile(HttpExchange exchange, Mode mode) throws IOException {
        OutputStream out = exchange.getResponseBody();
        switch (mode) {
            case GARBAGE -> {
                byte[] body = "services: [\"not\", a map}\n\u0000\u0001{{{".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/yaml");
                exchange.sendResponseHeaders(200, body.length);
                out.write(body);
            }
            case HUGE -> { // chunked, so that the client must count what it reads
                exchange.getResponseHeaders().set("Content-Type", "application/yaml");
                exchange.sendResponseHeaders(200, 0);
                byte[] line = "# padding padding padding padding padding padding padding padding padding\n"
                        .getBytes(StandardCharsets.UTF_8);
                for (long sent = 0; sent < HUGE_BYTES; sent += line.length) {
                    out.write(line);
                }
            }
            case SLOW -> { // headers at once, then one byte a second: only a deadline on the whole answer helps
                exchange.getResponseHeaders().set("Content-Type", "application/yaml");
                exchange.sendResponseHeaders(200, 0);
                for (int i = 0; i < 120; i++) {
                    out.write('#');
                    out.flush();
                    sleep(1000);
                }
            }
            case HTML -> {
                byte[] body = "<html><body>Please log in</body></html>".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                out.write(body);
            }
            default -> throw new IllegalStateException(mode.toString());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
