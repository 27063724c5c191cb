package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #6 in real JVMs: the library-clients demo (OkHttp sync and async, Apache HttpClient 4 builder and legacy
 * {@code DefaultHttpClient}, Apache HttpClient 5 classic, async with {@code SimpleHttpRequest} and async with streaming
 * producers and consumers) run with the agent against the oldest and the newest version of each library the agent
 * claims (and the last OkHttp 4.x), the jars of each version line from its own folder (see the pom); and the JDK's
 * own clients ({@code HttpClient} {@code send} and {@code sendAsync}, {@code HttpURLConnection}) on the JVM that runs
 * the test. For every client and version line:
 * <ul>
 *   <li>calls to {@code http://inventory/...} are routed by service name to two flaky upstreams (seeded 503s)
 *       and every GET succeeds, some only thanks to a retry;</li>
 *   <li>a POST is never retried: the app sees the upstream's 503, and the upstreams count exactly as many
 *       requests as the access log counts attempts;</li>
 *   <li>a per-try timeout against an upstream that answers too late fails with the library's own
 *       timeout exception ({@code SocketTimeoutException}; the JDK client's {@code HttpTimeoutException}), flagged
 *       UT;</li>
 *   <li>exactly one access-log line per logical call, with the fields and values the JDK clients produce,
 *       and the calling class of the app as {@code caller}.</li>
 * </ul>
 * To keep the suite quick, one JVM runs one library version of each kind side by side (their packages differ),
 * and each such set needs two runs: the flaky upstreams, then the slow one.
 */
class LibraryClientsSmokeTest {
    static final String MAIN_CLASS = "dev.jmesh.demo.clients.LibraryClients";
    /** A JDK class has no jar: its "from" is followed by why. */
    private static final String ANNOUNCE = "library-clients: (\\S+) uses (\\S+) from (\\S+).*";
    private static final Pattern JMESH_WARNING = Pattern.compile("\\[jmesh] (WARN|ERROR).*");

    /** A library version line: its folder's system property and the demo's clients that use it. */
    enum Line {
        OKHTTP_OLDEST("okhttp.oldest", "okhttp", "okhttp-async"),
        OKHTTP_LAST4("okhttp.last4", "okhttp", "okhttp-async"),
        OKHTTP_NEWEST("okhttp.newest", "okhttp", "okhttp-async"),
        HTTPCLIENT4_OLDEST("httpclient4.oldest", "apache4", "apache4-legacy"),
        HTTPCLIENT4_NEWEST("httpclient4.newest", "apache4", "apache4-legacy"),
        HTTPCLIENT5_OLDEST("httpclient5.oldest", "apache5", "apache5-async", "apache5-stream"),
        HTTPCLIENT5_NEWEST("httpclient5.newest", "apache5", "apache5-async", "apache5-stream"),
        /** The JDK's own clients: no jars, the JVM that runs the test. */
        JDK(null, "jdk", "jdk-async", "huc");

        final String property;
        final List<String> clients;

        Line(String property, String... clients) {
            this.property = property;
            this.clients = List.of(clients);
        }

        Path dir() {
            return SmokeEnv.clientLibs(property);
        }

        List<Path> jars() {
            if (property == null) {
                return List.of();
            }
            try (Stream<Path> files = Files.list(dir())) {
                return files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The folder's name, e.g. {@code okhttp-3.9.0}: the library and its version. */
        String label() {
            return property == null ? "the JDK's" : dir().getFileName().toString();
        }
    }

    /** The lines one JVM runs side by side: at most one version of each library. */
    enum VersionSet {
        OLDEST(Line.OKHTTP_OLDEST, Line.HTTPCLIENT4_OLDEST, Line.HTTPCLIENT5_OLDEST),
        NEWEST(Line.OKHTTP_NEWEST, Line.HTTPCLIENT4_NEWEST, Line.HTTPCLIENT5_NEWEST),
        OKHTTP_4(Line.OKHTTP_LAST4),
        JDK(Line.JDK);

        final List<Line> lines;

        VersionSet(Line... lines) {
            this.lines = List.of(lines);
        }

        /** Every client of every line, in the order the demo rotates through them. */
        List<String> clients() {
            return lines.stream().flatMap(l -> l.clients.stream()).toList();
        }

        Line lineOf(String client) {
            return lines.stream().filter(l -> l.clients.contains(client)).findFirst().orElseThrow();
        }

        List<Path> classPath() {
            List<Path> classPath = new ArrayList<>();
            classPath.add(SmokeEnv.libraryClientsJar());
            lines.forEach(l -> classPath.addAll(l.jars()));
            return classPath;
        }
    }

    /** The demo's class each client's calls come from (the access log's {@code caller}). */
    private static final Map<String, String> CALLER_CLASS = Map.of(
            "okhttp", "dev.jmesh.demo.clients.OkHttpCalls",
            "okhttp-async", "dev.jmesh.demo.clients.OkHttpCalls",
            "apache4", "dev.jmesh.demo.clients.Apache4Calls",
            "apache4-legacy", "dev.jmesh.demo.clients.Apache4Calls",
            "apache5", "dev.jmesh.demo.clients.Apache5Calls",
            "apache5-async", "dev.jmesh.demo.clients.Apache5AsyncCalls",
            "apache5-stream", "dev.jmesh.demo.clients.Apache5StreamCalls",
            "jdk", "dev.jmesh.demo.clients.JdkCalls",
            "jdk-async", "dev.jmesh.demo.clients.JdkCalls",
            "huc", "dev.jmesh.demo.clients.UrlConnectionCalls");

    /**
     * Calls per client in the flaky run; every 5th call is a POST (5 shares no factor with any set's number of
     * clients, so that every client makes both GETs and POSTs).
     */
    private static final int CALLS_PER_CLIENT = 12;
    private static final int POST_EVERY = 5;
    /** Small sets make more calls each, so that some POST meets a 503 (the seeds make sure of it). */
    private static final int MIN_CALLS = 60;

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    /** Access-log lines whose {@code caller} is not the demo's class that made the call. */
    private final List<String> wrongCallers = new ArrayList<>();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(VersionSet.class)
    void everyClientIsRoutedRetriedTimedOutAndLoggedOnce(VersionSet set) {
        // 30% 503s on each upstream, seeded: the calls are sequential and round robin starts at the first
        // endpoint, so which attempt gets a 503 is the same in every run. The flaky upstreams answer at once, so
        // inventory's per-try timeout is only a bound: a short one would, on a loaded machine, add an attempt that
        // shifts the seeded 503s to other clients (or that never reached an upstream, which the counts would miss).
        Upstream a = Upstream.start(processes, "a", "--fail-503", "0.3", "--seed", "11");
        Upstream b = Upstream.start(processes, "b", "--fail-503", "0.3", "--seed", "12");
        // Every request held for 3 s; the mesh allows 250 ms per try, two tries, 600 ms overall.
        Upstream slow = Upstream.start(processes, "slow", "--delay", "1.0", "--delay-ms", "3000");
        String services = """
                services:
                  inventory:
                    endpoints: %s
                    loadBalancer: round_robin
                    timeout: 30s
                    retry: { maxAttempts: 8, perTryTimeout: 10s, backoff: { base: 5ms, max: 50ms }, retryOn: [connect-failure, reset, 5xx] }
                  slow:
                    endpoints: %s
                    timeout: 600ms
                    retry: { maxAttempts: 2, perTryTimeout: 250ms, backoff: { base: 5ms, max: 50ms }, retryOn: [connect-failure, reset, 5xx] }
                """.formatted(MeshYaml.endpoints(a, b), MeshYaml.endpoints(slow));
        // One config per run, each with its own access log.
        Path flakyLog = dir.resolve("access-flaky.log");
        Path slowLog = dir.resolve("access-slow.log");
        Path flakyConfig = MeshYaml.write(dir, "mesh-flaky.yaml", services + MeshYaml.accessLog(flakyLog));
        Path slowConfig = MeshYaml.write(dir, "mesh-slow.yaml", services + MeshYaml.accessLog(slowLog));

        flakyUpstreamsAreHidden(set, flakyConfig, flakyLog, a, b);
        slowUpstreamTimesOut(set, slowConfig, slowLog, slow);
        // Checked last, so that a wrong caller does not hide how the rest went.
        assertEquals(List.of(), wrongCallers, "caller must name the demo's class that called the library");
    }

    /** GETs all succeed through retries, POSTs are sent once, one log line per call, from both endpoints. */
    private void flakyUpstreamsAreHidden(VersionSet set, Path config, Path accessLog, Upstream a, Upstream b) {
        List<String> clients = set.clients();
        int calls = Math.max(CALLS_PER_CLIENT * clients.size(), MIN_CALLS);

        Shop.Run run = run(set, agent(config), "--base", "http://inventory", "--calls", String.valueOf(calls),
                "--client", String.join(",", clients), "--post-every", String.valueOf(POST_EVERY));

        assertEquals(0, run.exitCode(), run.describe());
        assertLibrariesLoadedFromTheirLines(set, run);
        assertNoAgentWarnings(run);
        List<String> lines = run.lines();
        assertEquals(calls + 1, lines.size(), run.describe());
        List<Integer> posts = new ArrayList<>();
        int createdPosts = 0;
        for (int i = 0; i < calls; i++) {
            String client = clients.get(i % clients.size());
            String line = lines.get(i);
            if ((i + 1) % POST_EVERY == 0) {
                posts.add(i);
                assertTrue(line.matches("OK " + client + " POST /orders 201 \\d+")
                                || line.equals("FAIL " + client + " POST /orders status=503"),
                        "a POST either succeeds or gets the upstream's 503: line " + i + "\n" + run.describe());
                if (line.startsWith("OK ")) {
                    createdPosts++;
                }
            } else {
                assertTrue(line.matches("OK " + client + " GET /items/" + i + " 200 \\d+"),
                        "every GET succeeds: line " + i + "\n" + run.describe());
            }
        }
        assertEquals("SUMMARY ok=" + (calls - posts.size() + createdPosts) + " failed=" + (posts.size() - createdPosts),
                lines.get(calls), run.describe());
        assertTrue(createdPosts < posts.size(), "with 30% 503s some POST must have got one (the seeds make sure)"
                + " and been passed to the app, not retried\n" + run.describe());

        var entries = AccessLogFile.read(accessLog);
        assertEquals(calls, entries.size(), "one access-log line per logical call\n" + joined(entries));
        Set<String> endpoints = Set.of(a.address(), b.address());
        Map<String, Integer> retriedGets = new LinkedHashMap<>();
        clients.forEach(c -> retriedGets.put(c, 0));
        long attempts = 0;
        for (int i = 0; i < calls; i++) {
            // Sequential calls: the log's lines are in call order.
            var e = entries.get(i);
            String client = clients.get(i % clients.size());
            boolean post = posts.contains(i);
            assertEquals("outbound", e.direction(), e.line());
            assertEquals("http", e.protocol(), e.line());
            assertEquals("inventory", e.service(), e.line());
            assertEquals("inventory", e.authority(), e.line());
            assertEquals(post ? "POST" : "GET", e.method(), e.line());
            assertEquals(post ? "/orders" : "/items/" + i, e.path(), e.line());
            assertTrue(endpoints.contains(e.upstream()), "upstream must be one of " + endpoints + ": " + e.line());
            assertTrue(e.text("trace_id").matches("[0-9a-f]{32}"), e.line());
            assertNull(e.error(), e.line());
            assertCaller(client, e);
            if (post) {
                assertEquals(1L, e.attempts(), "a POST gets exactly one attempt: " + e.line());
                long status = lines.get(i).startsWith("OK ") ? 201 : 503;
                assertEquals(status, e.status(), "the status the app saw: " + e.line());
            } else {
                assertEquals(200L, e.status(), e.line());
                assertTrue(e.attempts() >= 1 && e.attempts() <= 8, e.line());
                assertEquals(List.of(), e.flags(), e.line());
                if (e.attempts() > 1) {
                    retriedGets.merge(client, 1, Integer::sum);
                }
            }
            attempts += e.attempts();
        }
        for (String client : clients) {
            assertTrue(retriedGets.get(client) > 0, "a retry must have hidden a 503 from " + client + " ("
                    + set.lineOf(client).label() + "): " + retriedGets + "\n" + joined(entries));
        }

        Upstream.Stats sa = a.stats();
        Upstream.Stats sb = b.stats();
        // Neither the libraries nor the mesh sent anything the log does not count: no hidden resends.
        assertEquals(attempts, sa.requests() + sb.requests(), "attempts in the log = requests upstream: " + sa + " " + sb);
        assertEquals(createdPosts, sa.postsReceived() + sb.postsReceived(), sa + " " + sb);
        assertTrue(sa.served503() > 0 && sb.served503() > 0, "both upstreams served 503s: " + sa + " " + sb);
        assertTrue(sa.requests() > 0 && sb.requests() > 0, "round robin uses both endpoints: " + sa + " " + sb);
    }

    /**
     * The timeout exception each client's library throws (a pattern of its class name): the JDK client's own
     * (its connect-timeout subclass when a cold JVM is slow to connect), SocketTimeoutException for the rest.
     */
    static String timeoutException(String client) {
        return client.startsWith("jdk") ? "java\\.net\\.http\\.Http(Connect)?TimeoutException"
                : "java\\.net\\.SocketTimeoutException";
    }

    /** Each client's call to the slow service fails with the library's timeout exception, flag UT. */
    private void slowUpstreamTimesOut(VersionSet set, Path config, Path accessLog, Upstream slow) {
        List<String> clients = set.clients();
        int calls = clients.size();

        Shop.Run run = run(set, agent(config), "--base", "http://slow", "--calls", String.valueOf(calls),
                "--client", String.join(",", clients));

        assertEquals(0, run.exitCode(), run.describe());
        assertNoAgentWarnings(run);
        List<String> lines = run.lines();
        assertEquals(calls + 1, lines.size(), run.describe());
        for (int i = 0; i < calls; i++) {
            String pattern = timeoutException(clients.get(i));
            String simpleName = pattern.substring(pattern.lastIndexOf('.') + 1);
            assertTrue(lines.get(i).matches("FAIL " + clients.get(i) + " GET /items/" + i + " " + simpleName + ": .*"),
                    "the library's own timeout exception: line " + i + "\n" + run.describe());
        }
        assertEquals("SUMMARY ok=0 failed=" + calls, lines.get(calls), run.describe());

        var entries = AccessLogFile.read(accessLog);
        assertEquals(calls, entries.size(), "one access-log line per logical call\n" + joined(entries));
        long attempts = 0;
        for (int i = 0; i < calls; i++) {
            var e = entries.get(i);
            assertEquals("slow", e.service(), e.line());
            assertEquals("/items/" + i, e.path(), e.line());
            assertNull(e.status(), "a timed-out call has no status: " + e.line());
            assertTrue(e.error() != null && e.error().matches(timeoutException(clients.get(i)) + "\\b.*"), e.line());
            boolean connectTimeout = e.error().contains("ConnectTimeout");
            assertTrue(e.flags().contains("UT") || (connectTimeout && e.flags().contains("UF")),
                    "flags must contain UT (UF for a connect timeout): " + e.line());
            assertTrue(e.attempts() >= 1 && e.attempts() <= 2, e.line());
            // Not a timing test: only that the mesh cut the call, which otherwise takes the upstream's 3 s.
            assertTrue(e.durationMs() < 3000, "the call must end on the mesh's timeout: " + e.line());
            assertCaller(clients.get(i), e);
            attempts += e.attempts();
        }
        // A resend by the library would be a request upstream that no attempt counts. (Fewer requests than attempts
        // is no resend: on a loaded machine a retry left with a few ms of the 600 ms can time out before it connects.)
        long requests = slow.stats().requests();
        assertTrue(requests <= attempts, "no resend of a timed-out request by the library: " + requests
                + " requests upstream, " + attempts + " attempts in the log");
    }

    /** Without the agent the service name means nothing: every client fails to resolve it. */
    @Test
    void withoutTheAgentTheServiceNameDoesNotResolve() {
        VersionSet set = VersionSet.NEWEST;
        List<String> clients = set.clients();

        Shop.Run run = run(set, List.of(), "--base", "http://inventory", "--calls", String.valueOf(clients.size()),
                "--client", String.join(",", clients));

        assertEquals(0, run.exitCode(), run.describe());
        assertLibrariesLoadedFromTheirLines(set, run);
        for (int i = 0; i < clients.size(); i++) {
            assertTrue(run.lines().get(i).matches("FAIL " + clients.get(i) + " GET /items/" + i + " UnknownHostException: .*"),
                    "line " + i + "\n" + run.describe());
        }
        assertEquals("SUMMARY ok=0 failed=" + clients.size(), run.lines().get(clients.size()), run.describe());
    }

    private Shop.Run run(VersionSet set, List<String> jvmArgs, String... args) {
        JavaProcess process = processes.javaMain("library-clients-" + set.name().toLowerCase() + (jvmArgs.isEmpty() ? "" : "+agent"),
                jvmArgs, set.classPath(), MAIN_CLASS, List.of(args), null);
        return new Shop.Run(process, process.awaitExit(Shop.TIMEOUT));
    }

    private static List<String> agent(Path config) {
        return Shop.agent(config);
    }

    /** The demo says on stderr which jar each client's library came from: it must be its line's folder. */
    private static void assertLibrariesLoadedFromTheirLines(VersionSet set, Shop.Run run) {
        Map<String, String> loadedFrom = new LinkedHashMap<>();
        Pattern announce = Pattern.compile(ANNOUNCE);
        for (String line : run.process().stderrLines()) {
            Matcher m = announce.matcher(line);
            if (m.matches()) {
                loadedFrom.put(m.group(1), m.group(3));
            }
        }
        assertEquals(new TreeSet<>(set.clients()), new TreeSet<>(loadedFrom.keySet()), run.describe());
        for (String client : set.clients()) {
            Line line = set.lineOf(client);
            if (line == Line.JDK) {
                continue; // a JDK class has no jar to name
            }
            Set<String> jars = line.jars().stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
            assertTrue(jars.contains(loadedFrom.get(client)), client + " must run on " + line.label() + " " + jars
                    + ", not " + loadedFrom.get(client));
        }
    }

    private static void assertNoAgentWarnings(Shop.Run run) {
        assertTrue(run.jmeshLines().stream().noneMatch(l -> JMESH_WARNING.matcher(l).matches()),
                "a valid config must not produce warnings\n" + run.describe());
        assertTrue(run.process().stderrLines().stream().noneMatch(l -> l.contains("callback called again")),
                "an async callback must run exactly once\n" + run.describe());
    }

    /** {@code caller} names the demo's method that called the library, not OkHttp's, Apache's or the JDK's. */
    private void assertCaller(String client, AccessLogFile.Entry e) {
        String expected = CALLER_CLASS.get(client) + ".";
        if (e.caller() == null || !e.caller().startsWith(expected)) {
            wrongCallers.add(client + " (expected " + expected + "<method>:<line>): " + e.line());
        }
    }

    private static String joined(List<AccessLogFile.Entry> entries) {
        return entries.stream().map(AccessLogFile.Entry::line).collect(Collectors.joining("\n"));
    }
}
