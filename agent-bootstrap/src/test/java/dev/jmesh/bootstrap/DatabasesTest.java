package dev.jmesh.bootstrap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Databases}: the engine's failures never reach the app, and never make a statement run twice. */
class DatabasesTest {
    private static final OutboundCall CALL = new OutboundCall("jdbc", "postgresql", "db1", 5432, "INSERT", "/shop",
            false);

    @AfterEach
    void uninstall() {
        Databases.install(null);
    }

    /** Counts executions; fails with {@code failure} when set. */
    static final class Statement implements BlockingExchange<String> {
        final AtomicInteger executions = new AtomicInteger();
        Exception failure;

        @Override
        public String attempt(String host, int port, int timeoutMillis) throws Exception {
            executions.incrementAndGet();
            if (failure != null) {
                throw failure;
            }
            return "rows";
        }

        @Override
        public int statusOf(String response) {
            return -1;
        }

        @Override
        public void discard(String response) {
        }

        @Override
        public Exception timeoutException(String message) {
            return new IOException("timeout: " + message);
        }

        @Override
        public Exception rejectedException(String message) {
            return new IOException("rejected: " + message);
        }
    }

    /** An engine that runs the statement (or not) and then fails with its own bug. */
    static DatabaseEngine broken(boolean runFirst) {
        return new DatabaseEngine() {
            @Override
            public String database(String jdbcUrl) {
                throw new IllegalStateException("bug");
            }

            @Override
            public <R> R connect(String database, OutboundCall call, BlockingExchange<R> exchange) throws Exception {
                return execute(database, call, exchange);
            }

            @Override
            public <R> R execute(String database, OutboundCall call, BlockingExchange<R> exchange) throws Exception {
                if (runFirst) {
                    try {
                        exchange.attempt(call.host(), call.port(), 0);
                    } catch (Exception swallowedByTheBug) {
                        // the engine's bug hides the driver's failure; the facade must not
                    }
                }
                throw new IllegalStateException("bug");
            }

            @Override
            public Exception refuseConnection(String database, OutboundCall call, Exchange<?> exchange) {
                throw new IllegalStateException("bug");
            }
        };
    }

    @Test
    void withoutAnEngineTheStatementRunsOnce() throws Exception {
        Statement statement = new Statement();
        assertEquals("rows", Databases.execute(null, CALL, statement));
        assertEquals(1, statement.executions.get());
    }

    @Test
    void anEngineThatFailsBeforeRunningTheStatementLetsItRunOnce() throws Exception {
        Databases.install(broken(false));
        Statement statement = new Statement();
        assertEquals("rows", Databases.execute("db", CALL, statement));
        assertEquals(1, statement.executions.get());
        assertNull(Databases.databaseOf("jdbc:postgresql://db1/shop"), "a failed match is no match");
        assertNull(Databases.refuseConnection("db", CALL, statement), "a failed check refuses nothing");
    }

    @Test
    void anEngineThatFailsAfterTheStatementRanReturnsThatResultWithoutRunningItAgain() throws Exception {
        Databases.install(broken(true));
        Statement statement = new Statement();
        long failures = Databases.engineFailures();
        assertEquals("rows", Databases.execute("db", CALL, statement));
        assertEquals(1, statement.executions.get());
        assertEquals(failures + 1, Databases.engineFailures());
    }

    @Test
    void theDriversOwnFailureReachesTheAppUnchangedAndOnce() {
        Databases.install(broken(true));
        Statement statement = new Statement();
        IOException own = new IOException("duplicate key");
        statement.failure = own;
        assertSame(own, assertThrows(IOException.class, () -> Databases.execute("db", CALL, statement)));
        assertEquals(1, statement.executions.get());
    }
}
