package dev.jmesh.smoke;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #11, secrets: apps that hand the agent secrets, and a grep of everything the agent writes or serves.
 *
 * <p>The legacy shop sends an {@code Authorization} header, a cookie, a token in the query string and a password
 * in the URL's user info, through routes that match on those very headers and parameters, against an upstream
 * that fails and resets (so error paths run too); its config comes from an HTTP control plane that first refuses
 * the agent's bearer token (so that error path runs) and then accepts it. The JDBC demo connects with a password
 * and writes literal values. None of the secrets may appear in any output of the agent: the access log, its own
 * lines on stderr, {@code /metrics}, {@code /config} and {@code /clusters} on the admin port, StatsD packets,
 * every OTLP request (metrics and traces), and the control plane's last-good cache file.
 */
class SecretsSmokeTest {
    private static final String BEARER = "B34rer-t0ken";
    private static final String COOKIE = "c00kie-v4lue";
    private static final String QUERY_TOKEN = "qu3ry-t0ken";
    private static final String URL_PASSWORD = "pa55w0rd";
    private static final String CONTROL_PLANE_TOKEN = "c0ntr0l-t0ken";
    private static final String JDBC_PASSWORD = "h2-s3cret-pw";
    /** A value the JDBC demo writes in its statements' literals: data, never to be logged. */
    private static final String JDBC_LITERAL = "alice";
    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void noSecretOfAnHttpAppOrTheControlPlaneReachesAnyOutputOfTheAgent() throws Exception {
        Upstream upstream = Upstream.start(processes, "faulty", "--fail-503", "0.3", "--reset", "0.2", "--seed", "5");
        try (Receivers receivers = Receivers.start(); ConfigServer controlPlane = ConfigServer.http(0)) {
            Path accessLog = dir.resolve("access.log");
            int admin = freePort();
            controlPlane.serve("""
                    service: shop
                    services:
                      inventory:
                        endpoints: %s
                        retry: { maxAttempts: 2, perTryTimeout: 1s }
                      inventory-v2: { endpoints: %s }
                    routes:
                      - name: authorised
                        match: { host: inventory, headers: { authorization: { present: true } },
                                 cookies: { session: { prefix: "c00kie" } }, queryParameters: { token: { present: true } } }
                        to: [ { service: inventory-v2 } ]
                    """.formatted(MeshYaml.endpoints(upstream), MeshYaml.endpoints(upstream))
                    + MeshYaml.accessLog(accessLog) + receivers.telemetry(admin), "v1");
            controlPlane.requireToken("an0ther-t0ken");
            Path tokenFile = MeshYaml.write(dir, "token", CONTROL_PLANE_TOKEN + "\n");
            Path cache = dir.resolve("last-good.yaml");
            Path bootstrap = MeshYaml.write(dir, "bootstrap.yaml", "service: shop\ncontrolPlane:\n  http:\n    url: "
                    + MeshYaml.quoted(controlPlane.url("http")) + "\n    interval: 1s\n    tokenFile: "
                    + MeshYaml.quoted(tokenFile.toString()) + "\n  cacheFile: " + MeshYaml.quoted(cache.toString()) + "\n");

            JavaProcess shop = processes.javaJar("shop+agent", exportOften(bootstrap), SmokeEnv.shopJar(), List.of(
                    "--base", "http://app:" + URL_PASSWORD + "@inventory", "--calls", "100000", "--interval-ms", "20",
                    "--post-every", "5", "--query", "token=" + QUERY_TOKEN, "--header", "Authorization: Bearer " + BEARER,
                    "--header", "Cookie: session=" + COOKIE, "--quiet"), null);
            await(() -> shop.stderrLines().stream().anyMatch(l -> l.startsWith("[jmesh] WARN") && l.contains("token")),
                    "the refused token is reported", shop);
            controlPlane.requireToken(CONTROL_PLANE_TOKEN);
            await(() -> Files.exists(accessLog) && routedCallsWithErrors(accessLog),
                    "calls through the route that reads the secrets, some failing", shop);
            await(receivers::receivedEverySignal, "StatsD packets, OTLP metrics and OTLP traces", shop);

            Map<String, String> outputs = new LinkedHashMap<>();
            outputs.put("access log", Files.readString(accessLog));
            outputs.putAll(adminOutputs(admin));
            outputs.putAll(receivers.outputs());
            outputs.put("control-plane cache " + cache, Files.readString(cache));
            shop.kill();
            outputs.put("stderr", shop.stderr());

            assertNoneLeaked(outputs, BEARER, COOKIE, QUERY_TOKEN, URL_PASSWORD, CONTROL_PLANE_TOKEN);
        }
    }

    @Test
    void noJdbcPasswordOrLiteralReachesAnyOutputOfTheAgent() throws Exception {
        try (Receivers receivers = Receivers.start()) {
            Path accessLog = dir.resolve("access.log");
            int admin = freePort();
            Path config = MeshYaml.write(dir, "mesh.yaml", """
                    databases:
                      inventory-db:
                        match: "jdbc:h2:mem:*"
                        queryTimeout: 10s
                    """ + MeshYaml.accessLog(accessLog) + receivers.telemetry(admin));

            JavaProcess app = processes.javaJar("jdbc-app+agent", exportOften(config), SmokeEnv.jdbcAppJar(), List.of(
                    "--url", "jdbc:h2:mem:shop;DB_CLOSE_DELAY=-1", "--user", "sa", "--password", JDBC_PASSWORD,
                    "--iterations", "100000", "--interval-ms", "20"), dir);
            await(() -> Files.exists(accessLog) && AccessLogFile.readWhileWritten(accessLog).size() >= 50,
                    "statements in the access log", app);
            await(receivers::receivedEverySignal, "StatsD packets, OTLP metrics and OTLP traces", app);

            Map<String, String> outputs = new LinkedHashMap<>();
            outputs.put("access log", Files.readString(accessLog));
            outputs.putAll(adminOutputs(admin));
            outputs.putAll(receivers.outputs());
            app.kill();
            outputs.put("stderr", app.stderr());

            assertTrue(outputs.get("access log").contains("\"statement\""), "statements were recorded");
            assertNoneLeaked(outputs, JDBC_PASSWORD, JDBC_LITERAL);
        }
    }

