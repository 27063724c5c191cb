package dev.jmesh.smoke;

import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.Endpoint;
import dev.jmesh.config.MeshConfig;
import dev.jmesh.demo.controlplane.MeshToEnvoy;
import dev.jmesh.demo.controlplane.SampleControlPlane;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code controlPlane.xds} in real JVMs: legacy-shop with the agent, flaky-upstream endpoints, and Envoy's
 * java-control-plane running in this JVM (through the sample control plane of demo-apps/control-plane). A
 * route-weight change pushed by the server is followed; a cluster the agent cannot apply is NACKed with an
 * error detail while the app keeps its config; a JVM restarted while the server is down runs on the cached
 * config and follows the server once it is back.
 */
class XdsControlPlaneSmokeTest {
    /** A liveness bound, not a performance check: the time a change takes is printed, not asserted. */
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    private final List<DiscoveryRequest> nacks = new CopyOnWriteArrayList<>();
    private final List<DiscoveryRequest> requests = new CopyOnWriteArrayList<>();

    @Test
    void followsARouteWeightChangePushedByJavaControlPlane() throws Exception {
        Upstream a = Upstream.start(processes, "a");
        Upstream b = Upstream.start(processes, "b");
        Path accessLog = dir.resolve("access.log");
        try (SampleControlPlane cp = SampleControlPlane.start("127.0.0.1", 0, recorder())) {
            cp.serve(mesh(a, b, 100, 0), "1");
            JavaProcess shop = shop(bootstrap(cp.port(), accessLog, dir.resolve("cache.json")));
            AccessLogFile.awaitWhileWritten(accessLog, e -> count(e, a) >= 10, shop, WITHIN);

            Instant pushed = Instant.now();
            cp.serve(mesh(a, b, 0, 100), "2");
            List<AccessLogFile.Entry> entries = AccessLogFile.awaitWhileWritten(accessLog, e -> count(e, b) >= 10,
                    shop, WITHIN);
            shop.kill();

            int firstA = firstIndex(entries, a); // before the first answer (no cache yet): pass-through, unknown host
            int firstB = firstIndex(entries, b);
            Instant firstCallToB = Instant.parse(entries.get(firstB).text("start_time"));
            System.out.println("[xds] route-weight change pushed by java-control-plane reached the app's calls after "
                    + Duration.between(pushed, firstCallToB).toMillis() + " ms");
            for (AccessLogFile.Entry e : entries.subList(firstA, firstB)) {
                assertEquals(a.address(), e.upstream(), "weight 100/0: " + e.line());
            }
            for (AccessLogFile.Entry e : entries.subList(firstB, entries.size())) {
                assertEquals(b.address(), e.upstream(), "weight 0/100: " + e.line());
                assertEquals(200L, e.status(), e.line());
                assertEquals("to-inventory", e.text("route").substring(e.text("route").lastIndexOf('/') + 1), e.line());
            }
            assertTrue(nacks.isEmpty(), nacks.toString());
            assertTrue(requests.stream().anyMatch(r -> r.getTypeUrl().endsWith("Cluster") && r.getVersionInfo().equals("2")),
                    "the new version was ACKed");
            DiscoveryRequest first = requests.get(0);
            assertEquals("shop-1", first.getNode().getId());
            assertEquals("shop", first.getNode().getCluster());
            assertEquals("eu-1", first.getNode().getMetadata().getFieldsOrThrow("zone").getStringValue());
            List<String> jmesh = jmeshLines(shop);
            assertTrue(jmesh.stream().noneMatch(l -> l.contains("WARN")), String.join("\n", jmesh));
        }
    }

