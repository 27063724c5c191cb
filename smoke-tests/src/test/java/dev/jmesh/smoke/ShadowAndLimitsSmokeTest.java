package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves, in real JVMs against the flaky upstream, the policies that only act under pressure: shadow mode (retry,
 * circuit breaker and rate limit evaluated and recorded as "would have", with no effect on the calls),
 * {@code maxPendingRequests} overflow (UO, fail fast) and an exhausted retry budget (URX, no retry sent).
 */
class ShadowAndLimitsSmokeTest {
    private static final int CALLS = 20;

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void shadowPoliciesRecordWhatTheyWouldHaveDoneAndChangeNothing() throws Exception {
        Upstream down = Upstream.start(processes, "down", "--fail-503", "1.0");
        Path accessLog = dir.resolve("access.log");
        try (DatagramSocket statsd = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Path config = MeshYaml.write(dir, "mesh.yaml", """
                    services:
                      inventory:
                        endpoints: %s
                        retry: { maxAttempts: 3, backoff: { base: 5ms, max: 20ms }, retryOn: [5xx], mode: shadow }
                        circuitBreaker: { failureRateThreshold: 50%%, minimumCalls: 5, window: 1m, openDuration: 1m, mode: shadow }
                        rateLimit: { requestsPerSecond: 0.01, burst: 5, mode: shadow }
                    """.formatted(MeshYaml.endpoints(down)) + MeshYaml.accessLog(accessLog)
                    + "  metrics: { statsd: { host: 127.0.0.1, port: " + statsd.getLocalPort() + ", dogstatsd: true } }\n");

            Shop.Run run = Shop.run(processes, MetricsSmokeTest.exportEvery200ms(config),
                    "--base", "http://inventory", "--calls", String.valueOf(CALLS), "--client", "urlconnection");

            // No action: every call reaches the upstream once and the app sees the upstream's own 503.
            assertEquals(0, run.exitCode(), run.describe());
            assertEquals(CALLS, run.failed(), run.describe());
            for (int i = 0; i < CALLS; i++) {
                assertEquals("FAIL urlconnection GET /items/" + i + " status=503", run.lines().get(i), run.describe());
            }
            assertEquals(CALLS, down.stats().requests(), "no retry, no rejection, no throttling\n" + run.describe());

            // Recorded: the access log says what each policy would have done, call by call.
            List<AccessLogFile.Entry> entries = AccessLogFile.read(accessLog);
            assertEquals(CALLS, entries.size());
            long wouldReject = 0;
            long wouldThrottle = 0;
            for (int i = 0; i < CALLS; i++) {
                AccessLogFile.Entry e = entries.get(i);
                assertEquals(1L, e.attempts(), e.line());
                assertEquals(503L, e.status(), e.line());
                assertTrue(e.flags().contains("~RETRY"), "a retryable 503 the policy would have retried: " + e.line());
                for (String enforced : List.of("URX", "UO", "RL")) {
                    assertFalse(e.flags().contains(enforced), e.line());
                }
                if (i < 5) {
                    // minimumCalls and burst: the first five are within both policies
                    assertFalse(e.flags().contains("~UO") || e.flags().contains("~RL"), e.line());
                }
                wouldReject += e.flags().contains("~UO") ? 1 : 0;
                wouldThrottle += e.flags().contains("~RL") ? 1 : 0;
            }
            // After five failures of five the breaker would be open for a minute; one token per 100 s after the burst.
            assertEquals(CALLS - 5, wouldReject, "calls the breaker would have rejected");
            assertEquals(CALLS - 5, wouldThrottle, "calls the rate limit would have throttled");
            assertTrue(run.jmeshLines().stream().anyMatch(l -> l.contains("circuit breaker for service 'inventory'")
                    && l.contains("would open (mode: shadow)")), "the would-be transition is logged\n" + run.describe());

            // And counted: jmesh.shadow.decisions per decision, as many as the access log shows.
            List<String> lines = MetricsSmokeTest.receive(statsd, ls -> MetricsSmokeTest.sumStatsd(ls,
                    "jmesh.shadow.decisions:", "jmesh.decision:RETRY") >= CALLS);
            assertEquals(CALLS, MetricsSmokeTest.sumStatsd(lines, "jmesh.shadow.decisions:", "|c|#",
                    "jmesh.decision:RETRY", "jmesh.service:inventory"), lines.toString());
            assertEquals(wouldReject, MetricsSmokeTest.sumStatsd(lines, "jmesh.shadow.decisions:", "|c|#",
                    "jmesh.decision:UO", "jmesh.service:inventory"), lines.toString());
            assertEquals(wouldThrottle, MetricsSmokeTest.sumStatsd(lines, "jmesh.shadow.decisions:", "|c|#",
                    "jmesh.decision:RL", "jmesh.service:inventory"), lines.toString());
        }
    }

