package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves, in a real JVM, outlier detection (a failing endpoint is ejected and calls go to the healthy
 * one) and the per-service rate limit (calls over it fail fast with the library's I/O exception, RL).
 */
class EndpointPolicySmokeTest {

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void aFailingEndpointIsEjectedAndCallsGoToTheHealthyOne() {
        Upstream broken = Upstream.start(processes, "broken", "--fail-503", "1.0");
        Upstream healthy = Upstream.start(processes, "healthy");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    outlierDetection: { consecutive5xx: 3, baseEjectionTime: 60s, maxEjectionPercent: 50%% }
                """.formatted(MeshYaml.endpoints(broken, healthy)) + MeshYaml.accessLog(accessLog));

        Shop.Run run = Shop.run(processes, Shop.agent(config), "--base", "http://inventory", "--calls", "40",
                "--client", "urlconnection");

        long failed = run.failed();
        assertEquals(3, broken.stats().requests(), "three 503s eject it; no call reaches it afterwards\n" + run.describe());
        assertEquals(3, failed, run.describe());
        assertEquals(37, healthy.stats().requests(), run.describe());
        assertTrue(run.jmeshLines().stream().anyMatch(l -> l.contains(broken.address())),
                "the ejection is reported\n" + run.describe());
    }

    @Test
    void callsOverTheRateLimitFailFastWithRL() {
        Upstream upstream = Upstream.start(processes, "plain");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    rateLimit: { requestsPerSecond: 0.1, burst: 5 }
                """.formatted(MeshYaml.endpoints(upstream)) + MeshYaml.accessLog(accessLog));

        Shop.Run run = Shop.run(processes, Shop.agent(config), "--base", "http://inventory", "--calls", "30",
                "--client", "urlconnection");

        List<String> throttled = run.lines().stream().filter(l -> l.contains("IOException: jmesh: rate limit")).toList();
        // The burst of 5 passes; at one token per 10 s, more than 5 others could pass only if the run took
        // longer than 50 s, which the shop's own timeout rules out.
        assertTrue(throttled.size() >= 20, run.describe());
        assertEquals(30 - throttled.size(), upstream.stats().requests(), "a throttled call never reaches the upstream");
        var entries = AccessLogFile.read(accessLog);
        assertEquals(throttled.size(), entries.stream().filter(e -> e.flags().contains("RL") && e.attempts() == 0).count());
    }
}
