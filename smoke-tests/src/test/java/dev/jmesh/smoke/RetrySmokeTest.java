package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves that the agent alone turns an unmodified app's calls to a flaky service name into successes
 * (discovery, round robin, retries with back-off), one access-log line per logical call, and that a POST
 * is never retried.
 */
class RetrySmokeTest {
    private static final int CALLS = 300;
    /** 20% 503s and 5% dropped connections per request, on every upstream of this class. */
    private static final String[] FAULTS = {"--fail-503", "0.2", "--reset", "0.05"};

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void withoutTheAgentTheShopSeesTheUpstreamFaults() {
        Upstream upstream = Upstream.start(processes, "direct", faults("7"));

        Shop.Run run = Shop.run(processes, Shop.noAgent(),
                "--base", upstream.baseUrl(), "--calls", String.valueOf(CALLS), "--client", "all");

        assertEquals(0, run.exitCode(), run.describe());
        assertEquals(CALLS, run.ok() + run.failed(), run.describe());
        assertTrue(run.failed() > 0, "the faults must show without the agent\n" + run.describe());
        long seen503 = run.lines().stream().filter(l -> l.startsWith("FAIL ") && l.endsWith(" status=503")).count();
        assertTrue(seen503 > 0, "some calls must fail with status=503\n" + run.describe());
        assertTrue(upstream.stats().served503() >= seen503, upstream.stats().toString());
    }

    @Test
    void withTheAgentEveryGetSucceedsThroughRetriesAndRoundRobin() {
        Upstream a = Upstream.start(processes, "a", faults("11"));
        Upstream b = Upstream.start(processes, "b", faults("12"));
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    loadBalancer: round_robin
                    timeout: 2s
                    retry: %s
                """.formatted(MeshYaml.endpoints(a, b), MeshYaml.RETRY) + MeshYaml.accessLog(accessLog));

        Shop.Run run = Shop.run(processes, Shop.agent(config),
                "--base", "http://inventory", "--calls", String.valueOf(CALLS), "--client", "all");

        assertEquals(0, run.exitCode(), run.describe());
        assertEquals("SUMMARY ok=" + CALLS + " failed=0", run.lines().get(run.lines().size() - 1), run.describe());
        assertEquals(CALLS + 1, run.lines().size(), run.describe());
        assertTrue(run.jmeshLines().stream().noneMatch(l -> l.startsWith("[jmesh] WARN")),
                "a valid config must not produce warnings\n" + run.describe());

        var entries = AccessLogFile.read(accessLog);
        assertEquals(CALLS, entries.size(), "one access-log line per logical call");
        Map<String, Long> perPath = entries.stream().collect(
                Collectors.groupingBy(AccessLogFile.Entry::path, TreeMap::new, Collectors.counting()));
        for (int i = 0; i < CALLS; i++) {
            assertEquals(1L, perPath.getOrDefault("/items/" + i, 0L), "lines for /items/" + i);
        }
        Set<String> endpoints = Set.of(a.address(), b.address());
        long retried = 0;
        long attempts = 0;
        for (var e : entries) {
            assertEquals("inventory", e.service(), e.line());
            assertEquals("outbound", e.direction(), e.line());
            assertEquals("http", e.protocol(), e.line());
            assertEquals("GET", e.method(), e.line());
            assertEquals("inventory", e.authority(), e.line());
            assertEquals(200L, e.status(), e.line());
            assertTrue(e.attempts() >= 1 && e.attempts() <= 8, e.line());
            assertTrue(endpoints.contains(e.upstream()), "upstream must be one of " + endpoints + ": " + e.line());
            assertTrue(e.caller() != null && e.caller().startsWith("dev.jmesh.demo.shop.LegacyShop."), e.line());
            assertTrue(e.text("trace_id").matches("[0-9a-f]{32}"), e.line());
            assertEquals(null, e.error(), e.line());
            attempts += e.attempts();
            if (e.attempts() > 1) {
                retried++;
            }
        }
        assertTrue(retried > 0, "some calls must have needed a retry");

        Upstream.Stats sa = a.stats();
        Upstream.Stats sb = b.stats();
        long requests = sa.requests() + sb.requests();
        // The JDK clients silently resend a request whose connection was dropped, so the upstreams may
        // count more requests than the mesh made attempts, never fewer.
        assertTrue(attempts <= requests, "attempts " + attempts + " <= requests " + sa + " " + sb);
        assertTrue(attempts > CALLS, "retries mean more attempts than calls: " + attempts);
        for (Upstream.Stats s : new Upstream.Stats[] {sa, sb}) {
            assertTrue(s.requests() >= requests / 3, "round robin must spread the load: " + sa + " " + sb);
            assertTrue(s.served503() > 0, "each upstream served 503s: " + s);
        }
        assertTrue(sa.resets() + sb.resets() > 0, "the upstreams dropped some connections: " + sa + " " + sb);
    }

    @Test
    void postIsNeverRetried() {
        Upstream upstream = Upstream.start(processes, "orders", "--fail-503", "0.5", "--seed", "5");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    timeout: 2s
                    retry: %s
                """.formatted(MeshYaml.endpoints(upstream), MeshYaml.RETRY) + MeshYaml.accessLog(accessLog));
        int calls = 40;

        Shop.Run run = Shop.run(processes, Shop.agent(config),
                "--base", "http://inventory", "--calls", String.valueOf(calls), "--client", "all", "--post-every", "1");

        assertEquals(0, run.exitCode(), run.describe());
        long failed503 = run.lines().stream().filter(l -> l.matches("FAIL \\S+ POST /orders status=503")).count();
        long created = run.lines().stream().filter(l -> l.matches("OK \\S+ POST /orders 201 \\d+")).count();
        assertTrue(failed503 > 0, "with 50% 503s and no retry for POST the app must see 503s\n" + run.describe());
        assertEquals(calls, failed503 + created, run.describe());
        assertEquals(created, run.ok(), run.describe());

        Upstream.Stats stats = upstream.stats();
        assertEquals(calls, stats.requests(), "exactly one request per POST: " + stats);
        assertEquals(failed503, stats.served503(), "every 503 reached the app: " + stats);
        assertEquals(created, stats.postsReceived(), stats.toString());

        var entries = AccessLogFile.read(accessLog);
        assertEquals(calls, entries.size());
        for (var e : entries) {
            assertEquals("POST", e.method(), e.line());
            assertEquals("/orders", e.path(), e.line());
            assertEquals("inventory", e.service(), e.line());
            assertEquals(1L, e.attempts(), "a POST gets exactly one attempt: " + e.line());
        }
        assertEquals(created, entries.stream().filter(e -> Long.valueOf(201).equals(e.status())).count());
        assertEquals(failed503, entries.stream().filter(e -> Long.valueOf(503).equals(e.status())).count());
    }

    private static String[] faults(String seed) {
        String[] args = Arrays.copyOf(FAULTS, FAULTS.length + 2);
        args[FAULTS.length] = "--seed";
        args[FAULTS.length + 1] = seed;
        return args;
    }
}