    @Test
    void aClusterThatCannotBeAppliedIsNackedAndTheAppKeepsWorking() throws Exception {
        Upstream a = Upstream.start(processes, "a");
        Upstream b = Upstream.start(processes, "b");
        Path accessLog = dir.resolve("access.log");
        try (SampleControlPlane cp = SampleControlPlane.start("127.0.0.1", 0, recorder())) {
            cp.serve(mesh(a, b, 100, 0), "1");
            JavaProcess shop = shop(bootstrap(cp.port(), accessLog, dir.resolve("cache.json")));
            AccessLogFile.awaitWhileWritten(accessLog, e -> count(e, a) >= 5, shop, WITHIN);

            // Version 2 of the endpoints only (clusters and routes stay at 1): inventory-a's endpoint gets port 0,
            // which an Envoy proto allows and jmesh's loader does not. None of it may take effect.
            MeshConfig current = mesh(a, b, 100, 0);
            Snapshot broken = Snapshot.create(MeshToEnvoy.clusters(current), "1",
                    List.of(ClusterLoadAssignment.newBuilder().setClusterName("inventory-a")
                                    .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(LbEndpoint.newBuilder()
                                            .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                                                    .setAddress(Address.newBuilder().setSocketAddress(SocketAddress
                                                            .newBuilder().setAddress("127.0.0.1").setPortValue(0))))))
                                    .build(),
                            MeshToEnvoy.assignment("inventory-b", List.of(new Endpoint("127.0.0.1", b.port())))), "2",
                    List.of(), "1", MeshToEnvoy.routeConfigurations(current), "1", List.of(), "1");
            cp.serve(broken);
            await(() -> !nacks.isEmpty(), shop, "a NACK");
            int atNack = AccessLogFile.readWhileWritten(accessLog).size();
            List<AccessLogFile.Entry> all = AccessLogFile.awaitWhileWritten(accessLog, e -> e.size() >= atNack + 10,
                    shop, WITHIN);
            shop.kill();
            List<AccessLogFile.Entry> entries = all.subList(firstIndex(all, a), all.size());

