package dev.jmesh.smoke;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JDBC against two real PostgreSQL servers on 127.0.0.1 (Debian's package; see {@link PostgresServer}): the
 * jdbc-app demo, unchanged, connects to {@code jdbc:postgresql://orders-db/postgres}, a host that does not
 * exist; jmesh's {@code databases.orders-db.endpoints} name the two servers. Proves failover when the first
 * server stops, a slow query cut by a statement policy with {@code SQLTimeoutException}, the database's circuit
 * breaker opening and closing, one record per logical call through HikariCP's proxies, and that the password
 * given in the JDBC URL and properties appears nowhere in the access log or stderr.
 */
class JdbcPostgresSmokeTest {
    private static final String PASSWORD = "pw-" + UUID.randomUUID().toString().substring(0, 12);
    private static final String URL = "jdbc:postgresql://orders-db/postgres?ApplicationName=jdbc-app&password=" + PASSWORD;
    private static final Duration WITHIN = Duration.ofSeconds(90);
    private static PostgresServer first;
    private static PostgresServer second;

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @BeforeAll
    static void createServers() {
        Path root = Path.of("target", "postgres").toAbsolutePath();
        first = PostgresServer.create(root.resolve("first"));
        second = PostgresServer.create(root.resolve("second"));
    }

    @AfterAll
    static void stopServers() {
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
    }

    @Test
    void newConnectionsFailOverToTheSecondServerWhenTheFirstStops() throws Exception {
        first.start();
        second.start();
        Path accessLog = dir.resolve("access.log");
        Path stop = dir.resolve("stop");
        JavaProcess app = app(config(accessLog, "connectTimeout: 2s"),
                "--iterations", "1200", "--interval-ms", "50", "--stop-file", stop.toString());

        app.awaitStdoutLine(Pattern.compile("ok \\d+ port=" + first.port()), WITHIN);
        first.stop();
        awaitLines(app, "ok \\d+ port=" + second.port(), 5);
        Files.createFile(stop);
        assertEquals(0, app.awaitExit(WITHIN), app.describe());

        List<String> lines = app.stdoutLines();
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("connect-error")),
                "no new connection may fail while one server is up\n" + app.describe());
        // only the iteration running when the server stopped may lose its connection
        assertTrue(lines.stream().filter(l -> l.startsWith("query-error")).count() <= 1, app.describe());
        int firstOnSecond = indexOf(lines, "ok \\d+ port=" + second.port());
        for (String line : lines.subList(firstOnSecond, lines.size())) {
            assertTrue(line.equals("done") || line.startsWith("query-error") || line.endsWith("port=" + second.port()),
                    "after the failover every connection goes to the second server: " + line);
        }
        assertTrue(app.stderr().contains("database 'orders-db': endpoint " + first.address() + " ejected"),
                app.describe());

        List<AccessLogFile.Entry> entries = AccessLogFile.read(accessLog);
        assertTrue(entries.stream().allMatch(e -> "jdbc".equals(e.protocol()) && "orders-db".equals(e.service())),
                "every call is a jdbc call of orders-db");
        assertTrue(entries.stream().anyMatch(e -> "CONNECT".equals(e.method()) && e.attempts() == 2
                        && second.address().equals(e.upstream()) && e.error() == null),
                "a connect that failed over: two attempts, the second server");
        assertTrue(entries.stream().anyMatch(e -> "SELECT count(*) FROM orders WHERE customer = ? OR total > ?"
                        .equals(e.text("statement")) && "orders".equals(e.text("db_collection"))
                        && "postgresql".equals(e.text("db_system")) && "postgres".equals(e.text("db_namespace"))),
                "statements are logged with literals replaced by ?");
        assertTrue(entries.stream().noneMatch(e -> e.line().contains("alice")), "no literal value in the log");
        assertNoPassword(app, accessLog);
    }

    @Test
    void aSlowQueryIsCutByTheStatementPolicyWithSqlTimeoutException() throws Exception {
        first.start();
        Path accessLog = dir.resolve("access.log");
        JavaProcess app = app(config(accessLog, "queryTimeout: 30s\n    statements:\n"
                + "      - { match: { verb: SELECT }, queryTimeout: 1s }"), "--slow", "--iterations", "1");
        assertEquals(0, app.awaitExit(WITHIN), app.describe());

        List<String> lines = app.stdoutLines();
        assertTrue(lines.get(0).startsWith("slow-error java.sql.SQLTimeoutException: jmesh: the statement ran longer"
                + " than the queryTimeout of 1000ms"), app.describe());
        assertTrue(lines.contains("ok 1 port=" + first.port()), "the connection stays usable\n" + app.describe());
        List<AccessLogFile.Entry> slow = AccessLogFile.read(accessLog).stream()
                .filter(e -> "SELECT pg_sleep(?)".equals(e.text("statement"))).toList();
        assertEquals(1, slow.size(), "one record for the slow statement");
        AccessLogFile.Entry entry = slow.get(0);
        assertEquals("SELECT", entry.method(), entry.line());
        assertTrue(entry.flags().contains("UT"), entry.line());
        assertTrue(entry.error().startsWith("java.sql.SQLTimeoutException: jmesh:"), entry.line());
        assertNoPassword(app, accessLog);
    }

    @Test
    void aShadowStatementPolicyOnlyFlagsWhatItWouldHaveCut() throws Exception {
        first.start();
        Path accessLog = dir.resolve("access.log");
        JavaProcess app = app(config(accessLog, "statements:\n"
                + "      - { match: { verb: SELECT }, queryTimeout: 1s, mode: shadow }"), "--slow", "--iterations", "1");
        assertEquals(0, app.awaitExit(WITHIN), app.describe());

        assertEquals("slow-ok", app.stdoutLines().get(0), "shadow mode does not cut the statement\n" + app.describe());
        AccessLogFile.Entry slow = AccessLogFile.read(accessLog).stream()
                .filter(e -> "SELECT pg_sleep(?)".equals(e.text("statement"))).findFirst().orElseThrow();
        assertEquals(List.of("~UT"), slow.flags(), slow.line());
        assertEquals(null, slow.error(), slow.line());
        assertNoPassword(app, accessLog);
    }

    @Test
    void theBreakerOpensWhenBothServersAreDownAndClosesWhenOneIsBack() throws Exception {
        first.stop();
        second.stop();
        Path accessLog = dir.resolve("access.log");
        Path stop = dir.resolve("stop");
        JavaProcess app = app(config(accessLog, "circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 3,"
                        + " window: 30s, openDuration: 2s, halfOpenCalls: 1 }"),
                "--iterations", "1200", "--interval-ms", "50", "--stop-file", stop.toString());

        app.awaitStdoutLine(Pattern.compile("connect-error \\d+ java\\.sql\\.SQLTransientConnectionException: jmesh:"
                + " circuit breaker open for database 'orders-db' .*"), WITHIN);
        second.start();
        app.awaitStdoutLine(Pattern.compile("ok \\d+ port=" + second.port()), WITHIN);
        awaitLines(app, "ok \\d+ port=" + second.port(), 3);
        Files.createFile(stop);
        assertEquals(0, app.awaitExit(WITHIN), app.describe());

        assertTrue(app.stderr().contains("circuit breaker for database 'orders-db' opened"), app.describe());
        assertTrue(app.stderr().contains("circuit breaker for database 'orders-db' closed"), app.describe());
        List<AccessLogFile.Entry> entries = AccessLogFile.read(accessLog);
        List<AccessLogFile.Entry> rejected = entries.stream().filter(e -> e.flags().contains("UO")).toList();
        assertFalse(rejected.isEmpty(), "rejected connects are logged");
        for (AccessLogFile.Entry e : rejected) {
            assertEquals("jdbc", e.protocol(), e.line());
            assertEquals("CONNECT", e.method(), e.line());
            assertEquals(0L, e.attempts(), "an open breaker tries no server: " + e.line());
            assertTrue(e.error().startsWith("java.sql.SQLTransientConnectionException: jmesh: circuit breaker open"
                    + " for database 'orders-db'"), e.line());
        }
        assertTrue(entries.stream().anyMatch(e -> e.flags().contains("UF") && "CONNECT".equals(e.method())
                && e.attempts() == 2), "before it opened, each connect tried both servers");
        AccessLogFile.Entry last = entries.get(entries.size() - 1);
        assertEquals(null, last.error(), "calls succeed again once the breaker closed: " + last.line());
        assertNoPassword(app, accessLog);
    }

    @Test
    void hikariCallsAreRecordedOnceThroughThePoolsProxies() throws Exception {
        first.start();
        second.start();
        Path accessLog = dir.resolve("access.log");
        int iterations = 5;
        JavaProcess app = app(config(accessLog, "connectTimeout: 2s"),
                "--pool", "hikari", "--iterations", String.valueOf(iterations), "--interval-ms", "10");
        assertEquals(0, app.awaitExit(WITHIN), app.describe());

        assertEquals(iterations, app.stdoutLines().stream().filter(l -> l.startsWith("ok ")).count(), app.describe());
        List<AccessLogFile.Entry> entries = AccessLogFile.read(accessLog);
        // per iteration: CREATE, INSERT, COMMIT, SELECT count, SELECT inet_server_port (HikariCP's proxy statement
        // over the driver's statement, and setAutoCommit, add nothing)
        assertEquals(iterations, count(entries, "INSERT"), accessLog.toString());
        assertEquals(iterations, count(entries, "COMMIT"), accessLog.toString());
        assertEquals(2L * iterations, count(entries, "SELECT"), accessLog.toString());
        assertEquals(iterations, count(entries, "CREATE"), accessLog.toString());
        assertTrue(count(entries, "CONNECT") >= 1, "the pool's connections are opened through the mesh");
        assertTrue(entries.stream().filter(e -> "INSERT".equals(e.method()))
                        .allMatch(e -> "INSERT INTO orders (customer, total) VALUES (?, ?)".equals(e.text("statement"))),
                "a prepared statement's SQL is known when it executes");
        assertNoPassword(app, accessLog);
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private Path config(Path accessLog, String databaseSettings) {
        return MeshYaml.write(dir, "mesh.yaml", """
                databases:
                  orders-db:
                    match: "jdbc:postgresql://orders-db*"
                    endpoints: [%s, %s]
                    %s
                """.formatted(MeshYaml.quoted(first.address()), MeshYaml.quoted(second.address()), databaseSettings)
                + MeshYaml.accessLog(accessLog));
    }

    private JavaProcess app(Path config, String... args) {
        List<String> all = new ArrayList<>(List.of("--url", URL, "--user", "postgres", "--password", PASSWORD));
        all.addAll(List.of(args));
        return processes.javaJar("jdbc-app", List.of("-javaagent:" + SmokeEnv.agentJar(), "-Djmesh.config=" + config),
                SmokeEnv.jdbcAppJar(), all, dir);
    }

    /** Waits (bounded) until {@code count} stdout lines match {@code regex}. */
    private static void awaitLines(JavaProcess app, String regex, int count) throws InterruptedException {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (app.stdoutLines().stream().filter(l -> pattern.matcher(l).matches()).count() < count) {
            if (System.nanoTime() > deadline || !app.isAlive()) {
                throw new AssertionError("fewer than " + count + " lines matching " + regex + "\n" + app.describe());
            }
            Thread.sleep(50);
        }
    }

    private static int indexOf(List<String> lines, String regex) {
        Pattern pattern = Pattern.compile(regex);
        for (int i = 0; i < lines.size(); i++) {
            if (pattern.matcher(lines.get(i)).matches()) {
                return i;
            }
        }
        throw new AssertionError("no line matches " + regex + ": " + lines);
    }

    private static long count(List<AccessLogFile.Entry> entries, String method) {
        return entries.stream().filter(e -> method.equals(e.method())).count();
    }

    /** The password from the JDBC URL and properties appears nowhere jmesh writes. */
    static void assertNoPassword(JavaProcess app, Path accessLog) throws IOException {
        assertFalse(Files.readString(accessLog).contains(PASSWORD), "the access log holds the password");
        assertFalse(app.stderr().contains(PASSWORD), "stderr holds the password\n" + app.stderr());
        assertFalse(app.stdout().contains(PASSWORD), "stdout holds the password");
    }
}
