package dev.jmesh.smoke;

import com.sun.net.httpserver.HttpServer;
import dev.jmesh.smoke.apps.PollingCallerApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves, in real JVMs, the engine policies that have no other end-to-end test: DNS re-resolution (a changed answer
 * moves the calls without a restart, a name that stops resolving keeps the last endpoints), shadow outlier detection
 * (decides and reports "would eject", keeps balancing over the endpoint) and shadow faults (recorded as {@code ~DI} /
 * {@code ~FI}, neither delayed nor aborted).
 */
class DiscoveryAndShadowSmokeTest {
    private static final String NAME = "catalog.jmesh.test";
    private static final Pattern SUMMARY = Pattern.compile("SUMMARY ok=\\d+ failed=\\d+");
    /** The longest any one step of the DNS test may wait; each takes well under a second when all is well. */
    private static final Duration STEP = Duration.ofSeconds(20);

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    /**
     * The app's JVM resolves names from a hosts file of the test's ({@code -Djdk.net.hosts.file}, read again at every
     * lookup) and caches no answer ({@code networkaddress.cache.ttl} and {@code .negative.ttl} 0), so rewriting the
     * file is a DNS change the agent sees at its next refresh. Two servers share one port on 127.0.0.1 and 127.0.0.2.
     */
    @Test
    void aChangedDnsAnswerMovesTheCallsWithoutARestartAndANameThatStopsResolvingKeepsTheLastEndpoints()
            throws Exception {
        try (NamedServer one = NamedServer.start("127.0.0.1", 0, "one");
             NamedServer two = NamedServer.start("127.0.0.2", one.port(), "two")) {
            int port = one.port();
            Path hosts = dir.resolve("hosts");
            writeHosts(hosts, "127.0.0.1");
            Path security = Files.writeString(dir.resolve("no-dns-cache.security"),
                    "networkaddress.cache.ttl=0\nnetworkaddress.cache.negative.ttl=0\n", StandardCharsets.UTF_8);
            int adminPort = freePort();
            Path config = MeshYaml.write(dir, "mesh.yaml", """
                    services:
                      catalog:
                        dns: { address: "%s:%d", refreshInterval: 200ms }
                    telemetry:
                      admin: { port: %d }
                    """.formatted(NAME, port, adminPort));
            Path stop = dir.resolve("stop");
            List<String> jvm = new ArrayList<>(Shop.agent(config));
            jvm.add("-Djdk.net.hosts.file=" + hosts);
            jvm.add("-Djava.security.properties=" + security);
            JavaProcess app = processes.javaMain("polling-caller", jvm, List.of(testClasses()),
                    PollingCallerApp.class.getName(), List.of("http://catalog/which", "20", "3000", stop.toString()),
                    null);

            // 1. The name resolves to 127.0.0.1. (The app cannot resolve "catalog" itself: the agent routes it.)
            List<String> calls = awaitCalls(app, 5);
            assertEquals(List.of("OK one"), distinct(calls), app.describe());

            // 2. The answer changes to 127.0.0.2: once a call has gone there, every later one does, none failing.
            int changed = calls.size();
            writeHosts(hosts, "127.0.0.2");
            int moved = awaitCall(app, changed, "OK two");
            calls = awaitCalls(app, moved + 10);
            assertEquals(List.of("OK one"), distinct(calls.subList(changed, moved)), app.describe());
            assertEquals(List.of("OK two"), distinct(calls.subList(moved, calls.size())), app.describe());
            assertTrue(agentSaid(app, "DNS name " + NAME + " now resolves to [127.0.0.2:" + port + "] (was [127.0.0.1:"
                    + port + "])"), app.describe());

            // 3. The name stops resolving: the agent says so and keeps the endpoint it had.
            int lost = calls.size();
            writeHosts(hosts);
            awaitAgentLine(app, "DNS name " + NAME + " could not be resolved");
            calls = awaitCalls(app, app.stdoutLines().size() + 10);
            assertEquals(List.of("OK two"), distinct(calls.subList(lost, calls.size())),
                    "no call failed and none went elsewhere while the name did not resolve\n" + app.describe());
            assertEquals(List.of("127.0.0.2:" + port), endpointsInClusterView(adminPort), app.describe());

            // 4. It resolves again, to both addresses: the calls are shared between them.
            writeHosts(hosts, "127.0.0.1", "127.0.0.2");
            awaitAgentLine(app, "DNS name " + NAME + " now resolves to [127.0.0.1:" + port + ", 127.0.0.2:" + port
                    + "] (was [127.0.0.2:" + port + "])");
            int both = app.stdoutLines().size() + 1; // a call under way when the line was read may predate the change
            calls = awaitCalls(app, both + 10);
            List<String> shared = calls.subList(both, both + 10);
            assertEquals(5, shared.stream().filter("OK one"::equals).count(), "round robin over both: " + shared);
            assertEquals(5, shared.stream().filter("OK two"::equals).count(), "round robin over both: " + shared);
            assertTrue(agentSaid(app, "DNS name " + NAME + " resolves again"), app.describe());

            Files.createFile(stop);
            assertEquals(0, app.awaitExit(STEP), app.describe());
            assertEquals("DONE", app.stdoutLines().get(app.stdoutLines().size() - 1), app.describe());
        }
    }

