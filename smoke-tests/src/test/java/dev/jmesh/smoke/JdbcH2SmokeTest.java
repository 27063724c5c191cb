package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JDBC with an in-memory H2 database (no server needed): one access-log line per logical call, with the
 * statement's literals replaced by {@code ?}; the driver's own internal calls (H2 commits inside
 * {@code setAutoCommit}) are not counted; the app's output is the same with and without the agent.
 */
class JdbcH2SmokeTest {
    private static final String PASSWORD = "h2-secret-pw";
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void eachLogicalCallIsOneJdbcRecordWithASanitisedStatement() throws Exception {
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                databases:
                  inventory-db:
                    match: "jdbc:h2:mem:*"
                    queryTimeout: 10s
                """ + MeshYaml.accessLog(accessLog));
        int iterations = 3;
        JavaProcess app = run(List.of("-javaagent:" + SmokeEnv.agentJar(), "-Djmesh.config=" + config), iterations);
        assertEquals(0, app.awaitExit(WITHIN), app.describe());

        List<AccessLogFile.Entry> entries = AccessLogFile.read(accessLog);
        // per iteration: CONNECT, CREATE, INSERT, COMMIT, SELECT
        assertEquals(5 * iterations, entries.size(), accessLog.toString());
        for (String method : List.of("CONNECT", "CREATE", "INSERT", "COMMIT", "SELECT")) {
            assertEquals(iterations, entries.stream().filter(e -> method.equals(e.method())).count(), method);
        }
        for (AccessLogFile.Entry e : entries) {
            assertEquals("jdbc", e.protocol(), e.line());
            assertEquals("inventory-db", e.service(), e.line());
            assertEquals("h2", e.text("db_system"), e.line());
            assertEquals("shop", e.text("db_namespace"), e.line());
            assertTrue(e.caller().startsWith("dev.jmesh.demo.jdbc.JdbcApp."), "the app's frame: " + e.line());
            assertEquals("-", e.text("flags"), e.line());
        }
        assertTrue(entries.stream().anyMatch(e -> "SELECT count(*) FROM orders WHERE customer = ? OR total > ?"
                .equals(e.text("statement")) && "orders".equals(e.text("db_collection"))), accessLog.toString());
        assertFalse(Files.readString(accessLog).contains("alice"), "no literal value in the log");
        assertFalse(Files.readString(accessLog).contains(PASSWORD));
        assertFalse(app.stderr().contains(PASSWORD));
    }

    @Test
    void theAppPrintsTheSameWithAndWithoutTheAgent() {
        JavaProcess plain = run(List.of(), 3);
        assertEquals(0, plain.awaitExit(WITHIN), plain.describe());
        JavaProcess meshed = run(List.of("-javaagent:" + SmokeEnv.agentJar()), 3);
        assertEquals(0, meshed.awaitExit(WITHIN), meshed.describe());
        assertEquals(plain.stdout(), meshed.stdout());
        assertEquals(List.of("ok 1 port=-", "ok 2 port=-", "ok 3 port=-", "done"), meshed.stdoutLines());
    }

    /** Issue #11's failure drill for JDBC: whatever stage of the agent fails, the app runs as without it. */
    @ParameterizedTest(name = "failing at {0}")
    @ValueSource(strings = {"config", "routing", "policy", "telemetry"})
    void aFailingStageLeavesTheAppAsWithoutTheAgent(String stage) {
        JavaProcess plain = run(List.of(), 3);
        assertEquals(0, plain.awaitExit(WITHIN), plain.describe());
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                databases:
                  inventory-db:
                    match: "jdbc:h2:mem:*"
                    queryTimeout: 10s
                """ + MeshYaml.accessLog(dir.resolve("access.log")));
        JavaProcess drilled = run(List.of("-javaagent:" + SmokeEnv.agentJar(), "-Djmesh.config=" + config,
                "-Djmesh.agent.test.failAt=" + stage), 3);
        assertEquals(0, drilled.awaitExit(WITHIN), drilled.describe());
        assertEquals(plain.stdout(), drilled.stdout(), drilled.describe());
        List<String> jmesh = drilled.stderrLines().stream().filter(l -> l.startsWith("[jmesh]")).toList();
        assertFalse(jmesh.isEmpty(), "the drill fired and was reported\n" + drilled.describe());
        assertTrue(jmesh.stream().allMatch(l -> l.startsWith("[jmesh] WARN")), drilled.describe());
    }

    @Test
    void explainShowsTheDatabaseAJdbcUrlBelongsToAndItsPolicies() {
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                databases:
                  orders-db:
                    match: "jdbc:postgresql://orders-db*"
                    endpoints: ["db1:5432", "db2:5432"]
                    queryTimeout: 5s
                    statements:
                      - { match: { verb: SELECT, table: orders }, queryTimeout: 1s }
                """);
        JavaProcess explain = processes.javaJar("jmesh-explain", List.of(), SmokeEnv.agentJar(), List.of("explain",
                config.toString(), "jdbc:postgresql://orders-db/shop?password=" + PASSWORD), null);
        assertEquals(0, explain.awaitExit(WITHIN), explain.describe());
        String out = explain.stdout();
        assertTrue(out.contains("orders-db (first match: \"jdbc:postgresql://orders-db*\")"), out);
        assertTrue(out.contains("db1:5432, db2:5432"), out);
        assertTrue(out.matches("(?s).*queryTimeout +5s.*"), out);
        assertTrue(out.matches("(?s).*statements\\[0] +SELECT on orders: queryTimeout 1s.*"), out);
        assertFalse(out.contains(PASSWORD), "the JDBC URL is not echoed");
    }

    private JavaProcess run(List<String> jvmArgs, int iterations) {
        return processes.javaJar("jdbc-app", jvmArgs, SmokeEnv.jdbcAppJar(), List.of("--url",
                "jdbc:h2:mem:shop;DB_CLOSE_DELAY=-1", "--user", "sa", "--password", PASSWORD,
                "--iterations", String.valueOf(iterations), "--interval-ms", "1"), dir);
    }
}
