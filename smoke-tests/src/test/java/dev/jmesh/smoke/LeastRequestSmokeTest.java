package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves, in a real JVM, that {@code least_request} compares requests in flight: of two endpoints, one slow and
 * one fast, the slow one always has calls in flight under concurrent load, so it gets few of them, where
 * {@code round_robin} gives it exactly half.
 */
class LeastRequestSmokeTest {
    private static final int THREADS = 8;
    private static final int CALLS = THREADS * 12;

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void leastRequestSendsFewCallsToTheEndpointThatHasCallsInFlight() {
        Upstream fast = Upstream.start(processes, "fast");
        Upstream slow = Upstream.start(processes, "slow", "--delay", "1.0", "--delay-ms", "1000");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  least:
                    endpoints: %1$s
                    loadBalancer: least_request
                  rotating:
                    endpoints: %1$s
                    loadBalancer: round_robin
                """.formatted(MeshYaml.endpoints(slow, fast)) + MeshYaml.accessLog(accessLog));

        for (String service : List.of("least", "rotating")) {
            Shop.Run run = Shop.run(processes, Shop.agent(config), "--base", "http://" + service,
                    "--calls", String.valueOf(CALLS), "--threads", String.valueOf(THREADS), "--client", "urlconnection");
            assertEquals(CALLS, run.ok(), run.describe());
        }

        List<AccessLogFile.Entry> entries = AccessLogFile.read(accessLog);
        assertEquals(2 * CALLS, entries.size());
        assertEquals(2L * CALLS, slow.stats().requests() + fast.stats().requests(), "one attempt per call");
        // the same load, blind to in-flight counts: strictly alternating, half each
        assertEquals(CALLS / 2, count(entries, "rotating", slow), "round_robin: " + entries);
        // With two endpoints, P2C compares both. When a thread picks, at most the 7 other threads are in flight,
        // and the slow endpoint wins only with no more in flight than the fast one: it never has more than 4 in
        // flight, and each of them holds it for a second. Beyond the first 4, every call it gets needs one of
        // its calls to have ended, so more than 24 would take the run over 5 s while the fast endpoint answers
        // at once. A balancer blind to in-flight counts gives it about half (round robin exactly 48; random
        // 24 or fewer with a probability below 1e-6).
        long toSlow = count(entries, "least", slow);
        assertTrue(toSlow <= CALLS / 4, "least_request sent " + toSlow + " of " + CALLS + " calls to the endpoint"
                + " with calls in flight: " + entries);
        assertEquals(CALLS - toSlow, count(entries, "least", fast), "least_request: " + entries);
    }

    private static long count(List<AccessLogFile.Entry> entries, String service, Upstream endpoint) {
        return entries.stream().filter(e -> service.equals(e.service()) && endpoint.address().equals(e.upstream()))
                .count();
    }
}
