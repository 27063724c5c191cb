package dev.jmesh.demo.upstream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP upstream on 127.0.0.1 that misbehaves on purpose, so the mesh's retries, timeouts and
 * load balancing have something to deal with.
 *
 * <p>Faults hit {@code /items/{id}} and {@code /orders} only; {@code /slow} and {@code /stats}
 * always answer, so tests can rely on them.
 */
public final class FlakyUpstream {

    private static final String ITEMS_PREFIX = "/items/";

    /** What one request gets; decided by one random draw per request. */
    private enum Fault { NONE, FAIL_503, RESET, DELAY }

    /**
     * Thrown out of the handler to drop the connection. JDK HttpServer catches any exception from
     * a handler and, when no response has been started, closes the socket without writing a byte
     * (it does not turn it into a 500), so the client sees the connection end with no response.
     */
    private static final class DropConnection extends IOException {
        DropConnection() {
            super("injected connection reset");
        }
    }

    private final UpstreamOptions options;
    private final Random random;

    // Counters served by GET /stats; POST /stats/reset zeroes them all.
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong served503 = new AtomicLong();
    private final AtomicLong resets = new AtomicLong();
    private final AtomicLong delays = new AtomicLong();
    private final AtomicLong postsReceived = new AtomicLong();
    /** POST bodies received that equal one received before: a client that sent a request twice. */
    private final AtomicLong postsDuplicated = new AtomicLong();
    private final BodyDigests postBodies = new BodyDigests(BodyDigests.DEFAULT_CAPACITY);
    /** Requests to /items so far, for --fail-first; zeroed with the stats so a reset re-arms it. */
    private final AtomicLong itemsRequests = new AtomicLong();
    /** POST /orders bodies read in full (whatever the answer), and their bytes. */
    private final AtomicLong bodies = new AtomicLong();
    private final AtomicLong bodyBytes = new AtomicLong();
    /** POST /orders so far, for --fail-post-every; zeroed with the stats. */
    private final AtomicLong postRequests = new AtomicLong();

    private FlakyUpstream(UpstreamOptions options) {
        this.options = options;
        this.random = new Random(options.seed);
    }

