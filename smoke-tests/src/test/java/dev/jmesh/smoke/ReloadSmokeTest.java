package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves hot reload in a running app: a valid edit of mesh.yaml (new endpoints, a new timeout) takes
 * effect without a restart, and a broken edit is reported once while the last good config stays in force.
 */
class ReloadSmokeTest {
    /** A liveness bound for "the change shows up", far above the 0.5 s poll; not a performance check. */
    private static final Duration WITHIN = Duration.ofSeconds(20);

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void aValidEditIsAppliedLiveAndABrokenOneKeepsTheLastGoodConfig() throws Exception {
        Upstream fast = Upstream.start(processes, "fast");
        Upstream slow = Upstream.start(processes, "slow", "--delay", "1.0", "--delay-ms", "2000");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                """.formatted(MeshYaml.endpoints(fast)) + MeshYaml.accessLog(accessLog));
        JavaProcess shop = processes.javaJar("shop+agent", Shop.agent(config), SmokeEnv.shopJar(),
                List.of("--calls", "2000", "--interval-ms", "20", "--client", "urlconnection"), null);

        int beforeEdit = AccessLogFile.awaitWhileWritten(accessLog, entries -> entries.size() >= 5, shop, WITHIN).size();
        MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    timeout: 300ms
                """.formatted(MeshYaml.endpoints(slow)) + MeshYaml.accessLog(accessLog));
        List<AccessLogFile.Entry> afterEdit = AccessLogFile.awaitWhileWritten(accessLog,
                entries -> entries.stream().filter(e -> slow.address().equals(e.upstream())).count() >= 3, shop, WITHIN);

        MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: [%s
                """.formatted(MeshYaml.quoted(fast.address())));
        awaitStderr(shop, line -> line.contains("changed but was not applied"));
        int atBrokenEdit = AccessLogFile.readWhileWritten(accessLog).size();
        List<AccessLogFile.Entry> all = AccessLogFile.awaitWhileWritten(accessLog,
                entries -> entries.size() >= atBrokenEdit + 3, shop, WITHIN);
        shop.kill();

        // Before the edit: the fast endpoint, served.
        for (var e : all.subList(0, beforeEdit)) {
            assertEquals(fast.address(), e.upstream(), e.line());
            assertEquals(200L, e.status(), e.line());
        }
        // Once the edit is live, every call goes to the slow endpoint and is cut by the new timeout,
        // the library's own SocketTimeoutException reaching the app; no call goes back to the fast one.
        int firstSlow = indexOf(all, e -> slow.address().equals(e.upstream()));
        assertTrue(firstSlow >= beforeEdit, "the edit cannot act before it was written");
        for (var e : all.subList(firstSlow, all.size())) {
            assertEquals(slow.address(), e.upstream(), e.line());
            assertNull(e.status(), e.line());
            assertTrue(e.flags().contains("UT"), e.line());
            assertTrue(e.error().startsWith("java.net.SocketTimeoutException"), e.line());
        }
        assertTrue(all.size() >= atBrokenEdit + 3 && atBrokenEdit > firstSlow,
                "calls made after the broken edit still follow the last good config");
        assertTrue(afterEdit.size() > beforeEdit);

        List<String> jmesh = shop.stderrLines().stream().filter(l -> l.startsWith("[jmesh]")).toList();
        assertEquals(2, jmesh.size(), "one line per reload\n" + shop.describe());
        assertTrue(jmesh.get(0).matches("\\[jmesh] INFO config .*mesh.yaml reloaded: 1 services"), jmesh.get(0));
        assertTrue(jmesh.get(1).matches("\\[jmesh] WARN config .*mesh.yaml changed but was not applied, keeping the"
                + " last good config: .*mesh.yaml:4:1: .*"), jmesh.get(1));
        assertTrue(shop.stdoutLines().stream().anyMatch(l -> l.startsWith("FAIL urlconnection GET")
                && l.contains("SocketTimeoutException")), "the app saw the new timeout\n" + shop.describe());
    }


    private static void awaitStderr(JavaProcess shop, Predicate<String> condition) throws InterruptedException {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (shop.stderrLines().stream().noneMatch(condition)) {
            if (System.nanoTime() > deadline || !shop.isAlive()) {
                throw new AssertionError("expected stderr line never came\n" + shop.describe());
            }
            Thread.sleep(50);
        }
    }

    private static int indexOf(List<AccessLogFile.Entry> entries, Predicate<AccessLogFile.Entry> condition) {
        for (int i = 0; i < entries.size(); i++) {
            if (condition.test(entries.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such access-log line");
    }
}
