package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves, in real JVMs against the flaky upstream: endpoint weights, the three balancers, DNS discovery, active
 * health checks, and a fault injected only into calls that carry a header.
 */
class BalancingAndHealthSmokeTest {

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void weightsEveryBalancerAndDnsDiscoverySpreadTheCalls() {
        Upstream a = Upstream.start(processes, "a");
        Upstream b = Upstream.start(processes, "b");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  weighted:
                    endpoints: [ { address: %s, weight: 3 }, { address: %s, weight: 1 } ]
                  least:
                    endpoints: %s
                    loadBalancer: least_request
                  drawn:
                    endpoints: %s
                    loadBalancer: random
                  named:
                    dns: { address: "localhost:%d", refreshInterval: 1s }
                """.formatted(MeshYaml.quoted(a.address()), MeshYaml.quoted(b.address()), MeshYaml.endpoints(a, b),
                MeshYaml.endpoints(a, b), a.port()) + MeshYaml.accessLog(accessLog));
        int calls = 40;

        for (String service : List.of("weighted", "least", "drawn", "named")) {
            Shop.Run run = Shop.run(processes, Shop.agent(config), "--base", "http://" + service,
                    "--calls", String.valueOf(calls), "--client", "urlconnection");
            assertEquals(calls, run.ok(), run.describe());
        }

        List<AccessLogFile.Entry> entries = AccessLogFile.read(accessLog);
        assertEquals(4 * calls, entries.size());
        // smooth weighted round robin is exact over whole cycles: 10 cycles of (a, a, b, a)
        assertEquals(30, count(entries, "weighted", a), "weight 3 of 4");
        assertEquals(10, count(entries, "weighted", b), "weight 1 of 4");
        for (String service : List.of("least", "drawn")) {
            // sequential calls: least_request has nothing in flight to compare and draws like random; 40 draws
            // of one in two all landing on one endpoint has a probability of 2^-39
            assertTrue(count(entries, service, a) > 0 && count(entries, service, b) > 0, service + ": " + entries);
            assertEquals(calls, count(entries, service, a) + count(entries, service, b), service);
        }
        // the name resolves to 127.0.0.1 (loopback only): calls go to that address, not to the name
        assertEquals(calls, count(entries, "named", a), "every call to the address localhost resolves to: " + entries);
    }

    private static long count(List<AccessLogFile.Entry> entries, String service, Upstream endpoint) {
        return entries.stream().filter(e -> service.equals(e.service()) && endpoint.address().equals(e.upstream()))
                .count();
    }

    @Test
    void activeHealthChecksTakeAFailingEndpointOutOfRotation() {
        Upstream healthy = Upstream.start(processes, "healthy");
        Upstream broken = Upstream.start(processes, "broken", "--fail-503", "1.0");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    healthCheck: { path: /items/health, interval: 200ms, timeout: 150ms, healthyThreshold: 1,
                                   unhealthyThreshold: 2 }
                """.formatted(MeshYaml.endpoints(healthy, broken)) + MeshYaml.accessLog(accessLog));
        int calls = 20;

        // a pause between calls: the checks run on their own thread, at once and then every 200 ms; two failed
        // checks (two, so that one slow answer on a busy machine does not take the healthy endpoint out) eject
        Shop.Run run = Shop.run(processes, Shop.agent(config), "--base", "http://inventory",
                "--calls", String.valueOf(calls), "--interval-ms", "100", "--client", "urlconnection");

