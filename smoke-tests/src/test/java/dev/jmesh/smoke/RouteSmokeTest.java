package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves routes in a real JVM: a path route to another service, an injected abort, registry-only egress,
 * and a weighted split whose weights are changed in the running app without a restart.
 */
class RouteSmokeTest {
    private static final Duration WITHIN = Duration.ofSeconds(20);

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void pathRoutesFaultsAndEgressActOnAnUnmodifiedApp() {
        Upstream v1 = Upstream.start(processes, "v1");
        Upstream v2 = Upstream.start(processes, "v2");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory: { endpoints: %s }
                  inventory-v2: { endpoints: %s }
                routes:
                  - name: orders-to-v2
                    match: { host: inventory, pathPrefix: /orders, methods: [POST] }
                    to: [ { service: inventory-v2 } ]
                  - name: chaos
                    match: { host: inventory, path: /items/2 }
                    fault: { abort: { percent: 100, status: 503 } }
                egress: { mode: registry_only }
                """.formatted(MeshYaml.endpoints(v1), MeshYaml.endpoints(v2)) + MeshYaml.accessLog(accessLog));

        Shop.Run routed = Shop.run(processes, Shop.agent(config), "--base", "http://inventory", "--calls", "8",
                "--post-every", "2", "--client", "urlconnection");
        Shop.Run outside = Shop.run(processes, Shop.agent(config), "--base", v1.baseUrl(), "--calls", "2");

        List<String> lines = routed.lines();
        assertTrue(lines.contains("FAIL urlconnection GET /items/2 IOException: jmesh: fault injected by route 'chaos': abort (status 503)"),
                routed.describe());
        assertEquals(4, v2.stats().postsReceived(), "every POST /orders went to inventory-v2\n" + routed.describe());
        assertEquals(3, v1.stats().requests(), "GETs but the aborted one went to inventory\n" + routed.describe());
        assertEquals("SUMMARY ok=7 failed=1", lines.get(lines.size() - 1), routed.describe());
        assertTrue(outside.lines().stream().filter(l -> l.startsWith("FAIL"))
                .allMatch(l -> l.contains("jmesh: egress to '" + v1.address() + "' is not allowed")), outside.describe());
        assertEquals("SUMMARY ok=0 failed=2", outside.lines().get(outside.lines().size() - 1), outside.describe());

        var entries = AccessLogFile.read(accessLog);
        assertEquals(10, entries.size());
        assertEquals(4, entries.stream().filter(e -> "orders-to-v2".equals(e.text("route"))
                && "inventory-v2".equals(e.service())).count());
        assertEquals(1, entries.stream().filter(e -> e.flags().contains("FI") && e.attempts() == 0).count());
        assertEquals(2, entries.stream().filter(e -> e.flags().contains("NR") && e.service() == null).count());
    }

    @Test
    void aRouteOnQueryParametersTakesEveryClientsCallsAndNoQueryValueIsLogged() throws Exception {
        Upstream v1 = Upstream.start(processes, "v1");
        Upstream v2 = Upstream.start(processes, "v2");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory: { endpoints: %s }
                  inventory-v2: { endpoints: %s }
                routes:
                  - name: preview
                    match: { host: inventory, queryParameters: { preview: { exact: "on" } } }
                    to: [ { service: inventory-v2 } ]
                """.formatted(MeshYaml.endpoints(v1), MeshYaml.endpoints(v2)) + MeshYaml.accessLog(accessLog));

        Shop.Run preview = Shop.run(processes, Shop.agent(config), "--base", "http://inventory", "--calls", "6",
                "--query", "token=s3cr3t-value&preview=on");
        Shop.Run plain = Shop.run(processes, Shop.agent(config), "--base", "http://inventory", "--calls", "3",
                "--query", "preview=off");

        assertEquals("SUMMARY ok=6 failed=0", preview.lines().get(6), preview.describe());
        assertEquals("SUMMARY ok=3 failed=0", plain.lines().get(3), plain.describe());
        assertEquals(6, v2.stats().requests(), "each client's preview calls went to inventory-v2");
        assertEquals(3, v1.stats().requests());
        var entries = AccessLogFile.read(accessLog);
        assertEquals(6, entries.stream().filter(e -> "preview".equals(e.text("route"))).count());
        String log = java.nio.file.Files.readString(accessLog);
        assertTrue(!log.contains("s3cr3t") && !log.contains("token=") && !log.contains("preview="),
                "the query string never reaches the access log\n" + log);
    }

    @Test
    void routeWeightsChangeInTheRunningApp() throws Exception {
        Upstream v1 = Upstream.start(processes, "v1");
        Upstream v2 = Upstream.start(processes, "v2");
        Path accessLog = dir.resolve("access.log");
        String services = """
                services:
                  inventory: { endpoints: %s }
                  inventory-v2: { endpoints: %s }
                """.formatted(MeshYaml.endpoints(v1), MeshYaml.endpoints(v2));
        Path config = MeshYaml.write(dir, "mesh.yaml", services + """
                routes:
                  - match: { host: inventory }
                    to: [ { service: inventory, weight: 100 }, { service: inventory-v2, weight: 0 } ]
                """ + MeshYaml.accessLog(accessLog));
        JavaProcess shop = processes.javaJar("shop+agent", Shop.agent(config), SmokeEnv.shopJar(),
                List.of("--calls", "2000", "--interval-ms", "20", "--client", "urlconnection"), null);

        int before = AccessLogFile.awaitWhileWritten(accessLog, entries -> entries.size() >= 5, shop, WITHIN).size();
        MeshYaml.write(dir, "mesh.yaml", services + """
                routes:
                  - match: { host: inventory }
                    to: [ { service: inventory, weight: 0 }, { service: inventory-v2, weight: 100 } ]
                """ + MeshYaml.accessLog(accessLog));
        List<AccessLogFile.Entry> all = AccessLogFile.awaitWhileWritten(accessLog,
                entries -> entries.stream().filter(e -> "inventory-v2".equals(e.service())).count() >= 5, shop, WITHIN);
        shop.kill();

        int firstV2 = 0;
        while (!"inventory-v2".equals(all.get(firstV2).service())) {
            firstV2++;
        }
        assertTrue(firstV2 >= before, "the new weights act only after the edit");
        assertTrue(all.subList(0, firstV2).stream().allMatch(e -> "inventory".equals(e.service())), all.toString());
        assertTrue(all.subList(firstV2, all.size()).stream().allMatch(e -> "inventory-v2".equals(e.service())),
                "after the edit every call goes to inventory-v2: " + all);
    }

}
