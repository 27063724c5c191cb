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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Metrics and the admin endpoint in real JVMs: the legacy shop calls a service with one healthy and one
 * failing endpoint, so that calls need retries and outlier detection ejects the failing endpoint; the test then
 * scrapes {@code /metrics} (parsed by the Prometheus project's own parser), reads {@code /healthz},
 * {@code /config} and {@code /clusters}, receives StatsD packets on a UDP socket, and receives OTLP on a local
 * HTTP receiver.
 */
class MetricsSmokeTest {
    private static final int CALLS = 30;
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final Pattern SUMMARY = Pattern.compile("SUMMARY ok=(\\d+) failed=(\\d+)");

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    /** A healthy endpoint and one that always answers 503: calls to the latter are retried on the former. */
    private String inventory(Upstream healthy, Upstream failing) {
        return """
                service: legacy-shop
                services:
                  inventory:
                    endpoints: %s
                    loadBalancer: round_robin
                    timeout: 5s
                    retry: { maxAttempts: 3, backoff: { base: 5ms, max: 20ms }, retryOn: [5xx] }
                    outlierDetection: { consecutive5xx: 3, baseEjectionTime: 10m, maxEjectionTime: 10m, maxEjectionPercent: 50%% }
                    circuitBreaker: { failureRateThreshold: 90%%, minimumCalls: 1000 }
                databases:
                  orders-db: { match: "jdbc:postgresql://orders-db:5432/orders?user=shop&password=s3cret-pw" }
                """.formatted(MeshYaml.endpoints(healthy, failing));
    }

    @Test
    void prometheusScrapeAndAdminEndpointsShowTheCallsRetriesAndTheEjection() throws Exception {
        Upstream healthy = Upstream.start(processes, "healthy");
        Upstream failing = Upstream.start(processes, "failing", "--fail-503", "1");
        int port = freePort();
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", inventory(healthy, failing) + MeshYaml.accessLog(accessLog)
                + "  metrics: { prometheus: { host: 127.0.0.1, port: " + port + " } }\n");

        JavaProcess shop = processes.javaJar("shop+agent", Shop.agent(config), SmokeEnv.shopJar(),
                List.of("--calls", String.valueOf(CALLS), "--client", "all", "--linger-ms", "120000"), null);
        Matcher summary = shop.awaitStdoutLine(SUMMARY, Shop.TIMEOUT);
        assertEquals(String.valueOf(CALLS), summary.group(1), shop.describe());
        var entries = AccessLogFile.awaitWhileWritten(accessLog, e -> e.size() == CALLS, shop, WITHIN);
        long retriesInLog = entries.stream().mapToLong(e -> e.attempts() - 1).sum();
        assertTrue(retriesInLog > 0, "calls to the failing endpoint must have been retried");

        String base = "http://127.0.0.1:" + port;
        List<Sample> samples = awaitScrape(base + "/metrics", s -> sum(s, "http_client_request_duration_seconds_count",
                "http_response_status_code=200") >= CALLS, shop);

        assertEquals(CALLS, sum(samples, "http_client_request_duration_seconds_count",
                "http_request_method=GET", "http_response_status_code=200", "jmesh_service=inventory",
                "server_address=inventory"), "every call once, with its status code: " + samples);
        assertEquals(CALLS, sum(samples, "http_client_request_duration_seconds_bucket", "le=+Inf"));
        assertEquals("histogram", family(samples, "http_client_request_duration_seconds"));
        assertEquals(retriesInLog, sum(samples, "jmesh_retries_total", "jmesh_service=inventory"),
                "retries counted as the access log shows them (attempts beyond the first)");
        assertEquals("counter", family(samples, "jmesh_retries"));
        assertEquals(1, sum(samples, "jmesh_outlier_detection_ejections_total", "jmesh_service=inventory",
                "jmesh_shadow=false"));
        assertEquals(1, sum(samples, "jmesh_circuit_breaker_state", "jmesh_service=inventory", "jmesh_state=closed"));
        assertEquals(0, sum(samples, "jmesh_telemetry_dropped_total"));

        String healthz = get(base + "/healthz");
        assertTrue(healthz.matches("(?s).*\"status\" : \"ready\".*"), healthz);
        assertTrue(healthz.contains("\"config_source\" : \"" + config + "\""), healthz);
        assertTrue(healthz.contains("\"last_reload\" : null"), healthz);

        String effective = get(base + "/config");
        assertFalse(effective.contains("s3cret-pw"), "the JDBC password must be redacted: " + effective);
        assertTrue(effective.contains("password=<redacted>"), effective);
        assertTrue(effective.contains("\"consecutive5xx\" : 3"), effective);

        String clusters = get(base + "/clusters");
        assertEquals("ejected=true in_rotation=false", endpointState(clusters, failing.address()), clusters);
        assertEquals("ejected=false in_rotation=true", endpointState(clusters, healthy.address()), clusters);
        assertTrue(clusters.contains("\"state\" : \"closed\""), clusters);

        assertEquals(404, status(base + "/nothing-here"));
        assertTrue(shop.isAlive(), "the shop keeps running while it is looked at");
    }

    @Test
    void statsdPacketsCarryTheCallsWithDogStatsdTags() throws Exception {
        Upstream healthy = Upstream.start(processes, "healthy");
        Upstream failing = Upstream.start(processes, "failing", "--fail-503", "1");
        try (DatagramSocket statsd = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Path config = MeshYaml.write(dir, "mesh.yaml", inventory(healthy, failing) + "telemetry:\n"
                    + "  metrics: { statsd: { host: 127.0.0.1, port: " + statsd.getLocalPort() + ", dogstatsd: true } }\n");

            Shop.Run run = Shop.run(processes, exportEvery200ms(config), "--calls", String.valueOf(CALLS));
            assertEquals(0, run.exitCode(), run.describe());

            // every export sends what changed since the previous one; the last one runs as the JVM exits
            List<String> lines = receive(statsd, ls -> sumStatsd(ls, "http.client.request.duration.count:", "|c|#",
                    "http.response.status_code:200") >= CALLS);
            assertEquals(CALLS, sumStatsd(lines, "http.client.request.duration.count:", "|c|#",
                    "http.response.status_code:200", "server.address:inventory", "jmesh.service:inventory"), lines.toString());
            assertTrue(sumStatsd(lines, "jmesh.retries:", "|c|#jmesh.service:inventory") > 0, lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.equals("jmesh.circuit_breaker.state:1|g|#jmesh.breaker:failure_rate,jmesh.service:inventory,jmesh.state:closed")),
                    lines.toString());
            assertTrue(lines.stream().allMatch(l -> l.matches("[a-z_.]+:[-0-9.E]+\\|(c|g)(\\|#.+)?")), lines.toString());
        }
    }

    @Test
    void plainStatsdHasNoTagsAndFoldsAttributeValuesIntoTheName() throws Exception {
        Upstream healthy = Upstream.start(processes, "healthy");
        try (DatagramSocket statsd = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Path config = MeshYaml.write(dir, "mesh.yaml", """
                    services:
                      inventory: { endpoints: %s }
                    telemetry:
                      metrics: { statsd: { host: 127.0.0.1, port: %d } }
                    """.formatted(MeshYaml.endpoints(healthy), statsd.getLocalPort()));

            Shop.Run run = Shop.run(processes, exportEvery200ms(config), "--calls", "10");
            assertEquals(0, run.exitCode(), run.describe());

            String name = "http.client.request.duration.count.GET.200.inventory.inventory:";
            List<String> lines = receive(statsd, ls -> sumStatsd(ls, name, "|c") >= 10);
            assertEquals(10, sumStatsd(lines, name, "|c"), lines.toString());
            assertTrue(lines.stream().noneMatch(l -> l.contains("|#")), lines.toString());
        }
    }

    @Test
    void otlpReceiverGetsProtobufMetricsAndTheExportIsNotACallOfTheApp() throws Exception {
        Upstream healthy = Upstream.start(processes, "healthy");
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        List<String> contentTypes = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/v1/metrics", exchange -> {
            contentTypes.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Content-Type"));
            bodies.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        try {
            Path accessLog = dir.resolve("access.log");
            Path config = MeshYaml.write(dir, "mesh.yaml", """
                    services:
                      inventory: { endpoints: %s }
                    """.formatted(MeshYaml.endpoints(healthy)) + MeshYaml.accessLog(accessLog)
                    + "  metrics: { otlp: { endpoint: \"http://127.0.0.1:" + receiver.getAddress().getPort() + "\" } }\n");

            Shop.Run run = Shop.run(processes, exportEvery200ms(config), "--calls", "10", "--client", "urlconnection");
            assertEquals(0, run.exitCode(), run.describe());

            assertFalse(bodies.isEmpty(), "the last export runs as the JVM exits\n" + run.describe());
            assertTrue(contentTypes.stream().allMatch("POST application/x-protobuf"::equals), contentTypes.toString());
            String last = new String(bodies.get(bodies.size() - 1), StandardCharsets.ISO_8859_1);
            assertTrue(last.contains("http.client.request.duration"), "the metric name is in the protobuf request");
            assertTrue(last.contains("server.address") && last.contains("inventory"), "with its attributes");
            var entries = AccessLogFile.read(accessLog);
            assertEquals(10, entries.size(), "the app's calls only: the agent's own export is not recorded");
            assertTrue(entries.stream().allMatch(e -> "inventory".equals(e.authority())), entries.toString());
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void reloadsAreCountedAndShownOnTheAdminPort() throws Exception {
        Upstream healthy = Upstream.start(processes, "healthy");
        int port = freePort();
        String valid = """
                services:
                  inventory: { endpoints: %s, timeout: 2s }
                telemetry:
                  admin: { port: %d }
                """.formatted(MeshYaml.endpoints(healthy), port);
        Path config = MeshYaml.write(dir, "mesh.yaml", valid);
        JavaProcess shop = processes.javaJar("shop+agent", Shop.agent(config), SmokeEnv.shopJar(),
                List.of("--calls", "3", "--linger-ms", "120000"), null);
        shop.awaitStdoutLine(SUMMARY, Shop.TIMEOUT);
        String base = "http://127.0.0.1:" + port;
        awaitBody(base + "/healthz", b -> b.contains("\"status\" : \"ready\""), shop);

        MeshYaml.write(dir, "mesh.yaml", valid.replace("timeout: 2s", "timeout: 3s"));
        awaitBody(base + "/healthz", b -> b.contains("\"result\" : \"applied\""), shop);
        // /healthz may already say "applied" for a reload the file watcher saw while the file was being rewritten
        awaitBody(base + "/config", b -> b.contains("\"timeout\" : \"3s\""), shop); // the reloaded config is the effective one
        MeshYaml.write(dir, "mesh.yaml", valid.replace("timeout: 2s", "timout: 3s"));
        String healthz = awaitBody(base + "/healthz", b -> b.contains("\"result\" : \"rejected: "), shop);
        assertTrue(healthz.contains("unknown key 'timout'"), healthz);

        List<Sample> samples = parsePrometheus(get(base + "/metrics"));
        assertEquals(1, sum(samples, "jmesh_config_reloads_total", "jmesh_result=applied"), samples.toString());
        assertEquals(1, sum(samples, "jmesh_config_reloads_total", "jmesh_result=rejected"), samples.toString());
        assertEquals(3, sum(samples, "http_client_request_duration_seconds_count", "server_address=inventory"),
                "the admin port alone serves /metrics too");
    }

    @Test
    void anAdminPortInUseIsOneWarningAndTheAppRunsOn() throws Exception {
        Upstream healthy = Upstream.start(processes, "healthy");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = MeshYaml.write(dir, "mesh.yaml", """
                    services:
                      inventory: { endpoints: %s }
                    telemetry:
                      admin: { port: %d }
                    """.formatted(MeshYaml.endpoints(healthy), taken.getLocalPort()));

            Shop.Run run = Shop.run(processes, Shop.agent(config), "--calls", "5");

            assertEquals(0, run.exitCode(), run.describe());
            assertEquals(5, run.ok(), run.describe());
            List<String> warnings = run.jmeshLines().stream().filter(l -> l.startsWith("[jmesh] WARN")).toList();
            assertEquals(1, warnings.size(), run.describe());
            assertTrue(warnings.get(0).startsWith("[jmesh] WARN the admin endpoint cannot listen on 127.0.0.1:"
                    + taken.getLocalPort() + " ("), warnings.get(0));
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static String awaitBody(String url, java.util.function.Predicate<String> ready, JavaProcess app)
            throws Exception {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (true) {
            String body = null;
            try {
                body = get(url);
            } catch (IOException notYetListening) {
                // the admin endpoint starts next to the app; try again
            }
            if (body != null && ready.test(body)) {
                return body;
            }
            if (System.nanoTime() > deadline || !app.isAlive()) {
                throw new AssertionError(url + " never answered as expected; last: " + body + "\n" + app.describe());
            }
            Thread.sleep(100);
        }
    }

    static List<String> exportEvery200ms(Path config) {
        List<String> flags = new ArrayList<>(Shop.agent(config));
        flags.add("-Djmesh.agent.metricsExportMillis=200");
        return flags;
    }

    /** One sample as the Prometheus parser read it. */
    record Sample(String family, String type, String name, String labels, double value) {
        boolean has(String... labelValues) {
            List<String> mine = List.of(labels.split(","));
            for (String l : labelValues) {
                if (!mine.contains(l)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static long sum(List<Sample> samples, String name, String... labels) {
        return Math.round(samples.stream().filter(s -> s.name().equals(name) && s.has(labels))
                .mapToDouble(Sample::value).sum());
    }

    private static String family(List<Sample> samples, String family) {
        return samples.stream().filter(s -> s.family().equals(family)).map(Sample::type).findFirst().orElse(null);
    }

    private static List<Sample> awaitScrape(String url, java.util.function.Predicate<List<Sample>> ready,
                                            JavaProcess app) throws Exception {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (true) {
            List<Sample> samples = List.of();
            try {
                samples = parsePrometheus(get(url));
            } catch (IOException notYetListening) {
                // the admin endpoint starts next to the app; try again
            }
            if (ready.test(samples)) {
                return samples;
            }
            if (System.nanoTime() > deadline || !app.isAlive()) {
                throw new AssertionError("/metrics never showed the calls: " + samples + "\n" + app.describe());
            }
            Thread.sleep(100);
        }
    }

    /** Runs the Prometheus project's Python text parser (python3-prometheus-client; .ci/setup-prometheus-parser). */
    static List<Sample> parsePrometheus(String text) throws Exception {
        Process parser = new ProcessBuilder("/usr/bin/python3", Path.of("src/test/python/parse_prometheus.py").toString())
                .redirectErrorStream(false).start();
        parser.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        parser.getOutputStream().close();
        String out = new String(parser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(parser.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!parser.waitFor(30, TimeUnit.SECONDS) || parser.exitValue() != 0) {
            throw new AssertionError("the Prometheus parser rejected /metrics (is python3-prometheus-client installed?"
                    + " .ci/setup-prometheus-parser):\n" + err + "\n--- text ---\n" + text);
        }
        List<Sample> samples = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isEmpty()) {
                String[] f = line.split("\t", -1);
                samples.add(new Sample(f[0], f[1], f[2], f[3], Double.parseDouble(f[4])));
            }
        }
        return samples;
    }

    /** "ejected=B in_rotation=B" of the endpoint with this address in /clusters. */
    private static String endpointState(String clusters, String address) {
        Matcher m = Pattern.compile("\"address\" : \"" + Pattern.quote(address)
                + "\",[^}]*\"ejected\" : (true|false),[^}]*\"in_rotation\" : (true|false)").matcher(clusters);
        return m.find() ? "ejected=" + m.group(1) + " in_rotation=" + m.group(2) : "no endpoint " + address;
    }

    static List<String> receive(DatagramSocket socket, java.util.function.Predicate<List<String>> enough)
            throws IOException {
        List<String> lines = new ArrayList<>();
        byte[] buffer = new byte[65536];
        socket.setSoTimeout(500);
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (!enough.test(lines) && System.nanoTime() < deadline) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                continue;
            }
            assertTrue(packet.getLength() <= 1432, "a packet fits the usual StatsD MTU: " + packet.getLength());
            lines.addAll(List.of(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8)
                    .split("\n")));
        }
        return lines;
    }

    /** The sum of the values of lines that start with {@code prefix} and contain every one of {@code parts}. */
    static long sumStatsd(List<String> lines, String prefix, String... parts) {
        long total = 0;
        for (String line : lines) {
            if (!line.startsWith(prefix)) {
                continue;
            }
            boolean all = true;
            for (String part : parts) {
                all &= line.contains(part);
            }
            if (all) {
                total += Long.parseLong(line.substring(prefix.length(), line.indexOf('|')));
            }
        }
        return total;
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return response.body();
    }

    private static int status(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
