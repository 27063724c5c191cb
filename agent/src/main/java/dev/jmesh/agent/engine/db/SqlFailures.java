package dev.jmesh.agent.engine.db;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;

/**
 * What a JDBC failure says about the database's health. Only connection failures and timeouts count against
 * a database (breaker, endpoint ejection); a syntax error, a constraint violation or a failed login shows that
 * the server answered, so it counts as a sign of life.
 */
final class SqlFailures {
    private SqlFailures() {
    }

    /**
     * The connection could not be made or broke: SQLState class 08 or 57P0x, the connection exception types,
     * socket errors in the cause chain.
     */
    static boolean isConnectionFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException || t instanceof ConnectException
                    || t instanceof NoRouteToHostException || t instanceof UnknownHostException
                    || t instanceof EOFException || t instanceof SocketException
                    || t instanceof SocketTimeoutException) {
                return true;
            }
            if (t instanceof SQLException) {
                String state = ((SQLException) t).getSQLState();
                // 08: connection exception; 57P01-57P03: the server is shutting down, crashed or not up yet
                // (PostgreSQL ends a connection being set up with 57P01 when it is stopped at that moment)
                if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A failure that running the same read again may not meet: SQLState 40001 (serialization failure), 40P01
     * (deadlock detected), 55P03 (lock not available) or 53300 (too many connections), or the driver's
     * {@code SQLTransactionRollbackException}. Not a timeout (the statement had its time), not a connection
     * failure (the statement belongs to a connection that is gone; the next connection is the pool's to make).
     */
    static boolean isTransient(Throwable failure) {
        if (isTimeout(failure) || isConnectionFailure(failure)) {
            return false;
        }
        if (failure instanceof SQLTransactionRollbackException) {
            return true;
        }
        if (failure instanceof SQLException) {
            String state = ((SQLException) failure).getSQLState();
            return "40001".equals(state) || "40P01".equals(state) || "55P03".equals(state) || "53300".equals(state);
        }
        return false;
    }

    /** The statement ran out of time: {@code SQLTimeoutException}, or SQLState 57014 (query_canceled). */
    static boolean isTimeout(Throwable failure) {
        return failure instanceof SQLTimeoutException
                || (failure instanceof SQLException && "57014".equals(((SQLException) failure).getSQLState()));
    }
}
