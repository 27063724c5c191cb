package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Class-loader reality: a Spring Boot 3 executable fat jar (its libraries nested in {@code BOOT-INF/lib},
 * loaded by Boot's own class loader) whose RestClient and RestTemplate call {@code http://inventory} over
 * Apache HttpClient 5 is protected exactly like the plain demos: routed by service name, 503s hidden by
 * retries, a POST never retried, a per-try timeout surfacing as the library's own exception (inside Spring's
 * wrapper), and exactly one access-log line per logical call although Spring and HttpClient are layered, with
 * the app's own class as {@code caller}.
 */
class SpringBootSmokeTest {
    private static final String CALLER_CLASS = "dev.jmesh.demo.springclient.SpringBootClient.";
    private static final List<String> CLIENTS = List.of("restclient", "resttemplate");

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void theFatJarIsProtectedLikeThePlainDemo() {
        Upstream a = Upstream.start(processes, "a", "--fail-503", "0.3", "--seed", "21");
        Upstream b = Upstream.start(processes, "b", "--fail-503", "0.3", "--seed", "22");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    loadBalancer: round_robin
                    timeout: 5s
                    retry: { maxAttempts: 8, perTryTimeout: 1s, backoff: { base: 5ms, max: 50ms }, retryOn: [connect-failure, reset, 5xx] }
                """.formatted(MeshYaml.endpoints(a, b)) + MeshYaml.accessLog(accessLog));
        int calls = 30;
        int postEvery = 5;

        Shop.Run run = run(Shop.agent(config), "--base=http://inventory", "--calls=" + calls,
                "--post-every=" + postEvery);

        assertEquals(0, run.exitCode(), run.describe());
        assertTrue(run.jmeshLines().stream().noneMatch(l -> l.startsWith("[jmesh] WARN") || l.startsWith("[jmesh] ERROR")),
                "a valid config must not produce warnings\n" + run.describe());
        List<String> lines = appLines(run);
        assertEquals(calls + 1, lines.size(), run.describe());
        int posts = 0;
        int createdPosts = 0;
        for (int i = 0; i < calls; i++) {
            String client = CLIENTS.get(i % CLIENTS.size());
            if ((i + 1) % postEvery == 0) {
                posts++;
                assertTrue(lines.get(i).matches("OK " + client + " POST /orders 201 \\d+")
                                || lines.get(i).equals("FAIL " + client + " POST /orders status=503"),
                        "line " + i + "\n" + run.describe());
                createdPosts += lines.get(i).startsWith("OK ") ? 1 : 0;
            } else {
                assertTrue(lines.get(i).matches("OK " + client + " GET /items/" + i + " 200 \\d+"),
                        "every GET succeeds: line " + i + "\n" + run.describe());
            }
        }
        assertEquals("SUMMARY ok=" + (calls - posts + createdPosts) + " failed=" + (posts - createdPosts),
                lines.get(calls), run.describe());
        assertTrue(createdPosts < posts, "with 30% 503s some POST must have got one (the seeds make sure)\n"
                + run.describe());

        var entries = AccessLogFile.read(accessLog);
        assertEquals(calls, entries.size(), "exactly one access-log line per logical call, although RestClient and"
                + " RestTemplate sit on HttpClient 5\n" + joined(entries));
        Set<String> endpoints = Set.of(a.address(), b.address());
        long attempts = 0;
        long retried = 0;
        for (int i = 0; i < calls; i++) {
            var e = entries.get(i); // sequential calls: the log's lines are in call order
            boolean post = (i + 1) % postEvery == 0;
            assertEquals("outbound", e.direction(), e.line());
            assertEquals("http", e.protocol(), e.line());
            assertEquals("inventory", e.service(), e.line());
            assertEquals("inventory", e.authority(), e.line());
            assertEquals(post ? "POST" : "GET", e.method(), e.line());
            assertEquals(post ? "/orders" : "/items/" + i, e.path(), e.line());
            assertTrue(endpoints.contains(e.upstream()), "upstream must be one of " + endpoints + ": " + e.line());
            assertTrue(e.text("trace_id").matches("[0-9a-f]{32}"), e.line());
            assertNull(e.error(), e.line());
            // The app's own method, not Spring's RestClient/RestTemplate nor Apache's client.
            assertTrue(e.caller() != null && e.caller().startsWith(CALLER_CLASS), "caller: " + e.line());
            if (post) {
                assertEquals(1L, e.attempts(), "a POST gets exactly one attempt: " + e.line());
                assertEquals(lines.get(i).startsWith("OK ") ? 201L : 503L, e.status(), e.line());
            } else {
                assertEquals(200L, e.status(), e.line());
                retried += e.attempts() > 1 ? 1 : 0;
            }
            attempts += e.attempts();
        }
        assertTrue(retried > 0, "some GETs must have needed a retry\n" + joined(entries));
        Upstream.Stats sa = a.stats();
        Upstream.Stats sb = b.stats();
        assertEquals(attempts, sa.requests() + sb.requests(), "attempts in the log = requests upstream: " + sa + " " + sb);
        assertEquals(createdPosts, sa.postsReceived() + sb.postsReceived(), sa + " " + sb);
    }

    @Test
    void aPerTryTimeoutIsTheLibrarysOwnException() {
        Upstream slow = Upstream.start(processes, "slow", "--delay", "1.0", "--delay-ms", "3000");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    timeout: 600ms
                    retry: { maxAttempts: 2, perTryTimeout: 250ms, backoff: { base: 5ms, max: 50ms }, retryOn: [connect-failure, reset, 5xx] }
                """.formatted(MeshYaml.endpoints(slow)) + MeshYaml.accessLog(accessLog));

