package dev.jmesh.demo.inventory;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executors;

/**
 * A small inventory service on the JDK's HttpServer, written without any knowledge of the mesh:
 * {@code GET /items/{id}} answers a JSON item; with {@code --pricing URL} it first asks
 * {@code URL/prices/{id}} with HttpURLConnection, as a service in a call chain would.
 *
 * <p>{@code --trace-log FILE} appends, per request handled, the request line and the trace headers it
 * carried, so a test can see which propagation format reached it.
 */
public final class InventoryService {
    private static final String[] TRACE_HEADERS = {"traceparent", "tracestate", "baggage", "b3", "X-B3-TraceId",
        "X-B3-SpanId", "X-B3-ParentSpanId", "X-B3-Sampled", "X-Amzn-Trace-Id"};

    private static String pricing;
    private static Writer traceLog;

    private InventoryService() {
    }

    public static void main(String[] args) throws IOException {
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port": port = Integer.parseInt(args[++i]); break;
                case "--pricing": pricing = args[++i]; break;
                case "--trace-log":
                    traceLog = Files.newBufferedWriter(Paths.get(args[++i]), StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    break;
                default:
                    System.err.println("usage: java -jar inventory-service.jar [--port N] [--pricing URL] [--trace-log FILE]");
                    System.exit(2);
            }
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
        HttpContext context = server.createContext("/", InventoryService::handle);
        context.getFilters().add(new ServedBy());
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        System.out.println("LISTENING " + server.getAddress().getPort());
        System.out.flush();
    }

    /** A filter, as real services have them: the request runs through a chain before the handler. */
    private static final class ServedBy extends Filter {
        @Override
        public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
            exchange.getResponseHeaders().set("X-Served-By", "inventory");
            chain.doFilter(exchange);
        }

        @Override
        public String description() {
            return "adds X-Served-By";
        }
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try {
            logTraceHeaders(exchange);
            String path = exchange.getRequestURI().getPath();
            if (!path.startsWith("/items/")) {
                send(exchange, 404, "{\"error\":\"not found\"}");
                return;
            }
            String id = path.substring("/items/".length());
            String price = pricing == null ? "null" : price(id);
            send(exchange, 200, "{\"id\":\"" + id + "\",\"name\":\"item " + id + "\",\"price\":" + price + "}");
        } finally {
            exchange.close();
        }
    }

    private static String price(String id) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL(pricing + "/prices/" + id).openConnection();
        int status = connection.getResponseCode();
        InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        if (in != null) {
            in.close();
        }
        return status == 200 ? "9.99" : "null";
    }

    private static synchronized void logTraceHeaders(HttpExchange exchange) throws IOException {
        if (traceLog == null) {
            return;
        }
        StringBuilder line = new StringBuilder(exchange.getRequestMethod()).append(' ')
                .append(exchange.getRequestURI().getPath());
        for (String name : TRACE_HEADERS) {
            String value = exchange.getRequestHeaders().getFirst(name);
            if (value != null) {
                line.append(' ').append(name).append('=').append(value);
            }
        }
        new PrintWriter(traceLog).println(line);
        traceLog.flush();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
