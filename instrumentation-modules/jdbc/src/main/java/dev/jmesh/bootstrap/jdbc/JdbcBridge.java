package dev.jmesh.bootstrap.jdbc;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Databases;
import dev.jmesh.bootstrap.Outcome;

/**
 * The hop from advice woven into JDBC drivers and pools (classes of the application's loaders) to the
 * interceptor that speaks JDBC. Everything the interceptor needs is JDK API ({@code java.sql},
 * {@code javax.sql}), which the agent's own class loader sees, so one interceptor, registered by the module,
 * serves every driver; no per-library helper is needed. Signatures use {@code Object}: on Java 9+
 * {@code java.sql} lives in the platform loader, which this bootstrap class cannot see.
 *
 * <p>Each method returns null to let the original method run untouched: inside an attempt the mesh is
 * making ({@link CallDepth}), when there is no engine, or when the interceptor fails.
 */
public final class JdbcBridge {

    /** Implemented by the module's interceptor; every argument is a JDBC object. */
    public interface Interceptor {
        Outcome connect(Object driver, String url, Object info);

        Outcome dataSourceConnection(Object dataSource);

        /** {@code method} is the woven method's name and descriptor, e.g. {@code executeQuery(Ljava/lang/String;)Ljava/sql/ResultSet;}. */
        Outcome execute(Object statement, String method, Object[] arguments);

        /** {@code commit} or {@code rollback}. */
        Outcome endTransaction(Object connection, String method);

        void prepared(Object statement, String sql);
    }

    private static volatile Interceptor interceptor;

    private JdbcBridge() {
    }

    public static void install(Interceptor value) {
        interceptor = value;
    }

    private static Interceptor active() {
        Interceptor current = interceptor;
        return current == null || CallDepth.nested() || !Databases.active() ? null : current;
    }

    public static Outcome connect(Object driver, String url, Object info) {
        Interceptor current = active();
        if (current == null || driver == null || url == null) {
            return null;
        }
        try {
            return current.connect(driver, url, info);
        } catch (Throwable t) {
            return failed("connect", t);
        }
    }

    public static Outcome dataSourceConnection(Object dataSource) {
        Interceptor current = active();
        if (current == null || dataSource == null) {
            return null;
        }
        try {
            return current.dataSourceConnection(dataSource);
        } catch (Throwable t) {
            return failed("getConnection", t);
        }
    }

    public static Outcome execute(Object statement, String method, Object[] arguments) {
        Interceptor current = active();
        if (current == null || statement == null) {
            return null;
        }
        try {
            return current.execute(statement, method, arguments);
        } catch (Throwable t) {
            return failed("execute", t);
        }
    }

    public static Outcome endTransaction(Object connection, String method) {
        Interceptor current = active();
        if (current == null || connection == null) {
            return null;
        }
        try {
            return current.endTransaction(connection, method);
        } catch (Throwable t) {
            return failed(method, t);
        }
    }

    /** A statement was prepared from {@code sql}: remembered (sanitised) for its later executions. */
    public static void prepared(Object statement, String sql) {
        Interceptor current = interceptor;
        if (current == null || statement == null || sql == null) {
            return;
        }
        try {
            current.prepared(statement, sql);
        } catch (Throwable t) {
            failed("prepare", t);
        }
    }

    private static Outcome failed(String what, Throwable t) {
        AgentLog.warnOnce("jdbc-" + what + ":" + t.getClass().getName(), "JDBC instrumentation failed in " + what
                + " (" + t + "); the call proceeds without mesh policies. Please report this.");
        return null;
    }
}