        List<AccessLogFile.Entry> entries = AccessLogFile.read(accessLog);
        assertEquals(calls, entries.size());
        long callsToBroken = entries.stream().filter(e -> broken.address().equals(e.upstream())).count();
        assertTrue(callsToBroken < calls / 2, "only calls made before the second check answered: " + entries);
        for (AccessLogFile.Entry e : entries.subList(calls / 2, calls)) {
            assertEquals(healthy.address(), e.upstream(), e.line());
            assertEquals(200L, e.status(), e.line());
        }
        assertTrue(broken.stats().requests() > callsToBroken, "the checker itself asked the failing endpoint\n"
                + run.describe());
        assertTrue(run.jmeshLines().stream().anyMatch(l -> l.contains("endpoint " + broken.address() + " failed")),
                "the agent says which endpoint failed its checks\n" + run.describe());
    }

    @Test
    void maxEjectionPercentKeepsAFailingEndpointInRotationWhenTheCapIsReached() {
        Upstream first = Upstream.start(processes, "first", "--fail-503", "1.0");
        Upstream second = Upstream.start(processes, "second", "--fail-503", "1.0");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    outlierDetection: { consecutive5xx: 3, baseEjectionTime: 60s, maxEjectionPercent: 50%% }
                """.formatted(MeshYaml.endpoints(first, second)) + MeshYaml.accessLog(accessLog));
        int calls = 20;

        Shop.Run run = Shop.run(processes, Shop.agent(config), "--base", "http://inventory",
                "--calls", String.valueOf(calls), "--client", "urlconnection");

        // round robin: the first to fail three times is ejected; the other one fails as often but may not be
        Upstream.Stats a = first.stats();
        Upstream.Stats b = second.stats();
        assertEquals(calls, a.requests() + b.requests(), run.describe());
        assertEquals(List.of(3L, (long) calls - 3), List.of(Math.min(a.requests(), b.requests()),
                Math.max(a.requests(), b.requests())), "one of two ejected, never both\n" + run.describe());
        Upstream ejected = a.requests() == 3 ? first : second;
        Upstream kept = ejected == first ? second : first;
        assertTrue(run.jmeshLines().stream().anyMatch(l -> l.contains("endpoint " + ejected.address() + " after")),
                "the ejection is reported\n" + run.describe());
        assertTrue(run.jmeshLines().stream().anyMatch(l -> l.contains("endpoint " + kept.address())
                && l.contains("stays in rotation") && l.contains("maxEjectionPercent 50")),
                "and so is the cap that keeps the other one\n" + run.describe());
    }

    @Test
    void aFaultGatedOnAHeaderHitsOnlyTheCallsThatCarryIt() {
        Upstream upstream = Upstream.start(processes, "plain");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory: { endpoints: %s }
                routes:
                  - name: chaos
                    match: { host: inventory }
                    fault: { delay: { percent: 100, duration: 20ms }, abort: { percent: 100, status: 503 }, header: x-chaos }
                """.formatted(MeshYaml.endpoints(upstream)) + MeshYaml.accessLog(accessLog));
        int calls = 5;

        Shop.Run plain = Shop.run(processes, Shop.agent(config), "--base", "http://inventory",
                "--calls", String.valueOf(calls), "--client", "urlconnection");
        Shop.Run chaos = Shop.run(processes, Shop.agent(config), "--base", "http://inventory",
                "--calls", String.valueOf(calls), "--client", "urlconnection", "--header", "x-chaos: on");

        assertEquals(calls, plain.ok(), plain.describe());
        assertEquals(calls, chaos.failed(), chaos.describe());
        assertTrue(chaos.lines().stream().filter(l -> l.startsWith("FAIL")).allMatch(l -> l.contains(
                "IOException: jmesh: fault injected by route 'chaos': abort (status 503)")), chaos.describe());
        assertEquals(calls, upstream.stats().requests(), "only the calls without the header reached the upstream");
        List<AccessLogFile.Entry> entries = AccessLogFile.read(accessLog);
        assertEquals(2 * calls, entries.size());
        for (AccessLogFile.Entry e : entries.subList(0, calls)) {
            assertEquals(List.of(), e.flags(), e.line());
        }
        for (AccessLogFile.Entry e : entries.subList(calls, 2 * calls)) {
            assertEquals(List.of("DI", "FI"), e.flags(), e.line());
            assertEquals(0L, e.attempts(), e.line());
        }
    }
}
