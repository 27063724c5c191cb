package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves, in real JVMs against the flaky upstream, how the mesh gets out of trouble: a retry goes to another endpoint
 * than the one that just failed, and an open breaker probes half-open and closes once the upstream is back.
 */
class RecoverySmokeTest {

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void aRetryGoesToAnotherEndpointThanTheOneThatFailed() {
        Upstream down = Upstream.start(processes, "down", "--fail-503", "1.0");
        Upstream up = Upstream.start(processes, "up");
        Path accessLog = dir.resolve("access.log");
        // random: without the preference a retry would land on the failing endpoint again half of the time
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    loadBalancer: random
                    retry: { maxAttempts: 2, backoff: { base: 5ms, max: 10ms }, retryOn: [5xx] }
                """.formatted(MeshYaml.endpoints(down, up)) + MeshYaml.accessLog(accessLog));
        int calls = 20;

        Shop.Run run = Shop.run(processes, Shop.agent(config), "--base", "http://inventory",
                "--calls", String.valueOf(calls), "--client", "urlconnection");

        assertEquals(calls, run.ok(), "two attempts never both hit the failing endpoint\n" + run.describe());
        List<AccessLogFile.Entry> entries = AccessLogFile.read(accessLog);
        long retried = 0;
        for (AccessLogFile.Entry e : entries) {
            assertEquals(up.address(), e.upstream(), "the last attempt is the healthy endpoint's: " + e.line());
            retried += e.attempts() == 2 ? 1 : 0;
            assertEquals(e.attempts() == 2 ? down.address() + "," + up.address() : up.address(), e.endpointsTried(),
                    "the log names every endpoint the attempts went to, in order: " + e.line());
        }
        assertEquals(down.stats().requests(), retried, "each first attempt on the failing endpoint, retried once");
        assertTrue(retried > 0, "random sent some first attempts to the failing endpoint: " + entries);
    }

    @Test
    void anOpenBreakerProbesHalfOpenAndClosesWhenTheUpstreamIsBack() {
        // the first five requests fail; everything after them succeeds
        Upstream recovering = Upstream.start(processes, "recovering", "--fail-first", "5");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    circuitBreaker: { failureRateThreshold: 50%%, minimumCalls: 5, window: 1m, openDuration: 2s,
                                      halfOpenCalls: 2 }
                """.formatted(MeshYaml.endpoints(recovering)) + MeshYaml.accessLog(accessLog));
        int calls = 30;

        Shop.Run run = Shop.run(processes, Shop.agent(config), "--base", "http://inventory",
                "--calls", String.valueOf(calls), "--interval-ms", "200", "--client", "urlconnection");

        List<AccessLogFile.Entry> entries = AccessLogFile.read(accessLog);
        assertEquals(calls, entries.size());
        for (AccessLogFile.Entry e : entries.subList(0, 5)) {
            assertEquals(503L, e.status(), "the upstream's failures open the breaker: " + e.line());
        }
        long rejected = entries.stream().filter(e -> e.flags().contains("UO") && e.attempts() == 0).count();
        assertTrue(rejected > 0, "open: calls fail fast for openDuration\n" + run.describe());
        assertEquals(calls - 5 - rejected, run.ok(), "every call after the open period succeeds\n" + run.describe());
        assertEquals(200L, entries.get(calls - 1).status(), entries.get(calls - 1).line());
        assertEquals(calls - rejected, recovering.stats().requests(), "rejected calls never reach the upstream");
        List<String> agent = run.jmeshLines();
        int opened = indexOf(agent, "circuit breaker for service 'inventory' opened");
        int halfOpen = indexOf(agent, "circuit breaker for service 'inventory' is half-open");
        int closed = indexOf(agent, "circuit breaker for service 'inventory' closed");
        assertTrue(opened >= 0 && opened < halfOpen && halfOpen < closed, "open, half-open, closed, in that order\n"
                + run.describe());
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }
}
