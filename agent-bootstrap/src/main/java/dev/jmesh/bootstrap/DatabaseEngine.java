package dev.jmesh.bootstrap;

/**
 * The part of the engine that serves JDBC calls (protocol {@code jdbc}), implemented by the agent and
 * registered with {@link Databases#install}. Its calls reach it only through {@link Databases}, which keeps
 * the application safe from it.
 *
 * <p>Calls are described with {@link OutboundCall} and {@link OutboundCall.Database}; the JDBC specifics
 * (the driver, the statement, {@code java.sql} exceptions) stay in the instrumentation, behind
 * {@link BlockingExchange}: {@code attempt(host, port, timeoutMillis)} opens one connection to that endpoint
 * within that connect timeout, or runs the statement once with that query timeout (host and port ignored).
 * {@code timeoutException} builds a {@code SQLTimeoutException}, {@code rejectedException} a
 * {@code SQLTransientConnectionException}.
 */
public interface DatabaseEngine {

    /** The name of the configured database a JDBC URL belongs to, or null when none matches. */
    String database(String jdbcUrl);

    /** Opens a connection ({@code method} CONNECT): endpoints in order of health, breaker, connect retries. */
    <R> R connect(String database, OutboundCall call, BlockingExchange<R> exchange) throws Exception;

    /** Runs a statement, a commit or a rollback exactly once (never retried), with the policy's query timeout. */
    <R> R execute(String database, OutboundCall call, BlockingExchange<R> exchange) throws Exception;

    /**
     * A connection pool is asked for a connection: null when it may serve one, else the exception that fails the
     * request at once (the database's circuit breaker is open); that refusal is recorded.
     */
    Exception refuseConnection(String database, OutboundCall call, Exchange<?> exchange);
}