        Shop.Run run = run(Shop.agent(config), "--base=http://inventory", "--calls=2");

        assertEquals(0, run.exitCode(), run.describe());
        List<String> lines = appLines(run);
        // Spring wraps it in ResourceAccessException; the app reports the cause: HttpClient 5's own exception.
        assertTrue(lines.get(0).matches("FAIL restclient GET /items/0 SocketTimeoutException: .*"), run.describe());
        assertTrue(lines.get(1).matches("FAIL resttemplate GET /items/1 SocketTimeoutException: .*"), run.describe());
        assertEquals("SUMMARY ok=0 failed=2", lines.get(2), run.describe());

        var entries = AccessLogFile.read(accessLog);
        assertEquals(2, entries.size(), joined(entries));
        for (var e : entries) {
            assertNull(e.status(), e.line());
            assertTrue(e.flags().contains("UT"), "flags must contain UT: " + e.line());
            assertTrue(e.error() != null && e.error().startsWith("java.net.SocketTimeoutException"), e.line());
            assertTrue(e.durationMs() < 3000, "the call must end on the mesh's timeout: " + e.line());
            assertTrue(e.caller() != null && e.caller().startsWith(CALLER_CLASS), "caller: " + e.line());
        }
    }

    private Shop.Run run(List<String> jvmArgs, String... args) {
        JavaProcess process = processes.javaJar("spring-boot-client+agent", jvmArgs, SmokeEnv.springBootClientJar(),
                List.of(args), null);
        return new Shop.Run(process, process.awaitExit(Shop.TIMEOUT));
    }

    /** The app's OK/FAIL/SUMMARY lines (Spring logs only warnings, but those would go to stdout too). */
    private static List<String> appLines(Shop.Run run) {
        return run.lines().stream().filter(l -> l.startsWith("OK ") || l.startsWith("FAIL ") || l.startsWith("SUMMARY "))
                .toList();
    }

    private static String joined(List<AccessLogFile.Entry> entries) {
        return entries.stream().map(AccessLogFile.Entry::line).collect(Collectors.joining("\n"));
    }
}
