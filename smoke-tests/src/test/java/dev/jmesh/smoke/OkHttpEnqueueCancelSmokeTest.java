package dev.jmesh.smoke;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OkHttp {@code enqueue} cancelled by the app in a real JVM with the agent, on every OkHttp line: {@code Call.cancel()}
 * while the mesh's attempt waits for a slow upstream ends the call with OkHttp's failure ("Canceled", as the
 * {@code InterruptedIOException} OkHttp uses for calls it stops), the callback runs exactly once, no retry starts
 * afterwards, the upstream is not blamed, and the call gets one access-log line.
 */
class OkHttpEnqueueCancelSmokeTest {
    private static final String MAIN_CLASS = "dev.jmesh.demo.clients.LibraryClients";

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    enum Line {
        OLDEST(LibraryClientsSmokeTest.VersionSet.OLDEST),
        LAST4(LibraryClientsSmokeTest.VersionSet.OKHTTP_4),
        NEWEST(LibraryClientsSmokeTest.VersionSet.NEWEST);

        final LibraryClientsSmokeTest.VersionSet set;

        Line(LibraryClientsSmokeTest.VersionSet set) {
            this.set = set;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Line.class)
    void cancellingAnEnqueuedCallEndsItOnceAndStartsNoRetry(Line line) {
        Upstream slow = Upstream.start(processes, "slow", "--delay", "1.0", "--delay-ms", "6000");
        Path accessLog = dir.resolve("access.log");
        // Each try may take 2 s and a reset would be retried: a retry after the cancel would show upstream.
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  slow:
                    endpoints: %s
                    timeout: 20s
                    retry: { maxAttempts: 3, perTryTimeout: 2s, backoff: { base: 5ms, max: 10ms }, retryOn: [reset, connect-failure] }
                """.formatted(MeshYaml.endpoints(slow)) + MeshYaml.accessLog(accessLog));

        // The app gives up after 1 s and stays up 3 s more: a retry, had one started when the 2 s try ended, would
        // have reached the upstream 2 s before the app exits.
        JavaProcess process = processes.javaMain("library-clients-okhttp-" + line.name().toLowerCase() + "+agent",
                Shop.agent(config), line.set.classPath(), MAIN_CLASS, List.of("--base", "http://slow", "--client",
                        "okhttp-async", "--calls", "1", "--cancel-after-ms", "1000", "--interval-ms", "3000"), null);
        Shop.Run run = new Shop.Run(process, process.awaitExit(Shop.TIMEOUT));

        assertEquals(0, run.exitCode(), run.describe());
        assertTrue(run.lines().get(0).matches("FAIL okhttp-async GET /items/0 InterruptedIOException: Canceled"),
                "OkHttp's own failure of a cancelled call\n" + run.describe());
        assertTrue(run.process().stderrLines().stream().noneMatch(l -> l.contains("callback called again")),
                "the callback runs exactly once\n" + run.describe());
        var entries = AccessLogFile.read(accessLog);
        assertEquals(1, entries.size(), "one logical call\n" + run.describe());
        assertEquals(1L, entries.get(0).attempts(), entries.get(0).line());
        assertTrue(entries.get(0).error() != null && entries.get(0).error().matches("java\\.io\\.(Interrupted)?IOException.*"),
                entries.get(0).line());
        assertTrue(!entries.get(0).flags().contains("UC"), "a cancel is not the upstream's failure: " + entries.get(0).line());
        // At most the cancelled attempt (a JVM slow to start may even cancel before it left): never a retry.
        assertTrue(slow.stats().requests() <= 1, "no retry reached the upstream after the cancel: " + slow.stats());
    }
}
