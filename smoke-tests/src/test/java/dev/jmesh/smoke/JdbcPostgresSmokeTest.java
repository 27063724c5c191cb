package dev.jmesh.smoke;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    /** 1s: PostgreSQL's own timer (Statement.setQueryTimeout); 300ms: jmesh's timer calls Statement.cancel. */
    @ParameterizedTest(name = "queryTimeout {0}")
    @CsvSource({"1s, 1000, the driver cancelled it", "300ms, 300, jmesh cancelled it (Statement.cancel)"})
    void aSlowQueryIsCutByTheStatementPolicyWithSqlTimeoutException(String timeout, int millis, String how)
            throws Exception {
        first.start();
        Path accessLog = dir.resolve("access.log");
        JavaProcess app = app(config(accessLog, "queryTimeout: 30s\n    statements:\n"
                + "      - { match: { verb: SELECT }, queryTimeout: " + timeout + " }"), "--slow", "--iterations", "1");
        assertEquals(0, app.awaitExit(WITHIN), app.describe());

        List<String> lines = app.stdoutLines();
        assertTrue(lines.get(0).startsWith("slow-error java.sql.SQLTimeoutException: jmesh: the statement ran longer"
                + " than the queryTimeout of " + millis + "ms and " + how), app.describe());
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
    void aStatementPolicyAppliesToItsVerbAndTableOnly() throws Exception {
        first.start();
        Path accessLog = dir.resolve("access.log");
        JavaProcess app = app(config(accessLog, "statements:\n"
                + "      - { match: { verb: SELECT, table: \"report*\" }, queryTimeout: 300ms }"), statementArgs(List.of(
                "CREATE TABLE IF NOT EXISTS reports (v INT)",
                "CREATE TABLE IF NOT EXISTS ledger (v INT)",
                "INSERT INTO reports SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM reports)",
                "INSERT INTO ledger SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM ledger)",
                "SELECT pg_sleep(1) FROM reports LIMIT 1",
                "SELECT pg_sleep(1) FROM ledger LIMIT 1",
                "UPDATE reports SET v = v FROM (SELECT pg_sleep(1)) AS pause")));
        assertEquals(0, app.awaitExit(WITHIN), app.describe());

        List<String> lines = app.stdoutLines();
        assertTrue(lines.contains("statement-error 5 java.sql.SQLTimeoutException: jmesh: the statement ran longer than"
                + " the queryTimeout of 300ms and jmesh cancelled it (Statement.cancel) [57014]"), app.describe());
        assertTrue(lines.contains("statement-ok 6"), "another table: no policy\n" + app.describe());
        assertTrue(lines.contains("statement-ok 7"), "another verb: no policy\n" + app.describe());
        List<AccessLogFile.Entry> slow = AccessLogFile.read(accessLog).stream()
                .filter(e -> String.valueOf(e.text("statement")).contains("pg_sleep")).toList();
        assertEquals(List.of("SELECT reports [UT]", "SELECT ledger []", "UPDATE reports []"), slow.stream()
                .map(e -> e.method() + " " + e.text("db_collection") + " " + e.flags()).toList(), slow.toString());
        assertNoPassword(app, accessLog);
    }

    /** A plpgsql function that fails with SQLState 40001 (serialization failure) on every other call. */
    private static final List<String> FLAKY_SETUP = List.of(
            "CREATE TABLE IF NOT EXISTS flaky_log (v INT)",
            "CREATE SEQUENCE IF NOT EXISTS flaky_seq",
            "CREATE OR REPLACE FUNCTION flaky() RETURNS INT LANGUAGE plpgsql AS $$ BEGIN"
                    + " IF nextval('flaky_seq') % 2 = 1 THEN"
                    + " RAISE EXCEPTION 'simulated serialization failure' USING ERRCODE = '40001'; END IF;"
                    + " RETURN 1; END $$",
            "INSERT INTO flaky_log SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM flaky_log)");
    /** The next call of flaky() fails, the one after succeeds. */
    private static final String FLAKY_FAILS_NEXT = "SELECT setval('flaky_seq', 2)";

    @Test
    void aReadOutsideATransactionIsRetriedOnATransientSqlStateAndNothingElseIs() throws Exception {
        first.start();
        Path accessLog = dir.resolve("access.log");
        Path config = config(accessLog, "statements:\n"
                + "      - { match: { table: flaky_log }, retry: { maxAttempts: 3, backoff: { base: 10ms, max: 50ms } } }");
        List<String> statements = new ArrayList<>(FLAKY_SETUP);
        statements.addAll(List.of(FLAKY_FAILS_NEXT, "SELECT flaky() FROM flaky_log LIMIT 1",
                FLAKY_FAILS_NEXT, "INSERT INTO flaky_log SELECT flaky()"));
        JavaProcess autoCommit = app(config, statementArgs(statements));
        assertEquals(0, autoCommit.awaitExit(WITHIN), autoCommit.describe());
        List<String> lines = autoCommit.stdoutLines();
        assertTrue(lines.contains("statement-ok 6"), "the read succeeded on its retry\n" + autoCommit.describe());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("statement-error 8 ") && l.endsWith("[40001]")),
                "a write is not retried\n" + autoCommit.describe());

        JavaProcess transaction = app(config, statementArgs(List.of(FLAKY_FAILS_NEXT,
                "SELECT flaky() FROM flaky_log LIMIT 1"), "--in-transaction"));
        assertEquals(0, transaction.awaitExit(WITHIN), transaction.describe());
        assertTrue(transaction.stdoutLines().stream().anyMatch(l -> l.startsWith("statement-error 2 ")
                && l.endsWith("[40001]")), "a read inside a transaction is not retried\n" + transaction.describe());

        List<AccessLogFile.Entry> flaky = AccessLogFile.read(accessLog).stream()
                .filter(e -> "flaky_log".equals(e.text("db_collection")) && e.text("statement").contains("flaky()"))
                .toList();
        assertEquals(3, flaky.size(), flaky.toString());
        AccessLogFile.Entry retried = flaky.get(0);
        assertEquals("SELECT", retried.method(), retried.line());
        assertEquals(2L, retried.attempts(), "one failure, one retry: " + retried.line());
        assertEquals(null, retried.error(), retried.line());
        assertEquals(List.of(), retried.flags(), retried.line());
        AccessLogFile.Entry write = flaky.get(1);
        assertEquals("INSERT", write.method(), write.line());
        assertEquals(1L, write.attempts(), write.line());
        assertTrue(write.error().contains("simulated serialization failure"), write.line());
        AccessLogFile.Entry inTransaction = flaky.get(2);
        assertEquals("SELECT", inTransaction.method(), inTransaction.line());
        assertEquals(1L, inTransaction.attempts(), inTransaction.line());
        assertNoPassword(transaction, accessLog);
    }

    private static final String SLOW_CALL_BREAKER = "circuitBreaker: { slowCallRateThreshold: 50%%, slowCallDuration:"
            + " 500ms, minimumCalls: 3, window: 30s, openDuration: 1s, halfOpenCalls: 1%s }";

    /** Slow statements (pg_sleep(1), never faster than a second) against a slowCallDuration of 500ms. */
    private static List<String> slowThenFast() {
        List<String> statements = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            statements.add("SELECT pg_sleep(1)");
        }
        for (int i = 0; i < 5; i++) {
            statements.add("sleep:1500"); // past openDuration: the next statement is the half-open probe
            statements.add("SELECT 1");
        }
        return statements;
    }

    @Test
    void theSlowCallBreakerOpensOnSlowStatementsAndClosesOnFastOnes() throws Exception {
        first.start();
        Path accessLog = dir.resolve("access.log");
        JavaProcess app = app(config(accessLog, SLOW_CALL_BREAKER.formatted("")), statementArgs(slowThenFast()));
        assertEquals(0, app.awaitExit(WITHIN), app.describe());

        List<String> lines = app.stdoutLines();
        assertTrue(lines.contains("statement-ok 1"), app.describe());
        assertTrue(lines.stream().anyMatch(l -> l.matches("statement-error [2-5] java\\.sql\\.SQLTransientConnectionException:"
                + " jmesh: circuit breaker open for database 'orders-db' \\(slow-call rate of at least 50% \\(calls slower"
                + " than 500ms\\) over 30000ms\\); failing fast without calling the database \\[08001\\]")),
                "slow statements open the breaker\n" + app.describe());
        assertTrue(lines.contains("statement-ok 15"), "fast statements close it again\n" + app.describe());
        assertTrue(app.stderr().contains("circuit breaker for database 'orders-db' opened: slow-call rate"),
                app.describe());
        assertTrue(app.stderr().contains("circuit breaker for database 'orders-db' closed (slow-call rate)"),
                app.describe());
        List<AccessLogFile.Entry> rejected = AccessLogFile.read(accessLog).stream()
                .filter(e -> e.flags().contains("UO")).toList();
        assertFalse(rejected.isEmpty());
        for (AccessLogFile.Entry e : rejected) {
            assertEquals("SELECT", e.method(), e.line());
            assertEquals(0L, e.attempts(), "an open breaker runs nothing: " + e.line());
        }
        assertNoPassword(app, accessLog);
    }

    @Test
    void aShadowSlowCallBreakerFlagsWhatItWouldRejectAndRunsEverything() throws Exception {
        first.start();
        Path accessLog = dir.resolve("access.log");
        JavaProcess app = app(config(accessLog, SLOW_CALL_BREAKER.formatted(", mode: shadow")),
                statementArgs(slowThenFast().subList(0, 5)));
        assertEquals(0, app.awaitExit(WITHIN), app.describe());

        for (int n = 1; n <= 5; n++) {
            assertTrue(app.stdoutLines().contains("statement-ok " + n), "shadow mode rejects nothing\n" + app.describe());
        }
        assertTrue(app.stderr().contains("circuit breaker for database 'orders-db' would open (mode: shadow): slow-call"
                + " rate"), app.describe());
        List<AccessLogFile.Entry> sleeps = AccessLogFile.read(accessLog).stream()
                .filter(e -> "SELECT pg_sleep(?)".equals(e.text("statement"))).toList();
        assertEquals(5, sleeps.size());
        assertTrue(sleeps.stream().anyMatch(e -> e.flags().equals(List.of("~UO"))), "flagged ~UO: " + sleeps);
        assertTrue(sleeps.stream().allMatch(e -> e.error() == null && e.attempts() == 1), sleeps.toString());
        assertNoPassword(app, accessLog);
    }

    @Test
    void theBreakerOpensWhenBothServersAreDownAndClosesWhenOneIsBack() throws Exception {
        first.stop();
        second.stop();
        Path accessLog = dir.resolve("access.log");
        Path stop = dir.resolve("stop");
        JavaProcess app = app(config(accessLog, "circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 3,"
                        + " window: 30s, openDuration: 1s, halfOpenCalls: 1 }"),
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

    /** Arguments that run {@code statements} once each, and no loop iteration. */
    private static String[] statementArgs(List<String> statements, String... more) {
        List<String> args = new ArrayList<>(List.of("--iterations", "0"));
        for (String statement : statements) {
            args.add("--statement");
            args.add(statement);
        }
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
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