    @Test
    void callsBeyondMaxPendingRequestsFailFastWithUO() {
        // Every response takes 1.5 s: with one slot and one place in the queue, four threads overflow it.
        Upstream slow = Upstream.start(processes, "slow", "--delay", "1.0", "--delay-ms", "1500");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    timeout: 20s
                    maxConcurrentRequests: 1
                    maxPendingRequests: 1
                """.formatted(MeshYaml.endpoints(slow)) + MeshYaml.accessLog(accessLog));
        int calls = 8;

        Shop.Run run = Shop.run(processes, Shop.agent(config), "--base", "http://inventory",
                "--calls", String.valueOf(calls), "--threads", "4", "--client", "urlconnection");

        assertEquals(0, run.exitCode(), run.describe());
        List<String> overflowed = run.lines().stream().filter(l -> l.startsWith("FAIL ") && l.contains(
                "IOException: jmesh: service 'inventory' already has 1 requests in flight (maxConcurrentRequests)"
                        + " and 1 waiting")).toList();
        assertTrue(overflowed.size() >= 1, "four callers, room for two\n" + run.describe());
        assertEquals(calls - overflowed.size(), run.ok(), "every other call waited its turn and succeeded\n"
                + run.describe());
        assertEquals(run.ok(), slow.stats().requests(), "an overflowing call never reaches the upstream");

        List<AccessLogFile.Entry> entries = AccessLogFile.read(accessLog);
        assertEquals(calls, entries.size());
        long flagged = 0;
        for (AccessLogFile.Entry e : entries) {
            if (e.flags().contains("UO")) {
                flagged++;
                assertEquals(0L, e.attempts(), "no endpoint was tried: " + e.line());
                assertTrue(e.error().contains("maxPendingRequests"), e.line());
            } else {
                assertEquals(200L, e.status(), e.line());
            }
        }
        assertEquals(overflowed.size(), flagged, "one UO line per overflowing call");
    }

    @Test
    void anExhaustedRetryBudgetStopsRetriesWithURX() {
        Upstream down = Upstream.start(processes, "down", "--fail-503", "1.0");
        Path accessLog = dir.resolve("access.log");
        // One call at a time: 20% of one request in flight allows no retry, and minConcurrency: 0 grants none.
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    retry: { maxAttempts: 3, backoff: { base: 5ms, max: 20ms }, retryOn: [5xx],
                             budget: { percent: 20%%, minConcurrency: 0 } }
                  catalog:
                    endpoints: %s
                    retry: { maxAttempts: 3, backoff: { base: 5ms, max: 20ms }, retryOn: [5xx] }
                """.formatted(MeshYaml.endpoints(down), MeshYaml.endpoints(down)) + MeshYaml.accessLog(accessLog));
        int calls = 10;

        Shop.Run budgeted = Shop.run(processes, Shop.agent(config), "--base", "http://inventory",
                "--calls", String.valueOf(calls), "--client", "urlconnection");

        assertEquals(calls, budgeted.failed(), budgeted.describe());
        assertEquals(calls, down.stats().requests(), "the budget refused every retry\n" + budgeted.describe());
        List<AccessLogFile.Entry> entries = AccessLogFile.read(accessLog);
        assertEquals(calls, entries.size());
        for (AccessLogFile.Entry e : entries) {
            assertEquals(1L, e.attempts(), e.line());
            assertEquals(503L, e.status(), e.line());
            assertTrue(e.flags().contains("URX"), "the retry the budget refused: " + e.line());
        }

        // The same policy without a budget retries: the upstream sees every attempt.
        Shop.Run unbudgeted = Shop.run(processes, Shop.agent(config), "--base", "http://catalog",
                "--calls", String.valueOf(calls), "--client", "urlconnection");
        assertEquals(calls, unbudgeted.failed(), unbudgeted.describe());
        assertEquals(calls + 3L * calls, down.stats().requests(), unbudgeted.describe());
    }
}