    private static boolean routedCallsWithErrors(Path accessLog) {
        List<AccessLogFile.Entry> entries = AccessLogFile.readWhileWritten(accessLog);
        return entries.stream().filter(e -> "authorised".equals(e.text("route"))).count() >= 20
                && entries.stream().anyMatch(e -> e.text("error") != null || !"-".equals(e.flags()));
    }

    private static Map<String, String> adminOutputs(int port) throws Exception {
        Map<String, String> outputs = new LinkedHashMap<>();
        for (String path : List.of("/metrics", "/config", "/clusters", "/healthz")) {
            outputs.put("admin " + path, get("http://127.0.0.1:" + port + path));
        }
        assertTrue(outputs.get("admin /metrics").contains("http_client_request_duration_seconds")
                || outputs.get("admin /metrics").contains("db_client_operation_duration_seconds"), "calls were measured");
        return outputs;
    }

    private static void assertNoneLeaked(Map<String, String> outputs, String... secrets) {
        List<String> leaks = new ArrayList<>();
        for (Map.Entry<String, String> output : outputs.entrySet()) {
            for (String secret : secrets) {
                int at = output.getValue().indexOf(secret);
                if (at >= 0) {
                    String text = output.getValue();
                    leaks.add("'" + secret + "' in " + output.getKey() + ": ..."
                            + text.substring(Math.max(0, at - 120), Math.min(text.length(), at + 60)) + "...");
                }
            }
        }
        assertTrue(leaks.isEmpty(), String.join("\n", leaks));
        assertFalse(outputs.values().stream().allMatch(String::isEmpty), "outputs were read");
    }

    /** Exports metrics and spans every 200 ms instead of every 10 and 2 s, so that the receivers get them soon. */
    private static List<String> exportOften(Path config) {
        List<String> flags = new ArrayList<>(Shop.agent(config));
        flags.add("-Djmesh.agent.metricsExportMillis=200");
        flags.add("-Djmesh.agent.spanExportMillis=200");
        return flags;
    }

    private static void await(BooleanSupplier condition, String what, JavaProcess app) throws InterruptedException {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline || !app.isAlive()) {
                throw new AssertionError("never saw: " + what + "\n" + app.describe());
            }
            Thread.sleep(200);
        }
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A StatsD socket and an OTLP/HTTP receiver on loopback that keep every packet and request body. */
    private static final class Receivers implements AutoCloseable {
        private final DatagramSocket statsd;
        private final HttpServer otlp;
        private final List<String> packets = new CopyOnWriteArrayList<>();
        private final List<String> otlpBodies = new CopyOnWriteArrayList<>();
        private final Thread statsdReader;

        private Receivers(DatagramSocket statsd, HttpServer otlp) {
            this.statsd = statsd;
            this.otlp = otlp;
            this.statsdReader = new Thread(this::readStatsd, "statsd-receiver");
            this.statsdReader.setDaemon(true);
        }

        static Receivers start() throws IOException {
            DatagramSocket statsd = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            statsd.setSoTimeout(200);
            HttpServer otlp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            Receivers receivers = new Receivers(statsd, otlp);
            otlp.createContext("/", exchange -> {
                // protobuf carries strings as UTF-8 bytes: ISO-8859-1 keeps every byte for the grep
                receivers.otlpBodies.add(exchange.getRequestURI().getPath() + " "
                        + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.ISO_8859_1));
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            otlp.start();
            receivers.statsdReader.start();
            return receivers;
        }

        /** The telemetry section that sends everything here, and serves the admin endpoint on {@code adminPort}. */
        String telemetry(int adminPort) {
            String endpoint = MeshYaml.quoted("http://127.0.0.1:" + otlp.getAddress().getPort());
            return "  admin: { port: " + adminPort + " }\n"
                    + "  metrics: { statsd: { host: 127.0.0.1, port: " + statsd.getLocalPort() + " }, otlp: { endpoint: "
                    + endpoint + " } }\n"
                    + "  tracing: { otlp: { endpoint: " + endpoint + " } }\n";
        }

        boolean receivedEverySignal() {
            return !packets.isEmpty() && otlpBodies.stream().anyMatch(b -> b.startsWith("/v1/metrics "))
                    && otlpBodies.stream().anyMatch(b -> b.startsWith("/v1/traces "));
        }

        Map<String, String> outputs() {
            Map<String, String> outputs = new LinkedHashMap<>();
            outputs.put("StatsD packets", String.join("\n", packets));
            outputs.put("OTLP requests", String.join("\n", otlpBodies));
            return outputs;
        }

        private void readStatsd() {
            byte[] buffer = new byte[65_536];
            while (!statsd.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    statsd.receive(packet);
                    packets.add(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
                } catch (SocketTimeoutException e) {
                    // look again, until closed
                } catch (IOException e) {
                    return;
                }
            }
        }

        @Override
        public void close() {
            statsd.close();
            otlp.stop(0);
        }
    }
}
