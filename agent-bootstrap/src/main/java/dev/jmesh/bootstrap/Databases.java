package dev.jmesh.bootstrap;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The facade that JDBC instrumentation calls, the database counterpart of {@link Mesh}. With no engine,
 * or when the engine itself fails, the call runs untouched as the application made it (fail-open), and a
 * statement is never run twice because of the engine: when the engine fails after the one execution, the
 * application gets that execution's result or exception.
 */
public final class Databases {
    private static volatile DatabaseEngine engine;
    private static final AtomicLong ENGINE_FAILURES = new AtomicLong();

    private Databases() {
    }

    public static void install(DatabaseEngine databaseEngine) {
        engine = databaseEngine;
    }

    /** Whether an engine is installed (when not, instrumentation passes every call through). */
    public static boolean active() {
        return engine != null;
    }

    /** How many calls fell back to pass-through because the engine failed. */
    public static long engineFailures() {
        return ENGINE_FAILURES.get();
    }

    /** The configured database that {@code jdbcUrl} belongs to; null for none, no engine, or an engine failure. */
    public static String databaseOf(String jdbcUrl) {
        DatabaseEngine current = engine;
        if (current == null || jdbcUrl == null) {
            return null;
        }
        try {
            return current.database(jdbcUrl);
        } catch (Throwable t) {
            engineFailed("matching a JDBC URL", t);
            return null;
        }
    }

    public static <R> R connect(String database, OutboundCall call, BlockingExchange<R> exchange) throws Exception {
        return run(true, database, call, exchange);
    }

    public static <R> R execute(String database, OutboundCall call, BlockingExchange<R> exchange) throws Exception {
        return run(false, database, call, exchange);
    }

    /** Null when the pool may serve a connection (also when there is no engine or it fails). */
    public static Exception refuseConnection(String database, OutboundCall call, Exchange<?> exchange) {
        DatabaseEngine current = engine;
        if (current == null) {
            return null;
        }
        try {
            return current.refuseConnection(database, call, exchange);
        } catch (Throwable t) {
            engineFailed(call.toString(), t);
            return null;
        }
    }

    private static <R> R run(boolean connect, String database, OutboundCall call, BlockingExchange<R> exchange)
            throws Exception {
        DatabaseEngine current = engine;
        if (current == null) {
            return exchange.attempt(call.host(), call.port(), 0);
        }
        GuardedExchange<R> guard = new GuardedExchange<R>(exchange);
        try {
            return connect ? current.connect(database, call, guard) : current.execute(database, call, guard);
        } catch (Throwable t) {
            if (guard.owns(t)) {
                throw LibraryFailures.<Exception>rethrow(t);
            }
            engineFailed(call.toString(), t);
            return guard.fallBack(t, call);
        }
    }

    private static void engineFailed(String what, Throwable t) {
        ENGINE_FAILURES.incrementAndGet();
        AgentLog.warnOnce("db-engine-failure:" + t.getClass().getName(), "internal failure (" + t + ") while handling "
                + what + "; the call proceeds without mesh policies. Please report this.");
    }
}
