package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JDK HttpClient's own timeout and cancellation semantics kept under the mesh, in a real JVM: the request's
 * {@code timeout()} bounds the whole call (retries included) and surfaces as {@code HttpTimeoutException};
 * cancelling {@code sendAsync}'s future aborts the attempt in flight and no retry starts afterwards.
 */
class JdkHttpClientSmokeTest {
    private static final String MAIN_CLASS = "dev.jmesh.demo.clients.LibraryClients";

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    /** The mesh retries timed-out attempts twice, each given {@code perTryTimeout}. */
    private Path config(Upstream slow, Path accessLog, String perTryTimeout) {
        return MeshYaml.write(dir, "mesh.yaml", """
                services:
                  slow:
                    endpoints: %s
                    timeout: 20s
                    retry: { maxAttempts: 3, perTryTimeout: %s, backoff: { base: 5ms, max: 10ms }, retryOn: [reset] }
                """.formatted(MeshYaml.endpoints(slow), perTryTimeout) + MeshYaml.accessLog(accessLog));
    }

    private Shop.Run run(Path config, String... args) {
        List<String> all = new ArrayList<>(List.of("--base", "http://slow"));
        all.addAll(List.of(args));
        JavaProcess process = processes.javaMain("library-clients+agent", Shop.agent(config),
                List.of(SmokeEnv.libraryClientsJar()), MAIN_CLASS, all, null);
        return new Shop.Run(process, process.awaitExit(Shop.TIMEOUT));
    }

    @Test
    void theRequestsOwnTimeoutBoundsTheWholeCallAndSurfacesAsHttpTimeoutException() {
        Upstream slow = Upstream.start(processes, "slow", "--delay", "1.0", "--delay-ms", "3000");
        Path accessLog = dir.resolve("access.log");

        // Each try may take 5 s, but the app gives the whole request 1.5 s: one try, then no time is left.
        Shop.Run run = run(config(slow, accessLog, "5s"), "--client", "jdk,jdk-async", "--calls", "2",
                "--request-timeout-ms", "1500");

        assertEquals(0, run.exitCode(), run.describe());
        assertTrue(run.lines().get(0).startsWith("FAIL jdk GET /items/0 HttpTimeoutException: "), run.describe());
        assertTrue(run.lines().get(1).startsWith("FAIL jdk-async GET /items/1 HttpTimeoutException: "), run.describe());
        var entries = AccessLogFile.read(accessLog);
        assertEquals(2, entries.size());
        for (var e : entries) {
            assertEquals(1L, e.attempts(), "the app's timeout leaves no time for a retry: " + e.line());
            assertTrue(e.flags().contains("UT"), e.line());
            assertTrue(e.error().startsWith("java.net.http.HttpTimeoutException"), e.line());
        }
        // at most one request per call (a JVM slow to start may time out before the first one leaves)
        assertTrue(slow.stats().requests() <= 2, slow.stats().toString());
    }

    @Test
    void cancellingSendAsyncAbortsTheAttemptAndStartsNoRetry() {
        Upstream slow = Upstream.start(processes, "slow", "--delay", "1.0", "--delay-ms", "6000");
        Path accessLog = dir.resolve("access.log");

        // The app gives up after 1 s and stays up 3 s more: a retry, had one started when the 2 s try ended, would
        // have reached the upstream 2 s before the app exits.
        Shop.Run run = run(config(slow, accessLog, "2s"), "--client", "jdk-async", "--calls", "1",
                "--cancel-after-ms", "1000", "--interval-ms", "3000");

        assertEquals(0, run.exitCode(), run.describe());
        assertEquals("FAIL jdk-async GET /items/0 CancellationException: the app cancelled after 1000 ms",
                run.lines().get(0), run.describe());
        var entries = AccessLogFile.read(accessLog);
        assertEquals(1, entries.size(), "one logical call, recorded when its cancelled attempt ended");
        assertEquals(1L, entries.get(0).attempts(), entries.get(0).line());
        assertTrue(entries.get(0).error().contains("CancellationException"), entries.get(0).line());
        // At most the aborted attempt (a JVM slow to start may even cancel before it left): never a retry.
        assertTrue(slow.stats().requests() <= 1, "no retry reached the upstream after the cancel: " + slow.stats());
    }
}