    @Test
    void shadowOutlierDetectionSaysWhatItWouldEjectAndKeepsBalancingOverTheEndpoint() throws Exception {
        Upstream healthy = Upstream.start(processes, "healthy");
        Upstream failing = Upstream.start(processes, "failing", "--fail-503", "1.0");
        int calls = 20;
        try (DatagramSocket statsd = statsd()) {
            Path config = MeshYaml.write(dir, "mesh.yaml", """
                    services:
                      inventory:
                        endpoints: %s
                        outlierDetection: { consecutive5xx: 3, baseEjectionTime: 60s, mode: shadow }
                    """.formatted(MeshYaml.endpoints(healthy, failing)) + statsdMetrics(statsd));

            Shop.Run run = shopThatStaysUp(config, "--base", "http://inventory", "--calls", String.valueOf(calls),
                    "--client", "urlconnection");

            // Enforced, the failing endpoint would get 3 calls and no more for a minute; in shadow it keeps its half.
            assertEquals(List.of((long) calls / 2, (long) calls / 2),
                    List.of(healthy.stats().requests(), failing.stats().requests()), run.describe());
            assertEquals(calls / 2, run.failed(), "the app sees every 503 of the failing endpoint\n" + run.describe());
            List<String> wouldEject = run.jmeshLines().stream().filter(l -> l.contains("would eject")).toList();
            assertEquals(1, wouldEject.size(), run.describe());
            assertTrue(wouldEject.get(0).contains("service 'inventory': outlier detection (shadow) would eject endpoint "
                    + failing.address() + " after 3 consecutive 5xx"), wouldEject.get(0));
            assertTrue(run.jmeshLines().stream().noneMatch(l -> l.contains("outlier detection ejected")), run.describe());

            List<String> lines = MetricsSmokeTest.receive(statsd, ls -> MetricsSmokeTest.sumStatsd(ls,
                    "jmesh.outlier_detection.ejections:", "jmesh.shadow:true") >= 1);
            assertEquals(1, MetricsSmokeTest.sumStatsd(lines, "jmesh.outlier_detection.ejections:", "|c|#",
                    "jmesh.service:inventory", "jmesh.shadow:true"), lines.toString());
            assertEquals(0, MetricsSmokeTest.sumStatsd(lines, "jmesh.outlier_detection.ejections:",
                    "jmesh.shadow:false"), lines.toString());
        }
    }

    @Test
    void aShadowFaultIsRecordedButTheCallIsNeitherDelayedNorAborted() throws Exception {
        Upstream upstream = Upstream.start(processes, "plain");
        Path accessLog = dir.resolve("access.log");
        int calls = 5;
        try (DatagramSocket statsd = statsd()) {
            // An injected 10-minute delay would hold the shop far beyond the harness's wait for it; an abort fails it.
            Path config = MeshYaml.write(dir, "mesh.yaml", """
                    services:
                      inventory: { endpoints: %s }
                    routes:
                      - name: chaos
                        match: { host: inventory }
                        fault: { delay: { percent: 100, duration: 10m }, abort: { percent: 100, status: 503 }, mode: shadow }
                    """.formatted(MeshYaml.endpoints(upstream)) + MeshYaml.accessLog(accessLog)
                    + statsdMetricsLine(statsd));

            Shop.Run run = shopThatStaysUp(config, "--base", "http://inventory", "--calls", String.valueOf(calls),
                    "--client", "urlconnection");

            assertEquals(calls, run.ok(), run.describe());
            assertEquals(calls, upstream.stats().requests(), "every call reached the upstream\n" + run.describe());
            List<AccessLogFile.Entry> entries = AccessLogFile.awaitWhileWritten(accessLog, e -> e.size() >= calls,
                    run.process(), STEP);
            assertEquals(calls, entries.size());
            for (AccessLogFile.Entry e : entries) {
                assertEquals(List.of("~DI", "~FI"), e.flags(), e.line());
                assertEquals(200L, e.status(), e.line());
                assertEquals(1L, e.attempts(), e.line());
            }

            List<String> lines = MetricsSmokeTest.receive(statsd, ls -> MetricsSmokeTest.sumStatsd(ls,
                    "jmesh.shadow.decisions:", "jmesh.decision:FI") >= calls
                    && MetricsSmokeTest.sumStatsd(ls, "jmesh.shadow.decisions:", "jmesh.decision:DI") >= calls);
            for (String decision : List.of("DI", "FI")) {
                assertEquals(calls, MetricsSmokeTest.sumStatsd(lines, "jmesh.shadow.decisions:", "|c|#",
                        "jmesh.decision:" + decision, "jmesh.service:inventory"), lines.toString());
            }
            assertEquals(0, MetricsSmokeTest.sumStatsd(lines, "jmesh.fault_injected:"), "nothing was injected: " + lines);
        }
    }