    public static void main(String[] args) throws IOException {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's
        // delayed ACK, and every response waits ~40 ms: latency the upstream would add, not the client.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        if (Arrays.asList(args).contains("--help")) {
            System.out.println(UpstreamOptions.USAGE);
            return;
        }
        UpstreamOptions options;
        try {
            options = UpstreamOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("flaky-upstream: " + e.getMessage());
            System.err.println(UpstreamOptions.USAGE);
            System.exit(2);
            return;
        }
        int port = new FlakyUpstream(options).start();
        // stdout carries only this line: a harness reads the port from it. Details go to stderr.
        System.out.println("LISTENING " + port);
        System.out.flush();
        System.err.printf("flaky-upstream: name=%s fail-503=%s reset=%s delay=%s delay-ms=%d fail-first=%d"
                        + " fail-post-every=%d retry-after=%d seed=%d%n",
                options.name, options.fail503, options.reset, options.delay, options.delayMs,
                options.failFirst, options.failPostEvery, options.retryAfter, options.seed);
    }

    /** Starts serving and returns the bound port. */
    private int start() throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), options.port);
        HttpServer server = HttpServer.create(address, 128);
        server.createContext("/", this::handle);
        // A pool, so a delayed or slow request does not hold up the others.
        server.setExecutor(newPool(32));
        server.start();
        return server.getAddress().getPort();
    }

    private static ExecutorService newPool(int threads) {
        AtomicInteger count = new AtomicInteger();
        return Executors.newFixedThreadPool(threads,
                task -> new Thread(task, "flaky-upstream-" + count.incrementAndGet()));
    }

    private void handle(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("X-Upstream-Name", options.name);
        // A DropConnection thrown by route() must leave here unhandled: see its comment.
        route(exchange);
        exchange.close();
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();

        if (path.equals("/stats")) {
            if (method.equals("GET")) {
                sendJson(exchange, 200, statsJson());
            } else {
                sendText(exchange, 404, "not found");
            }
            return;
        }
        if (path.equals("/stats/reset") && method.equals("POST")) {
            resetStats();
            exchange.sendResponseHeaders(204, -1);
            return;
        }

        // Everything but the /stats endpoints is upstream traffic.
        requests.incrementAndGet();
        logTrace(method, path, exchange.getRequestHeaders().getFirst("traceparent"));
        if (path.startsWith(ITEMS_PREFIX) && method.equals("GET")) {
            String id = path.substring(ITEMS_PREFIX.length());
            if (id.isEmpty() || id.contains("/")) {
                sendText(exchange, 404, "not found");
            } else {
                getItem(exchange, id);
            }
        } else if (path.equals("/orders") && method.equals("POST")) {
            postOrder(exchange);
        } else if (path.equals("/slow") && method.equals("GET")) {
            slow(exchange);
        } else {
            sendText(exchange, 404, "not found");
        }
    }

    private void getItem(HttpExchange exchange, String id) throws IOException {
        if (injectFault(exchange, decideFault(true))) {
            return;
        }
        sendJson(exchange, 200, "{\"id\":" + jsonString(id) + ",\"name\":" + jsonString("item-" + id)
                + ",\"upstream\":" + jsonString(options.name) + "}");
    }

    private void postOrder(HttpExchange exchange) throws IOException {
        // The fault comes first: a dropped POST must not count as received.
        if (injectFault(exchange, decideFault(false))) {
            return;
        }
        byte[] body = exchange.getRequestBody().readAllBytes();
        bodies.incrementAndGet();
        bodyBytes.addAndGet(body.length);
        long post = postRequests.incrementAndGet();
        if (options.failPostEvery > 0 && (post - 1) % options.failPostEvery == 0) {
            fail503(exchange);
            return;
        }
        postsReceived.incrementAndGet();
        if (!postBodies.add(body)) {
            postsDuplicated.incrementAndGet();
        }
        sendJson(exchange, 201, "{\"received\":" + body.length + ",\"upstream\":" + jsonString(options.name) + "}");
    }

    private void slow(HttpExchange exchange) throws IOException {
        long ms = queryNumber(exchange.getRequestURI().getRawQuery(), "ms");
        if (ms < 0) {
            sendText(exchange, 400, "ms must be a non-negative whole number");
            return;
        }
        sleep(ms);
        sendJson(exchange, 200, "{\"slept\":" + ms + "}");
    }

    private Fault decideFault(boolean items) {
        if (items && itemsRequests.incrementAndGet() <= options.failFirst) {
            return Fault.FAIL_503;
        }
        double draw = random.nextDouble();
        if (draw < options.fail503) {
            return Fault.FAIL_503;
        }
        draw -= options.fail503;
        if (draw < options.reset) {
            return Fault.RESET;
        }
        draw -= options.reset;
        return draw < options.delay ? Fault.DELAY : Fault.NONE;
    }

    /** Applies the fault; returns true when the request has been dealt with and must not be served. */
    private boolean injectFault(HttpExchange exchange, Fault fault) throws IOException {
        switch (fault) {
            case FAIL_503:
                fail503(exchange);
                return true;
            case RESET:
                resets.incrementAndGet();
                throw new DropConnection();
            case DELAY:
                delays.incrementAndGet();
                sleep(options.delayMs);
                return false;
            default:
                return false;
        }
    }

    private void fail503(HttpExchange exchange) throws IOException {
        served503.incrementAndGet();
        if (options.retryAfter >= 0) {
            exchange.getResponseHeaders().set("Retry-After", Long.toString(options.retryAfter));
        }
        sendText(exchange, 503, "upstream overloaded");
    }

    /** One line per request for --trace-log: what a test needs to follow a trace across processes. */
    private synchronized void logTrace(String method, String path, String traceparent) throws IOException {
        if (options.traceLog != null) {
            String line = method + " " + path + " " + (traceparent == null ? "-" : traceparent) + "\n";
            java.nio.file.Files.write(java.nio.file.Paths.get(options.traceLog),
                    line.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
    }

    private void resetStats() {
        postBodies.clear();
        for (AtomicLong counter : new AtomicLong[] {requests, served503, resets, delays, postsReceived, postsDuplicated,
                itemsRequests, bodies, bodyBytes, postRequests}) {
            counter.set(0);
        }
    }

    private String statsJson() {
        return "{\"requests\":" + requests.get()
                + ",\"served503\":" + served503.get()
                + ",\"resets\":" + resets.get()
                + ",\"delays\":" + delays.get()
                + ",\"postsReceived\":" + postsReceived.get()
                + ",\"postsDuplicated\":" + postsDuplicated.get()
                + ",\"bodies\":" + bodies.get()
                + ",\"bodyBytes\":" + bodyBytes.get()
                + ",\"upstream\":" + jsonString(options.name) + "}";
    }

    private static void sendJson(HttpExchange exchange, int status, String json) throws IOException {
        send(exchange, status, "application/json", json);
    }

    private static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", text);
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Value of a whole-number query parameter, or -1 when missing or malformed. */
    private static long queryNumber(String rawQuery, String name) {
        if (rawQuery == null) {
            return -1;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith(name + "=")) {
                try {
                    return Long.parseLong(pair.substring(name.length() + 1));
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A JSON string literal; ids come from the request path, so they are escaped. */
    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }
}
