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
 * Proves that a mesh timeout reaches an app that set none as its client library's own timeout exception
 * (SocketTimeoutException for HttpURLConnection, HttpTimeoutException for java.net.http, sync and async),
 * logged with Envoy's UT flag.
 */
class TimeoutSmokeTest {

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void timeoutsSurfaceAsTheClientLibrarysOwnExceptions() {
        // Every request is held for 3 s; the mesh allows 250 ms per try, two tries, 600 ms overall.
        Upstream upstream = Upstream.start(processes, "slow", "--delay", "1.0", "--delay-ms", "3000");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    timeout: 600ms
                    retry: { maxAttempts: 2, perTryTimeout: 250ms, backoff: { base: 5ms, max: 50ms }, retryOn: [connect-failure, reset, 5xx] }
                """.formatted(MeshYaml.endpoints(upstream)) + MeshYaml.accessLog(accessLog));

        Shop.Run run = Shop.run(processes, Shop.agent(config),
                "--base", "http://inventory", "--calls", "3", "--client", "all");

        assertEquals(0, run.exitCode(), run.describe());
        List<String> lines = run.lines();
        assertEquals(4, lines.size(), run.describe());
        assertTrue(lines.get(0).matches("FAIL urlconnection GET /items/0 SocketTimeoutException: .*"), run.describe());
        assertTrue(lines.get(1).matches("FAIL httpclient GET /items/1 HttpTimeoutException: .*"), run.describe());
        assertTrue(lines.get(2).matches("FAIL httpclient-async GET /items/2 HttpTimeoutException: .*"), run.describe());
        assertEquals("SUMMARY ok=0 failed=3", lines.get(3), run.describe());

        var entries = AccessLogFile.read(accessLog);
        assertEquals(3, entries.size());
        for (var e : entries) {
            assertEquals("inventory", e.service(), e.line());
            assertNull(e.status(), "a timed-out call has no status: " + e.line());
            assertTrue(e.flags().contains("UT"), "flags must contain UT: " + e.line());
            String expected = e.path().equals("/items/0") ? "java.net.SocketTimeoutException: "
                    : "java.net.http.HttpTimeoutException: ";
            assertTrue(e.error() != null && e.error().startsWith(expected), e.line());
            // Not a timing test: only that the mesh cut the call, which otherwise takes the upstream's 3 s.
            assertTrue(e.durationMs() < 3000, "the call must end on the mesh's timeout: " + e.line());
        }
    }
}
