package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves that the circuit breaker opens after a failing upstream's minimum calls and then fails calls
 * fast with the client library's own IOException, without sending them upstream (access-log flag UO).
 */
class CircuitBreakerSmokeTest {
    private static final String OPEN = "IOException: jmesh: circuit breaker open for service 'inventory'";

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void anOpenBreakerFailsFastWithoutCallingTheUpstream() {
        Upstream upstream = Upstream.start(processes, "down", "--fail-503", "1.0");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    circuitBreaker: { failureRateThreshold: 50%%, minimumCalls: 5, window: 10s, openDuration: 30s, halfOpenCalls: 2 }
                """.formatted(MeshYaml.endpoints(upstream)) + MeshYaml.accessLog(accessLog));
        int calls = 20;

        Shop.Run run = Shop.run(processes, Shop.agent(config),
                "--base", "http://inventory", "--calls", String.valueOf(calls), "--client", "urlconnection");

        assertEquals(0, run.exitCode(), run.describe());
        List<String> lines = run.lines();
        assertEquals(calls + 1, lines.size(), run.describe());
        assertEquals("SUMMARY ok=0 failed=" + calls, lines.get(calls), run.describe());
        // First the upstream's 503s, until the breaker has its minimum of calls; then only fast failures.
        int served = 0;
        while (served < calls && lines.get(served).equals("FAIL urlconnection GET /items/" + served + " status=503")) {
            served++;
        }
        assertTrue(served >= 5, "the breaker must not open before minimumCalls (5)\n" + run.describe());
        assertTrue(served < calls, "the breaker never opened\n" + run.describe());
        for (int i = served; i < calls; i++) {
            assertTrue(lines.get(i).startsWith("FAIL urlconnection GET /items/" + i + " " + OPEN),
                    "line " + i + "\n" + run.describe());
        }
        assertEquals(served, upstream.stats().requests(), "rejected calls must not reach the upstream");
        assertTrue(run.jmeshLines().stream().anyMatch(l -> l.contains("circuit breaker") && l.contains("opened")),
                "the agent says when a breaker opens\n" + run.describe());

        var entries = AccessLogFile.read(accessLog);
        assertEquals(calls, entries.size());
        long rejected = 0;
        for (var e : entries) {
            assertEquals("inventory", e.service(), e.line());
            if (e.flags().contains("UO")) {
                rejected++;
                assertEquals(0L, e.attempts(), e.line());
                assertNull(e.status(), e.line());
                assertNull(e.upstream(), "no endpoint was tried: " + e.line());
                assertTrue(e.error() != null && e.error().startsWith("java.io.IOException: jmesh: circuit breaker open"),
                        e.line());
            } else {
                assertEquals(1L, e.attempts(), e.line());
                assertEquals(503L, e.status(), e.line());
            }
        }
        assertEquals(calls - served, rejected, "one UO line per rejected call");
    }

    @Test
    void slowResponsesOpenTheBreakerOnItsSlowCallRate() {
        Upstream upstream = Upstream.start(processes, "slow", "--delay", "1.0", "--delay-ms", "300");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    circuitBreaker: { minimumCalls: 4, window: 30s, openDuration: 30s,
                                      slowCallRateThreshold: 50%%, slowCallDuration: 100ms }
                """.formatted(MeshYaml.endpoints(upstream)) + MeshYaml.accessLog(accessLog));
        int calls = 10;

        Shop.Run run = Shop.run(processes, Shop.agent(config),
                "--base", "http://inventory", "--calls", String.valueOf(calls), "--client", "urlconnection");

        assertEquals(0, run.exitCode(), run.describe());
        List<String> lines = run.lines();
        int served = 0;
        while (served < calls && lines.get(served).startsWith("OK urlconnection GET /items/" + served)) {
            served++;
        }
        assertEquals(4, served, "every slow call succeeds until minimumCalls (4), then the breaker opens\n"
                + run.describe());
        for (int i = served; i < calls; i++) {
            assertTrue(lines.get(i).contains(OPEN) && lines.get(i).contains("slow-call rate of at least 50%"),
                    "line " + i + "\n" + run.describe());
        }
        assertEquals(served, upstream.stats().requests(), "rejected calls must not reach the upstream");
        assertTrue(run.jmeshLines().stream().anyMatch(l -> l.contains("opened: slow-call rate of at least 50%")),
                run.describe());
        long rejected = AccessLogFile.read(accessLog).stream().filter(e -> e.flags().contains("UO")).count();
        assertEquals(calls - served, rejected);
    }
}