            DiscoveryRequest nack = nacks.get(0);
            System.out.println("[xds] NACK seen by java-control-plane: " + nack.getErrorDetail().getMessage());
            assertTrue(nack.getTypeUrl().endsWith("ClusterLoadAssignment"), nack.toString());
            assertEquals("1", nack.getVersionInfo(), "the NACK names the version still in force");
            assertEquals("services.inventory-a.endpoints[0]: invalid endpoint '127.0.0.1:0': port must be between 1 and"
                    + " 65535, got 0", nack.getErrorDetail().getMessage());
            for (AccessLogFile.Entry e : entries) {
                assertEquals(a.address(), e.upstream(), "the last good config stays: " + e.line());
                assertEquals(200L, e.status(), e.line());
            }
            List<String> warnings = jmeshLines(shop).stream().filter(l -> l.contains("WARN")).toList();
            assertEquals(1, warnings.size(), String.join("\n", warnings));
            assertTrue(warnings.get(0).matches("\\[jmesh] WARN control plane xds://127.0.0.1:\\d+: NACKed EDS version 2,"
                    + " keeping the last good config: .*port must be between 1 and 65535.*"), warnings.get(0));
        }
    }

    @Test
    void aJvmRestartedWhileTheServerIsDownRunsOnTheCachedConfig() throws Exception {
        Upstream a = Upstream.start(processes, "a");
        Upstream b = Upstream.start(processes, "b");
        Path cache = dir.resolve("cache.json");
        Path firstLog = dir.resolve("first.log");
        int port;
        try (SampleControlPlane cp = SampleControlPlane.start("127.0.0.1", 0, recorder())) {
            port = cp.port();
            cp.serve(mesh(a, b, 0, 100), "1");
            JavaProcess first = shop(bootstrap(port, firstLog, cache));
            AccessLogFile.awaitWhileWritten(firstLog, e -> count(e, b) >= 5, first, WITHIN);
            first.kill();
        }
        // The server is down: a new JVM starts on the cached clusters and routes (all to b), not on pass-through.
        Path secondLog = dir.resolve("second.log");
        JavaProcess second = shop(bootstrap(port, secondLog, cache));
        AccessLogFile.awaitWhileWritten(secondLog, e -> e.size() >= 10, second, WITHIN);
        Thread.sleep(1500); // several reconnection attempts (0.5 s, then 1 s later): still one warning
        try (SampleControlPlane cp = SampleControlPlane.start("127.0.0.1", port, recorder())) {
            cp.serve(mesh(a, b, 100, 0), "7");
            AccessLogFile.awaitWhileWritten(secondLog, e -> count(e, a) >= 5, second, WITHIN);
            second.kill(); // before the server goes: its shutdown would be a second outage
        }

        List<AccessLogFile.Entry> entries = AccessLogFile.read(secondLog);
        int firstA = firstIndex(entries, a);
        assertTrue(firstA >= 10);
        for (AccessLogFile.Entry e : entries.subList(0, firstA)) {
            assertEquals(b.address(), e.upstream(), "from the first call on: the cached config; " + e.line());
            assertEquals(200L, e.status(), e.line());
        }
        List<String> jmesh = jmeshLines(second);
        String shown = String.join("\n", jmesh);
        assertTrue(jmesh.get(0).matches("\\[jmesh] INFO control plane xds://127.0.0.1:\\d+: starting on the last good"
                + " config in .*cache.json until it answers"), shown);
        assertEquals(1, jmesh.stream().filter(l -> l.contains("WARN")).count(), shown);
        assertEquals(1, jmesh.stream().filter(l -> l.matches("\\[jmesh] INFO control plane xds://.* answers again after \\d+s"))
                .count(), shown);
    }

    /** Two services and a route splitting inventory's calls between them. */
    private static MeshConfig mesh(Upstream a, Upstream b, int weightA, int weightB) throws Exception {
        return ConfigLoader.parse("""
                services:
                  inventory-a: { endpoints: [%s] }
                  inventory-b: { endpoints: [%s] }
                routes:
                  - name: to-inventory
                    match: { host: inventory }
                    to: [ { service: inventory-a, weight: %d }, { service: inventory-b, weight: %d } ]
                """.formatted(MeshYaml.quoted(a.address()), MeshYaml.quoted(b.address()), weightA, weightB), "test")
                .config();
    }

    private static String bootstrap(int port, Path accessLog, Path cache) {
        return """
                service: shop
                controlPlane:
                  xds: { address: "127.0.0.1:%d", nodeId: shop-1, metadata: { zone: eu-1 } }
                  cacheFile: %s
                """.formatted(port, MeshYaml.quoted(cache.toString())) + MeshYaml.accessLog(accessLog);
    }

    private JavaProcess shop(String bootstrap) {
        Path config = MeshYaml.write(dir, "bootstrap-" + System.nanoTime() + ".yaml", bootstrap);
        return processes.javaJar("shop+agent", Shop.agent(config), SmokeEnv.shopJar(),
                List.of("--calls", "100000", "--interval-ms", "20", "--client", "urlconnection", "--quiet"), null);
    }

    private DiscoveryServerCallbacks recorder() {
        return new DiscoveryServerCallbacks() {
            @Override
            public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
                requests.add(request);
                if (request.hasErrorDetail()) {
                    nacks.add(request);
                }
            }

            @Override
            public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
            }
        };
    }

    private static long count(List<AccessLogFile.Entry> entries, Upstream upstream) {
        return entries.stream().filter(e -> upstream.address().equals(e.upstream())).count();
    }

    private static int firstIndex(List<AccessLogFile.Entry> entries, Upstream upstream) {
        for (int i = 0; i < entries.size(); i++) {
            if (upstream.address().equals(entries.get(i).upstream())) {
                return i;
            }
        }
        throw new AssertionError("no call went to " + upstream.name());
    }

    /** The agent's lines; the shaded libraries print nothing of their own on the app's stderr. */
    private static List<String> jmeshLines(JavaProcess process) {
        assertTrue(process.stderrLines().stream().noneMatch(l -> l.contains("dev.jmesh.shaded")), process.stderr());
        List<String> lines = process.stderrLines().stream().filter(l -> l.startsWith("[jmesh]")).toList();
        assertTrue(lines.stream().noneMatch(l -> l.contains("was not ready")), String.join("\n", lines));
        return lines;
    }

    private static void await(BooleanSupplier condition, JavaProcess process, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("never saw " + what + "\n" + process.describe());
            }
            Thread.sleep(50);
        }
    }

    static {
        // keep java-control-plane's own logging (SLF4J, bound to nop in the demo) quiet
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
}
