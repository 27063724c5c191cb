package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chaos upstream of issue #11: 20 % 503, 5 % connection resets, 1 % stalls of 2 s, on both endpoints. With a
 * retry policy, at least 99.9 % of 20 000 GETs succeed; POSTs (not retried) reach the upstream at most once each;
 * the access log has exactly one line per call, none lost, none repeated. Bounded: 8 app threads, 3 minutes.
 */
class ChaosSmokeTest {
    private static final int GETS = 20_000;
    private static final int POST_EVERY = 21; // 1 000 POSTs among 21 000 calls
    private static final int CALLS = GETS + GETS / (POST_EVERY - 1);

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void retriesHideTheChaosWithoutSendingAPostTwiceOrLosingALogLine() {
        Upstream a = Upstream.start(processes, "a", chaos("101"));
        Upstream b = Upstream.start(processes, "b", chaos("202"));
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    timeout: 5s
                    retry: { maxAttempts: 6, perTryTimeout: 250ms, backoff: { base: 2ms, max: 20ms },
                             retryOn: [connect-failure, reset, 5xx] }
                """.formatted(MeshYaml.endpoints(a, b)) + MeshYaml.accessLog(accessLog));

        JavaProcess shop = processes.javaJar("shop+agent", Shop.agent(config), SmokeEnv.shopJar(),
                List.of("--base", "http://inventory", "--calls", String.valueOf(CALLS), "--threads", "8",
                        "--post-every", String.valueOf(POST_EVERY), "--client", "all"), null);
        assertEquals(0, shop.awaitExit(Duration.ofMinutes(3)), shop.describe());
        Shop.Run run = new Shop.Run(shop, 0);

        List<String> lines = run.lines();
        assertEquals(CALLS + 1, lines.size(), "one line per call and the summary\n" + run.describe());
        long getsOk = lines.stream().filter(l -> l.startsWith("OK ") && l.contains(" GET /items/")).count();
        assertTrue(getsOk >= GETS * 999L / 1000, getsOk + " of " + GETS + " GETs succeeded\n" + tail(lines));

        Upstream.Stats sa = a.stats();
        Upstream.Stats sb = b.stats();
        System.out.println("chaos: " + getsOk + " of " + GETS + " GETs succeeded; upstreams " + sa + " " + sb);
        assertTrue(sa.served503() + sb.served503() > 0 && sa.resets() + sb.resets() > 0
                && sa.delays() + sb.delays() > 0, "every kind of fault happened: " + sa + " " + sb);
        assertEquals(0, sa.postsDuplicated() + sb.postsDuplicated(), "no POST reached an upstream twice");
        long posts = CALLS - GETS;
        assertTrue(sa.postsReceived() + sb.postsReceived() <= posts, sa + " " + sb);

        var entries = AccessLogFile.read(accessLog);
        assertEquals(CALLS, entries.size(), "one access-log line per call, none lost");
        Map<String, Integer> perCall = new HashMap<>();
        for (var e : entries) {
            perCall.merge(e.text("method") + " " + e.text("path"), 1, Integer::sum);
            assertTrue(e.attempts() <= (e.text("method").equals("POST") ? 1 : 6), e.line());
        }
        // every GET has its own path; the POSTs all go to /orders
        assertEquals(GETS + 1, perCall.size(), "no call logged twice");
        assertEquals((int) posts, perCall.get("POST /orders"));
    }

    private static String[] chaos(String seed) {
        return new String[] {"--fail-503", "0.2", "--reset", "0.05", "--delay", "0.01", "--delay-ms", "2000",
                "--seed", seed};
    }

    private static String tail(List<String> lines) {
        return String.join("\n", lines.stream().filter(l -> l.startsWith("FAIL ")).limit(20).toList());
    }
}
