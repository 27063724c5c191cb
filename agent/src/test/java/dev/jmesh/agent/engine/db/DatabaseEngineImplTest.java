package dev.jmesh.agent.engine.db;

import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabaseEngineImplTest {
    private final List<CallRecord> records = Collections.synchronizedList(new ArrayList<CallRecord>());

    private DatabaseEngineImpl engine(String databases) throws Exception {
        return new DatabaseEngineImpl(ConfigLoader.parse("databases:\n" + databases, "test.yaml").config(),
                records::add);
    }

    private static OutboundCall connect() {
        return new OutboundCall("jdbc", "postgresql", "orders-db", 5432, "CONNECT", "/shop", true)
                .withDatabase(new OutboundCall.Database("shop", null, null)).withCaller("Test.main:1");
    }

    private static OutboundCall statement(String verb, String table) {
        return new OutboundCall("jdbc", "postgresql", "db1", 5432, verb, "/shop", false)
                .withDatabase(new OutboundCall.Database("shop", table, verb + " ...")).withCaller("Test.main:1");
    }

    /** Answers attempts from a script: an endpoint in {@code down} refuses connections. */
    static class Script implements BlockingExchange<Object> {
        final List<String> down = new ArrayList<String>();
        final List<String> attempts = new ArrayList<String>();
        final List<Integer> timeouts = new ArrayList<Integer>();
        Exception failWith;
        final Object result = new Object();

        @Override
        public Object attempt(String host, int port, int timeoutMillis) throws Exception {
            attempts.add(host + ":" + port);
            timeouts.add(timeoutMillis);
            if (down.contains(host + ":" + port)) {
                throw new SQLException("Connection to " + host + ":" + port + " refused", "08001",
                        new ConnectException("Connection refused"));
            }
            if (failWith != null) {
                throw failWith;
            }
            return result;
        }

        @Override
        public int statusOf(Object response) {
            return -1;
        }

        @Override
        public void discard(Object response) {
        }

        @Override
        public Exception timeoutException(String message) {
            return new SQLTimeoutException(message);
        }

        @Override
        public Exception rejectedException(String message) {
            return new SQLTransientConnectionException(message);
        }
    }

    @Test
    void matchesUrlsToDatabasesFirstMatchWins() throws Exception {
        DatabaseEngineImpl engine = engine("  orders: { match: \"jdbc:postgresql://orders-db*\" }\n"
                + "  all-pg: { match: \"jdbc:postgresql:*\" }\n");
        assertEquals("orders", engine.database("jdbc:postgresql://ORDERS-DB/shop"));
        assertEquals("all-pg", engine.database("jdbc:postgresql://other/shop"));
        assertNull(engine.database("jdbc:h2:mem:x"));
    }

    @Test
    void connectFailsOverInOrderOfHealthAndEjectsTheRefusingEndpoint() throws Exception {
        DatabaseEngineImpl engine = engine("  orders: { match: \"jdbc:postgresql://orders-db*\","
                + " endpoints: [\"db1:5432\", \"db2:5432\"], connectTimeout: 3s }\n");
        Script script = new Script();
        script.down.add("db1:5432");

        assertSame(script.result, engine.connect("orders", connect(), script));
        assertEquals(List.of("db1:5432", "db2:5432"), script.attempts);
        assertEquals(List.of(3000, 3000), script.timeouts);
        CallRecord first = records.get(0);
        assertEquals("orders", first.service());
        assertEquals(2, first.attempts());
        assertEquals("db2:5432", first.upstream());
        assertNull(first.failure());

        script.attempts.clear();
        engine.connect("orders", connect(), script);
        assertEquals(List.of("db2:5432"), script.attempts, "the ejected endpoint comes last");
    }

    @Test
    void whenEveryEndpointRefusesTheCallFailsWithTheDriversExceptionAndUF() throws Exception {
        DatabaseEngineImpl engine = engine("  orders: { match: \"jdbc:postgresql://orders-db*\","
                + " endpoints: [\"db1:5432\", \"db2:5432\"], retry: { maxAttempts: 2, backoff: { base: 1ms, max: 2ms } } }\n");
        Script script = new Script();
        script.down.add("db1:5432");
        script.down.add("db2:5432");

        SQLException e = assertThrows(SQLException.class, () -> engine.connect("orders", connect(), script));
        assertEquals("08001", e.getSQLState());
        assertEquals(4, script.attempts.size(), "two passes over two endpoints");
        assertEquals("UF,URX", records.get(0).flagsText());
    }

    @Test
    void aServerShuttingDownDuringTheHandshakeIsFailedOver() throws Exception {
        DatabaseEngineImpl engine = engine("  orders: { match: \"jdbc:postgresql://orders-db*\","
                + " endpoints: [\"db1:5432\", \"db2:5432\"] }\n");
        Script script = new Script() {
            @Override
            public Object attempt(String host, int port, int timeoutMillis) throws Exception {
                if (host.equals("db1")) {
                    attempts.add("db1");
                    throw new SQLException("FATAL: terminating connection due to administrator command", "57P01");
                }
                return super.attempt(host, port, timeoutMillis);
            }
        };
        assertSame(script.result, engine.connect("orders", connect(), script));
        assertEquals(List.of("db1", "db2:5432"), script.attempts);
    }

    @Test
    void aRefusedLoginIsNotFailedOver() throws Exception {
        DatabaseEngineImpl engine = engine("  orders: { match: \"jdbc:postgresql://orders-db*\","
                + " endpoints: [\"db1:5432\", \"db2:5432\"] }\n");
        Script script = new Script();
        script.failWith = new SQLException("password authentication failed", "28P01");

        assertThrows(SQLException.class, () -> engine.connect("orders", connect(), script));
        assertEquals(List.of("db1:5432"), script.attempts);
    }

    @Test
    void anOpenBreakerFailsConnectsAndStatementsFastAndRefusesPoolCheckouts() throws Exception {
        DatabaseEngineImpl engine = engine("  orders: { match: \"jdbc:postgresql://orders-db*\","
                + " endpoints: [\"db1:5432\"], circuitBreaker: { minimumCalls: 2, openDuration: 1m } }\n");
        Script script = new Script();
        script.down.add("db1:5432");
        assertNull(engine.refuseConnection("orders", connect(), script));
        for (int i = 0; i < 2; i++) {
            assertThrows(SQLException.class, () -> engine.connect("orders", connect(), script));
        }
        script.attempts.clear();

        SQLTransientConnectionException connect = assertThrows(SQLTransientConnectionException.class,
                () -> engine.connect("orders", connect(), script));
        assertTrue(connect.getMessage().startsWith("jmesh: circuit breaker open for database 'orders'"),
                connect.getMessage());
        assertThrows(SQLTransientConnectionException.class,
                () -> engine.execute("orders", statement("SELECT", "orders"), script));
        assertTrue(engine.refuseConnection("orders", connect(), script) instanceof SQLTransientConnectionException);
        assertEquals(List.of(), script.attempts, "nothing reached the database");
        CallRecord rejected = records.get(records.size() - 1);
        assertEquals("UO", rejected.flagsText());
        assertEquals(0, rejected.attempts());
        // commit and rollback are never refused
        script.down.clear();
        engine.execute("orders", statement("COMMIT", null), script);
        assertEquals(List.of("db1:5432"), script.attempts);
    }

    @Test
    void theFirstMatchingStatementPolicySetsTheQueryTimeout() throws Exception {
        DatabaseEngineImpl engine = engine("  orders:\n    match: \"jdbc:postgresql://orders-db*\"\n"
                + "    queryTimeout: 5s\n    statements:\n"
                + "      - { match: { verb: SELECT, table: \"order*\" }, queryTimeout: 1s }\n"
                + "      - { match: { verb: DELETE }, queryTimeout: 50ms, mode: shadow }\n");
        Script script = new Script();
        engine.execute("orders", statement("SELECT", "orders"), script);
        engine.execute("orders", statement("SELECT", "items"), script);
        engine.execute("orders", statement("DELETE", "orders"), script);
        assertEquals(List.of(1000, 5000, 5000), script.timeouts, "a shadow policy does not act");
    }

    @Test
    void timeoutsAreFlaggedAndTheAppGetsTheDriversException() throws Exception {
        DatabaseEngineImpl engine = engine("  orders: { match: \"jdbc:postgresql://orders-db*\", queryTimeout: 1s }\n");
        Script script = new Script();
        SQLTimeoutException timeout = new SQLTimeoutException("cancelled", "57014");
        script.failWith = timeout;
        assertSame(timeout, assertThrows(SQLTimeoutException.class,
                () -> engine.execute("orders", statement("SELECT", "orders"), script)));
        assertEquals("UT", records.get(0).flagsText());
        assertEquals(1, script.attempts.size(), "timeouts are never retried");
    }

    private static OutboundCall read(String table, boolean outsideTransaction) {
        return new OutboundCall("jdbc", "postgresql", "db1", 5432, "SELECT", "/shop", outsideTransaction)
                .withDatabase(new OutboundCall.Database("shop", table, "SELECT ...")).withCaller("Test.main:1");
    }

    /** Fails the first {@code failures} attempts with {@code failure}, then succeeds. */
    static final class Flaky extends Script {
        int failures;
        SQLException failure;

        @Override
        public Object attempt(String host, int port, int timeoutMillis) throws Exception {
            attempts.add(host + ":" + port);
            if (attempts.size() <= failures) {
                throw failure;
            }
            return result;
        }
    }

    private static final String READ_RETRY = "  orders:\n    match: \"jdbc:postgresql://orders-db*\"\n"
            + "    statements:\n      - { match: { table: orders }, retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms } } }\n";

    @Test
    void aReadOutsideATransactionIsRetriedOnATransientSqlState() throws Exception {
        DatabaseEngineImpl engine = engine(READ_RETRY);
        Flaky flaky = new Flaky();
        flaky.failures = 2;
        flaky.failure = new SQLException("could not serialize access", "40001");
        assertSame(flaky.result, engine.execute("orders", read("orders", true), flaky));
        assertEquals(3, flaky.attempts.size());
        assertEquals(3, records.get(0).attempts());
        assertEquals("-", records.get(0).flagsText());
        assertNull(records.get(0).failure());

        Flaky always = new Flaky();
        always.failures = 10;
        always.failure = new SQLException("deadlock detected", "40P01");
        assertSame(always.failure, assertThrows(SQLException.class,
                () -> engine.execute("orders", read("orders", true), always)));
        assertEquals(3, always.attempts.size(), "maxAttempts counts the first");
        assertEquals("URX", records.get(1).flagsText());
    }

    @Test
    void noRetryInsideATransactionOfAWriteOfAnotherTableOrOnOtherFailures() throws Exception {
        DatabaseEngineImpl engine = engine(READ_RETRY);
        SQLException serialization = new SQLException("could not serialize access", "40001");
        Object[][] cases = {
                {read("orders", false), serialization, "inside a transaction"},
                {statement("UPDATE", "orders"), serialization, "a write"},
                {read("items", true), serialization, "no policy for the table"},
                {read("orders", true), new SQLTimeoutException("cancelled", "57014"), "a timeout"},
                {read("orders", true), new SQLException("connection lost", "08006"), "a broken connection"},
                {read("orders", true), new SQLException("syntax error", "42601"), "an SQL error"}};
        for (Object[] c : cases) {
            Flaky flaky = new Flaky();
            flaky.failures = 1;
            flaky.failure = (SQLException) c[1];
            assertThrows(SQLException.class, () -> engine.execute("orders", (OutboundCall) c[0], flaky));
            assertEquals(1, flaky.attempts.size(), (String) c[2]);
        }
    }

    @Test
    void aShadowReadRetryOnlyFlagsWhatItWouldHaveRetried() throws Exception {
        DatabaseEngineImpl engine = engine("  orders:\n    match: \"jdbc:postgresql://orders-db*\"\n"
                + "    statements:\n      - { match: { verb: SELECT }, retry: { maxAttempts: 2, mode: shadow } }\n");
        Flaky flaky = new Flaky();
        flaky.failures = 1;
        flaky.failure = new SQLException("could not serialize access", "40001");
        assertThrows(SQLException.class, () -> engine.execute("orders", read("orders", true), flaky));
        assertEquals(1, flaky.attempts.size());
        assertEquals("~RETRY", records.get(0).flagsText());
    }

    /** Takes longer than any slowCallDuration of a millisecond. */
    static final class Slow extends Script {
        @Override
        public Object attempt(String host, int port, int timeoutMillis) throws Exception {
            attempts.add(host + ":" + port);
            Thread.sleep(20);
            return result;
        }
    }

    @Test
    void slowStatementsOpenTheSlowCallBreaker() throws Exception {
        DatabaseEngineImpl engine = engine("  orders: { match: \"jdbc:postgresql://orders-db*\", circuitBreaker:"
                + " { slowCallRateThreshold: 50%, slowCallDuration: 1ms, minimumCalls: 3, openDuration: 1m } }\n");
        Slow slow = new Slow();
        for (int i = 0; i < 3; i++) {
            engine.execute("orders", statement("SELECT", "orders"), slow);
        }
        SQLTransientConnectionException refused = assertThrows(SQLTransientConnectionException.class,
                () -> engine.execute("orders", statement("SELECT", "orders"), slow));
        assertEquals("jmesh: circuit breaker open for database 'orders' (slow-call rate of at least 50% (calls"
                + " slower than 1ms) over 10000ms); failing fast without calling the database", refused.getMessage());
        assertEquals(3, slow.attempts.size(), "the refused statement did not run");
        assertTrue(engine.refuseConnection("orders", connect(), slow) instanceof SQLTransientConnectionException,
                "a pool checkout is refused too");
        assertEquals("UO", records.get(records.size() - 1).flagsText());
    }

    @Test
    void aShadowSlowCallBreakerFlagsAndNeverRefuses() throws Exception {
        DatabaseEngineImpl engine = engine("  orders: { match: \"jdbc:postgresql://orders-db*\", circuitBreaker:"
                + " { slowCallRateThreshold: 50%, slowCallDuration: 1ms, minimumCalls: 3, openDuration: 1m,"
                + " mode: shadow } }\n");
        Slow slow = new Slow();
        for (int i = 0; i < 5; i++) {
            engine.execute("orders", statement("SELECT", "orders"), slow);
        }
        assertEquals(5, slow.attempts.size());
        assertNull(engine.refuseConnection("orders", connect(), slow));
        assertEquals("-", records.get(2).flagsText());
        assertEquals("~UO", records.get(3).flagsText());
        assertEquals("~UO", records.get(4).flagsText());
    }

    @Test
    void unmatchedCallsPassThroughAndAreRecordedUnderTheirHost() throws Exception {
        DatabaseEngineImpl engine = engine("  orders: { match: \"jdbc:postgresql://orders-db*\" }\n");
        Script script = new Script();
        engine.execute(null, statement("INSERT", "t"), script);
        assertEquals("db1", records.get(0).service());
        assertEquals(List.of("db1:5432"), script.attempts);
    }
}