    /**
     * Runs the shop with metrics exported every 200 ms until its summary, and leaves it up (it is killed after the
     * test): a shop that exits at once may do so before a busy machine has even built its metrics.
     */
    private Shop.Run shopThatStaysUp(Path config, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--linger-ms", "60000"));
        JavaProcess shop = processes.javaJar("shop+agent", MetricsSmokeTest.exportEvery200ms(config),
                SmokeEnv.shopJar(), all, null);
        shop.awaitStdoutLine(SUMMARY, Shop.TIMEOUT);
        return new Shop.Run(shop, -1); // -1: still running
    }

    private static DatagramSocket statsd() throws IOException {
        return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /** A {@code telemetry:} section with DogStatsD metrics sent to {@code statsd}. */
    private static String statsdMetrics(DatagramSocket statsd) {
        return "telemetry:\n" + statsdMetricsLine(statsd);
    }

    /** The {@code metrics:} line of a {@code telemetry:} section, for DogStatsD metrics sent to {@code statsd}. */
    private static String statsdMetricsLine(DatagramSocket statsd) {
        return "  metrics: { statsd: { host: 127.0.0.1, port: " + statsd.getLocalPort() + ", dogstatsd: true } }\n";
    }

    /** An HTTP server on one loopback address that answers every request 200 with its name. */
    private record NamedServer(HttpServer server) implements AutoCloseable {
        static NamedServer start(String address, int port, String name) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), port), 0);
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            server.createContext("/", exchange -> {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return new NamedServer(server);
        }

        int port() {
            return server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** The addresses of the endpoints the admin endpoint's {@code /clusters} shows (the test has one cluster). */
    private static List<String> endpointsInClusterView(int adminPort) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + adminPort + "/clusters")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return Pattern.compile("\"address\" : \"([^\"]+)\"").matcher(response.body()).results()
                .map(m -> m.group(1)).toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Replaces the hosts file in one step (a reader sees the old or the new content, never a part). */
    private void writeHosts(Path hosts, String... addressesOfName) throws IOException {
        StringBuilder text = new StringBuilder("127.0.0.1 localhost\n");
        for (String address : addressesOfName) {
            text.append(address).append(' ').append(NAME).append('\n');
        }
        Path next = Files.writeString(dir.resolve("hosts.next"), text, StandardCharsets.UTF_8);
        Files.move(next, hosts, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The outcome of each call so far ({@code OK one}, {@code FAIL ...}), once there are at least {@code count}. */
    private static List<String> awaitCalls(JavaProcess app, int count) {
        return await(app, c -> c.size() >= count, "at least " + count + " calls");
    }

    /** The index of the first call from {@code from} on whose outcome is {@code outcome}. */
    private static int awaitCall(JavaProcess app, int from, String outcome) {
        List<String> calls = await(app, c -> c.subList(Math.min(from, c.size()), c.size()).contains(outcome),
                "a call answered " + outcome);
        return calls.subList(from, calls.size()).indexOf(outcome) + from;
    }

    private static List<String> await(JavaProcess app, Predicate<List<String>> condition, String what) {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (true) {
            List<String> calls = app.stdoutLines().stream().filter(l -> !l.equals("DONE"))
                    .map(l -> l.substring(l.indexOf(' ') + 1)).toList();
            if (condition.test(calls)) {
                return calls;
            }
            if (!app.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("waited in vain for " + what + "\n" + app.describe());
            }
            sleep();
        }
    }

    private static void awaitAgentLine(JavaProcess app, String part) {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (!agentSaid(app, part)) {
            if (!app.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the agent never said \"" + part + "\"\n" + app.describe());
            }
            sleep();
        }
    }

    private static boolean agentSaid(JavaProcess app, String part) {
        return app.stderrLines().stream().anyMatch(l -> l.startsWith("[jmesh]") && l.contains(part));
    }

    private static List<String> distinct(List<String> calls) {
        return calls.stream().distinct().toList();
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static Path testClasses() {
        try {
            return Path.of(PollingCallerApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
