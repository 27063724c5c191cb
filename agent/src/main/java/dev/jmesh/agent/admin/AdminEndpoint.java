package dev.jmesh.agent.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.jmesh.agent.AgentThreads;
import dev.jmesh.agent.engine.ClusterView;
import dev.jmesh.agent.telemetry.ConfigStatus;
import dev.jmesh.agent.telemetry.MeshMetrics;
import dev.jmesh.agent.telemetry.Telemetry;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.AdminConfig;
import dev.jmesh.config.MeshConfig;
import dev.jmesh.config.PrometheusConfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The admin endpoint: {@code /metrics} (Prometheus text), {@code /healthz}, {@code /config} (effective config,
 * secrets redacted) and {@code /clusters} (endpoints, health, ejections, breaker states), on the JDK's
 * {@code HttpServer} with one {@code jmesh-admin} daemon thread.
 *
 * <p>Where it listens: {@code telemetry.admin} (default host 127.0.0.1); without it, the
 * {@code telemetry.metrics.prometheus} address serves everything. When both are set to different
 * addresses, the Prometheus address serves {@code /metrics} only. A reload that moves an address closes
 * the old server and opens the new one; an address that cannot be bound is reported in one line and the
 * application runs on.
 */
public final class AdminEndpoint {
    private static final JsonFactory JSON = new JsonFactory();

    private final Telemetry telemetry;
    private final Supplier<List<ClusterView>> clusters;
    private volatile MeshConfig config = MeshConfig.empty();
    /** Open servers by "host:port", and whether each serves everything or /metrics only. */
    private final Map<String, Server> servers = new LinkedHashMap<String, Server>();

    public AdminEndpoint(Telemetry telemetry, Supplier<List<ClusterView>> clusters) {
        this.telemetry = telemetry;
        this.clusters = clusters;
    }

    /** Opens, moves or closes servers to match {@code next}; off the hot path (config thread). */
    public synchronized void configure(MeshConfig next) {
        this.config = next;
        Map<String, Boolean> wanted = wanted(next);
        for (String address : new ArrayList<String>(servers.keySet())) {
            Server s = servers.get(address);
            Boolean full = wanted.get(address);
            if (full == null || full != s.full) {
                s.stop();
                servers.remove(address);
            }
        }
        for (Map.Entry<String, Boolean> e : wanted.entrySet()) {
            if (!servers.containsKey(e.getKey())) {
                Server s = Server.start(e.getKey(), e.getValue(), this);
                if (s != null) {
                    servers.put(e.getKey(), s);
                }
            }
        }
    }

    /** The address each server should listen on, and whether it serves every endpoint (else /metrics only). */
    static Map<String, Boolean> wanted(MeshConfig config) {
        Map<String, Boolean> wanted = new LinkedHashMap<String, Boolean>();
        AdminConfig admin = config.telemetry().admin();
        PrometheusConfig prometheus = config.telemetry().metrics().prometheus();
        if (admin != null) {
            wanted.put(address(admin.host(), admin.port()), true);
        }
        if (prometheus != null) {
            String address = address(prometheus.host(), prometheus.port());
            if (!wanted.containsKey(address)) {
                wanted.put(address, admin == null);
            }
        }
        return wanted;
    }

