package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #6 in real JVMs, for every HTTP client the agent covers (OkHttp sync and async, Apache HttpClient 4 builder
 * and legacy, Apache HttpClient 5 classic and async, the JDK HttpClient sync and async, HttpURLConnection; the newest
 * version of each library; the async {@code SimpleHttpRequest} holds its body in memory, so it is left out of the
 * streamed-body tests): request bodies are replayed only within {@code retry.maxReplayBodyBytes}, and a 503's
 * {@code Retry-After} sets the wait before the retry when {@code retry.honorRetryAfter} is on.
 *
 * <p>Every call below goes to a route that allows POST retries, so only the body decides whether a POST is
 * replayed. The upstream reads every body in full before it answers, and counts bodies and bytes.
 */
class ClientRetrySemanticsSmokeTest {
    private static final String MAIN_CLASS = "dev.jmesh.demo.clients.LibraryClients";
    /** The clients that can stream a body. */
    private static final List<String> STREAMING = List.of("okhttp", "okhttp-async", "apache4", "apache4-legacy",
            "apache5", "apache5-stream", "jdk", "jdk-async", "huc");
    private static final List<String> ALL = List.of("okhttp", "okhttp-async", "apache4", "apache4-legacy",
            "apache5", "apache5-async", "apache5-stream", "jdk", "jdk-async", "huc");
    private static final int MIB = 1024 * 1024;

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    /** Retries on everything, POST included; the body limit is the default (64 KiB). */
    private Path config(Upstream upstream, Path accessLog, String serviceRetryExtra) {
        return MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    timeout: 10s
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms }%s }
                routes:
                  - name: orders
                    match: { pathPrefix: /orders }
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms }, methods: [POST] }
                """.formatted(MeshYaml.endpoints(upstream), serviceRetryExtra) + MeshYaml.accessLog(accessLog));
    }

    private Shop.Run run(List<String> clients, Path config, String... args) {
        List<String> all = new ArrayList<>(List.of("--base", "http://inventory", "--calls",
                String.valueOf(clients.size()), "--client", String.join(",", clients)));
        all.addAll(List.of(args));
        JavaProcess process = processes.javaMain("library-clients+agent", Shop.agent(config),
                LibraryClientsSmokeTest.VersionSet.NEWEST.classPath(), MAIN_CLASS, all, null);
        return new Shop.Run(process, process.awaitExit(Shop.TIMEOUT));
    }

    @Test
    void aStreamedOneMebibyteBodyIsSentExactlyOnceAndTheAppGetsTheResponse() {
        Upstream upstream = Upstream.start(processes, "orders", "--fail-post-every", "1"); // every POST: 503
        Path accessLog = dir.resolve("access.log");

        Shop.Run run = run(STREAMING, config(upstream, accessLog, ""), "--post-every", "1", "--body-bytes",
                String.valueOf(MIB), "--body-mode", "streamed");

        assertSentOnceAndAnswered503(STREAMING, run, accessLog, upstream);
    }

    @Test
    void aBufferedBodyAboveTheLimitIsSentExactlyOnce() {
        Upstream upstream = Upstream.start(processes, "orders", "--fail-post-every", "1");
        Path accessLog = dir.resolve("access.log");

        Shop.Run run = run(ALL, config(upstream, accessLog, ""), "--post-every", "1", "--body-bytes",
                String.valueOf(MIB), "--body-mode", "buffered");

        assertSentOnceAndAnswered503(ALL, run, accessLog, upstream);
    }

    private static void assertSentOnceAndAnswered503(List<String> clients, Shop.Run run, Path accessLog,
                                                     Upstream upstream) {
        assertEquals(0, run.exitCode(), run.describe());
        for (int i = 0; i < clients.size(); i++) {
            assertEquals("FAIL " + clients.get(i) + " POST /orders status=503", run.lines().get(i),
                    "the app gets the upstream's response\n" + run.describe());
        }
        var entries = AccessLogFile.read(accessLog);
        assertEquals(clients.size(), entries.size(), joined(entries));
        for (var e : entries) {
            assertEquals("orders", e.text("route"), e.line());
            assertEquals(1L, e.attempts(), "a body the mesh cannot replay gets one attempt: " + e.line());
            assertEquals(503L, e.status(), e.line());
        }
        Upstream.Stats stats = upstream.stats();
        assertEquals(clients.size(), stats.requests(), "each body sent exactly once: " + stats);
        assertEquals(clients.size(), stats.bodies(), stats.toString());
        assertEquals((long) clients.size() * MIB, stats.bodyBytes(), "every byte arrived: " + stats);
    }

    @Test
    void aSmallBufferedBodyOnARouteThatAllowsPostRetriesIsRetried() {
        Upstream upstream = Upstream.start(processes, "orders", "--fail-post-every", "2"); // POST 1, 3, 5...: 503
        Path accessLog = dir.resolve("access.log");

        Shop.Run run = run(ALL, config(upstream, accessLog, ""), "--post-every", "1", "--body-bytes", "1000",
                "--body-mode", "buffered");

        assertEquals(0, run.exitCode(), run.describe());
        for (int i = 0; i < ALL.size(); i++) {
            assertTrue(run.lines().get(i).matches("OK " + ALL.get(i) + " POST /orders 201 \\d+"),
                    "the retry hid the 503\n" + run.describe());
        }
        var entries = AccessLogFile.read(accessLog);
        assertEquals(ALL.size(), entries.size(), joined(entries));
        for (var e : entries) {
            assertEquals(2L, e.attempts(), e.line());
            assertEquals(201L, e.status(), e.line());
        }
        Upstream.Stats stats = upstream.stats();
        assertEquals(2L * ALL.size(), stats.bodies(), "each body sent twice: " + stats);
        assertEquals(2L * ALL.size() * 1000, stats.bodyBytes(), "the replayed bodies are whole: " + stats);
        assertEquals(ALL.size(), stats.postsReceived(), stats.toString());
    }

    @Test
    void aSmallStreamedBodyIsNotRetriedEvenWhereRetriesAreAllowed() {
        Upstream upstream = Upstream.start(processes, "orders", "--fail-post-every", "2");
        Path accessLog = dir.resolve("access.log");

        Shop.Run run = run(STREAMING, config(upstream, accessLog, ""), "--post-every", "1", "--body-bytes", "1000",
                "--body-mode", "streamed");

        assertEquals(0, run.exitCode(), run.describe());
        var entries = AccessLogFile.read(accessLog);
        assertEquals(STREAMING.size(), entries.size(), joined(entries));
        for (var e : entries) {
            assertEquals(1L, e.attempts(), "a stream of unknown length is not replayable: " + e.line());
        }
        assertEquals(STREAMING.size(), upstream.stats().bodies());
    }

    @Test
    void retryAfterSetsTheWaitBeforeTheRetry() {
        // The first GET gets a 503 with Retry-After: 1; the back-off alone would retry after about 1ms.
        Upstream upstream = Upstream.start(processes, "items", "--fail-first", "1", "--retry-after", "1");
        Path accessLog = dir.resolve("access.log");

        Shop.Run run = run(ALL, config(upstream, accessLog, ", honorRetryAfter: true"));

        assertEquals(0, run.exitCode(), run.describe());
        assertEquals("SUMMARY ok=" + ALL.size() + " failed=0", run.lines().get(ALL.size()), run.describe());
        var first = AccessLogFile.read(accessLog).get(0);
        assertEquals(2L, first.attempts(), first.line());
        assertEquals(200L, first.status(), first.line());
        // A lower bound only (the wait cannot be shorter than asked): no timing threshold the machine could miss.
        assertTrue(first.durationMs() >= 1000, "the retry waited for Retry-After: " + first.line());
        Upstream.Stats stats = upstream.stats();
        assertEquals(1, stats.served503(), stats.toString());
        assertEquals(ALL.size() + 1, stats.requests(), "one retry in all: " + stats);
    }

    @Test
    void aRetryAfterBeyondTheTimeoutGivesTheAppThe503AtOnce() {
        Upstream upstream = Upstream.start(processes, "items", "--fail-first", "1", "--retry-after", "3600");
        Path accessLog = dir.resolve("access.log");

        Shop.Run run = run(ALL, config(upstream, accessLog, ", honorRetryAfter: true"), "--calls", "1");

        assertEquals(0, run.exitCode(), run.describe());
        assertEquals("FAIL okhttp GET /items/0 status=503", run.lines().get(0), run.describe());
        var only = AccessLogFile.read(accessLog).get(0);
        assertEquals(1L, only.attempts(), "no retry can wait an hour within a 10s timeout: " + only.line());
        assertEquals(503L, only.status(), only.line());
    }

    private static String joined(List<AccessLogFile.Entry> entries) {
        return entries.stream().map(AccessLogFile.Entry::line).collect(Collectors.joining("\n"));
    }
}
