package dev.jmesh.instrumentation.jdbc;

import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.DatabaseEngine;
import dev.jmesh.bootstrap.Databases;
import dev.jmesh.bootstrap.Exchange;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link JdbcInterceptor} with a real in-memory H2 database (not woven here) and a recording engine. */
class JdbcInterceptorTest {
    private final JdbcInterceptor interceptor = new JdbcInterceptor();
    private final List<OutboundCall> calls = new ArrayList<>();
    private final List<Integer> timeouts = new ArrayList<>();
    private int queryTimeoutMillis;
    private Connection connection;

    @BeforeEach
    void setUp() throws Exception {
        Databases.install(new DatabaseEngine() {
            @Override
            public String database(String jdbcUrl) {
                return jdbcUrl.startsWith("jdbc:h2:mem:") ? "memdb" : null;
            }

            @Override
            public <R> R connect(String database, OutboundCall call, BlockingExchange<R> exchange) throws Exception {
                calls.add(call);
                return exchange.attempt(call.host(), call.port(), 0);
            }

            @Override
            public <R> R execute(String database, OutboundCall call, BlockingExchange<R> exchange) throws Exception {
                calls.add(call);
                timeouts.add(queryTimeoutMillis);
                return exchange.attempt(call.host(), call.port(), queryTimeoutMillis);
            }

            @Override
            public Exception refuseConnection(String database, OutboundCall call, Exchange<?> exchange) {
                return null;
            }
        });
        Driver driver = new org.h2.Driver();
        Outcome outcome = interceptor.connect(driver, "jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1", new Properties());
        connection = (Connection) outcome.result();
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS orders (id INT, customer VARCHAR(20))");
            s.execute("DELETE FROM orders");
        }
        calls.clear();
    }

    @AfterEach
    void tearDown() throws SQLException {
        Databases.install(null);
        connection.close();
    }

    @Test
    void aConnectIsOneCallNamedAfterTheDatabase() throws Exception {
        Outcome outcome = interceptor.connect(new org.h2.Driver(), "jdbc:h2:mem:orders", new Properties());
        assertTrue(outcome.result() instanceof Connection);
        ((Connection) outcome.result()).close();
        OutboundCall call = calls.get(0);
        assertEquals("jdbc", call.protocol());
        assertEquals("h2", call.scheme());
        assertEquals("CONNECT", call.method());
        assertEquals("orders", call.database().namespace());
        assertNull(interceptor.connect(new org.h2.Driver(), "jdbc:postgresql://x/y", new Properties()),
                "a URL the driver declines is left to DriverManager");
    }

    @Test
    void aStatementRunsOnceWithTheMeshTimeoutAndTheAppsSettingIsRestored() throws Exception {
        queryTimeoutMillis = 1500;
        Statement statement = connection.createStatement();
        Outcome outcome = interceptor.execute(statement, "executeUpdate(Ljava/lang/String;)I",
                new Object[] {"INSERT INTO orders VALUES (1, 'alice')"});
        assertEquals(1, outcome.result());
        assertEquals(0, statement.getQueryTimeout(), "the app's setting (none) is back");
        OutboundCall call = calls.get(0);
        assertEquals("INSERT", call.method());
        assertEquals("orders", call.database().collection());
        assertEquals("INSERT INTO orders VALUES (?, ?)", call.database().statement());
        assertEquals(1, count(), "executed exactly once");

        statement.setQueryTimeout(1);
        queryTimeoutMillis = 5000;
        interceptor.execute(statement, "executeQuery(Ljava/lang/String;)Ljava/sql/ResultSet;",
                new Object[] {"SELECT * FROM orders"});
        assertEquals(1, statement.getQueryTimeout(), "a tighter app timeout stays");
    }

    @Test
    void aPreparedStatementsSqlIsKnownWhenItExecutes() throws Exception {
        PreparedStatement insert = connection.prepareStatement("INSERT INTO orders VALUES (?, 'bob')");
        interceptor.prepared(insert, "INSERT INTO orders VALUES (?, 'bob')");
        insert.setInt(1, 7);
        Outcome outcome = interceptor.execute(insert, "executeUpdate()I", new Object[0]);
        assertEquals(1, outcome.result());
        assertEquals("INSERT INTO orders VALUES (?, ?)", calls.get(0).database().statement());
        assertEquals(1, count());
    }

    @Test
    void theDriversFailureIsTheOutcome() throws Exception {
        Statement statement = connection.createStatement();
        Outcome outcome = interceptor.execute(statement, "executeQuery(Ljava/lang/String;)Ljava/sql/ResultSet;",
                new Object[] {"SELECT * FROM no_such_table"});
        assertTrue(outcome.failure() instanceof SQLException, String.valueOf(outcome.failure()));
    }

    @Test
    void methodsThatAreNotJdbcsArePassedThrough() throws Exception {
        Statement statement = connection.createStatement();
        assertNull(interceptor.execute(statement, "executeQuery()Ljava/sql/ResultSet;", new Object[0]),
                "a plain Statement is no PreparedStatement");
        assertNull(interceptor.execute(statement, "execute(Ljava/lang/Runnable;)V", new Object[] {null}));
        statement.close();
        assertNull(interceptor.execute(statement, "execute(Ljava/lang/String;)Z", new Object[] {"SELECT 1"}),
                "a closed statement reports itself");
        assertTrue(calls.isEmpty());
    }

    private static final String EXECUTE_QUERY = "executeQuery(Ljava/lang/String;)Ljava/sql/ResultSet;";

    @Test
    void aTimeoutBelowASecondCancelsTheStatementAndSurfacesAsSqlTimeoutException() throws Exception {
        queryTimeoutMillis = 300;
        Statement statement = connection.createStatement();
        // 10^12 row pairs: far longer than 300ms on any machine; H2 checks for cancellation row by row
        Outcome outcome = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> interceptor.execute(statement,
                EXECUTE_QUERY, new Object[] {"SELECT COUNT(*) FROM SYSTEM_RANGE(1, 1000000) a, SYSTEM_RANGE(1, 1000000) b WHERE a.X > b.X"}));
        assertTrue(outcome.failure() instanceof SQLTimeoutException, String.valueOf(outcome.failure()));
        assertEquals(0, statement.getQueryTimeout(), "the app's setting is untouched");
        Outcome next = interceptor.execute(statement, EXECUTE_QUERY, new Object[] {"SELECT 1"});
        assertTrue(next.result() instanceof ResultSet, "the statement is usable again: " + next.failure());
    }

    @Test
    void thousandsOfStatementsWithSubSecondTimeoutsLeaveNoQueuedTaskAndOneThread() throws Exception {
        queryTimeoutMillis = 700;
        Statement statement = connection.createStatement();
        for (int i = 0; i < 5000; i++) {
            Outcome outcome = interceptor.execute(statement, EXECUTE_QUERY, new Object[] {"SELECT " + i});
            ((ResultSet) outcome.result()).close();
        }
        assertEquals(0, StatementCanceller.queued(), "a statement that finished leaves no timer task");
        long timers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("jmesh-jdbc-cancel-")).peek(t -> assertTrue(t.isDaemon())).count();
        assertTrue(timers <= 1, "one timer thread at most, found " + timers);
    }

    @Test
    void onlySelectsWithAutoCommitOnAreReadsOutsideATransaction() throws Exception {
        Statement statement = connection.createStatement();
        interceptor.execute(statement, EXECUTE_QUERY, new Object[] {"SELECT * FROM orders"});
        interceptor.execute(statement, "executeUpdate(Ljava/lang/String;)I",
                new Object[] {"INSERT INTO orders VALUES (2, 'bob')"});
        connection.setAutoCommit(false);
        interceptor.execute(statement, EXECUTE_QUERY, new Object[] {"SELECT * FROM orders"});
        connection.rollback();
        connection.setAutoCommit(true);
        assertEquals(List.of(true, false, false), calls.stream().map(OutboundCall::replayable).toList());
    }

    private int count() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