    private static String address(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    // ---- the endpoints -------------------------------------------------------------------------------

    void handle(HttpExchange exchange, boolean full) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                respond(exchange, 405, "text/plain; charset=utf-8", "only GET and HEAD\n");
            } else if ("/metrics".equals(path)) {
                MeshMetrics metrics = telemetry.metrics();
                respond(exchange, 200, MeshMetrics.prometheusContentType(),
                        metrics == null ? "" : metrics.prometheusText());
            } else if (!full) {
                respond(exchange, 404, "text/plain; charset=utf-8", "this address serves /metrics only\n");
            } else if ("/healthz".equals(path)) {
                respond(exchange, 200, "application/json", json(this::healthz));
            } else if ("/config".equals(path)) {
                respond(exchange, 200, "application/json", json(g -> ConfigJson.write(config, g)));
            } else if ("/clusters".equals(path)) {
                respond(exchange, 200, "application/json", json(this::clusters));
            } else {
                respond(exchange, 404, "text/plain; charset=utf-8",
                        "not found; try /metrics, /healthz, /config or /clusters\n");
            }
        } finally {
            exchange.close();
        }
    }

    private void healthz(JsonGenerator g) throws IOException {
        ConfigStatus status = ConfigStatus.INSTANCE;
        g.writeStartObject();
        g.writeStringField("status", status.isReady() ? "ready" : "starting");
        g.writeStringField("config_source", status.source());
        g.writeNumberField("services", config.services().size());
        g.writeFieldName("last_reload");
        if (status.lastReloadResult() == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            g.writeStringField("at", Instant.ofEpochMilli(status.lastReloadEpochMillis()).toString());
            g.writeStringField("result", status.lastReloadResult());
            g.writeEndObject();
        }
        g.writeNumberField("reloads_applied", status.applied());
        g.writeNumberField("reloads_rejected", status.rejected());
        g.writeEndObject();
    }

    private void clusters(JsonGenerator g) throws IOException {
        List<ClusterView> views = new ArrayList<ClusterView>(clusters.get());
        views.sort(Comparator.comparing(v -> v.service));
        g.writeStartObject();
        g.writeArrayFieldStart("clusters");
        for (ClusterView v : views) {
            g.writeStartObject();
            g.writeStringField("service", v.service);
            g.writeFieldName("circuit_breaker");
            if (v.breakerState == null) {
                g.writeNull();
            } else {
                g.writeStartObject();
                g.writeStringField("state", v.breakerState);
                if (v.slowCallBreakerState != null) {
                    g.writeStringField("slow_calls_state", v.slowCallBreakerState);
                }
                g.writeBooleanField("shadow", v.breakerShadow);
                g.writeEndObject();
            }
            g.writeBooleanField("panic", v.panic);
            g.writeNumberField("in_flight", v.inFlight);
            g.writeArrayFieldStart("endpoints");
            for (ClusterView.EndpointView e : v.endpoints) {
                g.writeStartObject();
                g.writeStringField("address", e.address);
                g.writeBooleanField("healthy", e.healthy);
                g.writeBooleanField("ejected", e.ejected);
                g.writeBooleanField("would_be_ejected", e.wouldBeEjected);
                g.writeBooleanField("in_rotation", e.inRotation);
                g.writeNumberField("in_flight", e.inFlight);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private interface JsonBody {
        void write(JsonGenerator g) throws IOException;
    }

    private static String json(JsonBody body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            body.write(g);
        }
        return new String(out.toByteArray(), StandardCharsets.UTF_8) + "\n";
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length == 0 ? -1 : bytes.length);
        if (!head && bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** One listening address. */
    private static final class Server implements HttpHandler {
        final HttpServer http;
        final boolean full;
        final ExecutorService thread;
        private final AdminEndpoint endpoint;

        private Server(HttpServer http, boolean full, ExecutorService thread, AdminEndpoint endpoint) {
            this.http = http;
            this.full = full;
            this.thread = thread;
            this.endpoint = endpoint;
        }

        static Server start(String address, boolean full, AdminEndpoint endpoint) {
            int colon = address.lastIndexOf(':');
            String host = address.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(address.substring(colon + 1));
            try {
                Set<Thread> before = Thread.getAllStackTraces().keySet();
                HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 16);
                ExecutorService thread = Executors.newSingleThreadExecutor(new AgentThreads("admin"));
                Server server = new Server(http, full, thread, endpoint);
                http.createContext("/", server);
                http.setExecutor(thread);
                http.start();
                nameJdkThreads(before);
                return server;
            } catch (IOException | RuntimeException e) {
                AgentLog.warn("the admin endpoint cannot listen on " + address + " (" + e
                        + "); " + (full ? "/metrics, /healthz, /config and /clusters are" : "/metrics is")
                        + " not served, the application runs on");
                return null;
            }
        }

        /**
         * The JDK's server starts its own threads ({@code HTTP-Dispatcher} and a timer), daemons because a daemon
         * starts them; named {@code jmesh-admin-*} here so that a thread dump shows whose they are.
         */
        private static void nameJdkThreads(Set<Thread> before) {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                String name = t.getName();
                if (!before.contains(t) && !name.startsWith("jmesh-") && (name.equals("HTTP-Dispatcher")
                        || name.equals("idle-timeout-task") || name.equals("server-timer"))) {
                    t.setName("jmesh-admin-" + name.toLowerCase(java.util.Locale.ROOT));
                }
            }
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            endpoint.handle(exchange, full);
        }

        void stop() {
            http.stop(0);
            thread.shutdownNow();
        }
    }
}
