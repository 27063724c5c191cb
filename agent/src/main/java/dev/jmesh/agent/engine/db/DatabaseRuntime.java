package dev.jmesh.agent.engine.db;

import dev.jmesh.agent.engine.Backoff;
import dev.jmesh.agent.engine.Breakers;
import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.agent.engine.CallRecords;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.Exchange;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.DatabaseConfig;
import dev.jmesh.config.Endpoint;
import dev.jmesh.config.Mode;
import dev.jmesh.config.RetryConfig;
import dev.jmesh.config.StatementPolicy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One configured database ({@code databases.<name>}) as the engine runs it: its endpoints and their health,
 * its circuit breaker, its connect timeout and connection retries, its query timeouts and statement policies.
 *
 * <p>Connect: the breaker first (open: fail fast), then the endpoints in order of health, each tried once, the
 * next one on a connect failure (failover); {@code retry.maxAttempts} is the number of such passes, with
 * back-off between passes. A failure that is not a connection failure (a refused login) ends the call at once.
 * Statements: the breaker, then one execution with the query timeout of the first matching statement policy
 * (else the database's); a statement is run again only when that policy has a {@code retry}, the statement is a
 * SELECT outside a transaction ({@link OutboundCall#replayable()}) and it failed with a transient SQLState
 * ({@link SqlFailures#isTransient}). Commit and rollback are recorded, never refused.
 *
 * <p>The breaker counts connects and statements (not commit and rollback); with {@code slowCallRateThreshold} a
 * second breaker counts calls slower than {@code slowCallDuration} as its failures, and either one open refuses calls:
 * the same {@link Breakers} as a service's.
 */
final class DatabaseRuntime {
    static final String CONNECT_FAILURE = "UF";
    static final String TIMEOUT = "UT";
    static final String CONNECTION_TERMINATION = "UC";
    static final String CIRCUIT_OPEN = "UO";
    static final String RETRIES_EXHAUSTED = "URX";
    static final String SHADOW_TIMEOUT = "~UT";
    static final String SHADOW_RETRY = "~RETRY";

    private final DatabaseConfig config;
    private final String name;
    private final List<DatabaseEndpoint> endpoints;
    /** Null without {@code circuitBreaker}. */
    private final Breakers breakers;
    private final int connectTimeoutMillis;
    private final int passes;
    private final boolean retryShadow;

    DatabaseRuntime(DatabaseConfig config) {
        this.config = config;
        this.name = config.name();
        List<DatabaseEndpoint> list = new ArrayList<DatabaseEndpoint>();
        for (Endpoint endpoint : config.endpoints()) {
            list.add(DatabaseEndpoint.of(endpoint));
        }
        this.endpoints = Collections.unmodifiableList(list);
        this.breakers = Breakers.of(config.circuitBreaker(), "database '" + name + "'", name);
        this.connectTimeoutMillis = millis(config.connectTimeout());
        RetryConfig retry = config.retry();
        this.retryShadow = retry != null && retry.mode() == Mode.SHADOW && retry.maxAttempts() > 1;
        this.passes = retry == null || retry.mode() == Mode.SHADOW ? 1 : retry.maxAttempts();
    }

    DatabaseConfig config() {
        return config;
    }

    String name() {
        return name;
    }

    // ---- connect ---------------------------------------------------------------------------------------

    <R> R connect(OutboundCall call, BlockingExchange<R> exchange, CallRecord record) throws Exception {
        int permits = admit(exchange, record);
        long started = System.nanoTime();
        Exception last = null;
        for (int pass = 0; pass < passes; pass++) {
            if (pass > 0) {
                Backoff.sleep(config.retry(), pass);
            }
            for (DatabaseEndpoint endpoint : inOrderOfHealth(call)) {
                CallRecords.attemptStarted(record, endpoint.name.isEmpty() ? null : endpoint.name);
                try {
                    R connection = exchange.attempt(endpoint.host, endpoint.port, connectTimeoutMillis);
                    endpoint.connected(name);
                    recordOutcome(permits, false, started);
                    CallRecords.outcome(record, null);
                    return connection;
                } catch (Exception e) {
                    last = e;
                    if (!SqlFailures.isConnectionFailure(e)) {
                        recordOutcome(permits, false, started); // the server answered: it is alive
                        CallRecords.outcome(record, e);
                        throw e;
                    }
                    endpoint.connectFailed(name, System.nanoTime());
                }
            }
        }
        CallRecords.flag(record, CONNECT_FAILURE);
        if (passes > 1) {
            CallRecords.flag(record, RETRIES_EXHAUSTED);
        } else if (retryShadow) {
            CallRecords.flag(record, SHADOW_RETRY);
        }
        recordOutcome(permits, true, started);
        CallRecords.outcome(record, last);
        throw last;
    }

    /** Healthy endpoints in their configured order, then ejected ones, soonest back first. */
    private List<DatabaseEndpoint> inOrderOfHealth(OutboundCall call) {
        if (endpoints.isEmpty()) {
            return Collections.singletonList(new DatabaseEndpoint(call.host(), call.port()));
        }
        long now = System.nanoTime();
        List<DatabaseEndpoint> healthy = new ArrayList<DatabaseEndpoint>(endpoints.size());
        List<DatabaseEndpoint> ejected = null;
        for (DatabaseEndpoint endpoint : endpoints) {
            if (endpoint.ejected(now)) {
                if (ejected == null) {
                    ejected = new ArrayList<DatabaseEndpoint>(2);
                }
                ejected.add(endpoint);
            } else {
                healthy.add(endpoint);
            }
        }
        if (ejected != null) {
            ejected.sort((a, b) -> Long.compare(a.ejectedUntil() - now, b.ejectedUntil() - now));
            healthy.addAll(ejected);
        }
        return healthy;
    }

    // ---- statements ------------------------------------------------------------------------------------

    <R> R execute(OutboundCall call, BlockingExchange<R> exchange, CallRecord record) throws Exception {
        String operation = call.method();
        if ("COMMIT".equals(operation) || "ROLLBACK".equals(operation)) {
            return once(call, exchange, record, 0); // ending a transaction is never refused
        }
        int permits = admit(exchange, record);
        StatementPolicy policy = policyFor(call);
        int timeout = millis(config.queryTimeout());
        long shadowTimeoutNanos = 0;
        RetryConfig retry = null;
        boolean retryShadow = false;
        if (policy != null) {
            if (policy.queryTimeout() != null) {
                if (policy.mode() == Mode.SHADOW) {
                    shadowTimeoutNanos = policy.queryTimeout().toNanos();
                } else {
                    timeout = millis(policy.queryTimeout());
                }
            }
            if (policy.retry() != null && "SELECT".equals(operation) && call.replayable()) {
                retry = policy.retry();
                retryShadow = retry.mode() == Mode.SHADOW || policy.mode() == Mode.SHADOW;
            }
        }
        int attempts = retry == null || retryShadow ? 1 : retry.maxAttempts();
        long started = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                R result = once(call, exchange, record, timeout);
                recordOutcome(permits, false, started);
                if (shadowTimeoutNanos > 0 && System.nanoTime() - started > shadowTimeoutNanos) {
                    CallRecords.flag(record, SHADOW_TIMEOUT);
                }
                return result;
            } catch (Exception e) {
                boolean transientFailure = retry != null && SqlFailures.isTransient(e);
                if (transientFailure && attempt < attempts) {
                    Backoff.sleep(retry, attempt);
                    continue;
                }
                failed(e, record, permits, started, shadowTimeoutNanos);
                if (transientFailure && attempt > 1) {
                    CallRecords.flag(record, RETRIES_EXHAUSTED);
                } else if (transientFailure && retryShadow && retry.maxAttempts() > 1) {
                    CallRecords.flag(record, SHADOW_RETRY);
                }
                throw e;
            }
        }
    }

    /** Flags and counts a statement's final failure. */
    private void failed(Exception e, CallRecord record, int permits, long started, long shadowTimeoutNanos) {
        boolean timedOut = SqlFailures.isTimeout(e);
        boolean broken = !timedOut && SqlFailures.isConnectionFailure(e);
        if (timedOut) {
            CallRecords.flag(record, TIMEOUT);
        } else if (broken) {
            CallRecords.flag(record, CONNECTION_TERMINATION);
        } else if (shadowTimeoutNanos > 0 && System.nanoTime() - started > shadowTimeoutNanos) {
            CallRecords.flag(record, SHADOW_TIMEOUT);
        }
        recordOutcome(permits, timedOut || broken, started); // an SQL error is the server answering
    }

    /** The first statement policy whose verb and table match; null for none. */
    StatementPolicy policyFor(OutboundCall call) {
        String table = call.database() == null ? null : call.database().collection();
        for (StatementPolicy policy : config.statements()) {
            if (policy.matches(call.method(), table)) {
                return policy;
            }
        }
        return null;
    }

    /** One execution on the connection the statement belongs to, recorded. */
    static <R> R once(OutboundCall call, BlockingExchange<R> exchange, CallRecord record, int timeoutMillis)
            throws Exception {
        String upstream = call.authority();
        CallRecords.attemptStarted(record, upstream.isEmpty() ? null : upstream);
        try {
            R result = exchange.attempt(call.host(), call.port(), timeoutMillis);
            CallRecords.outcome(record, null);
            return result;
        } catch (Exception e) {
            CallRecords.outcome(record, e);
            throw e;
        }
    }

    // ---- breaker -----------------------------------------------------------------------------------------

    /**
     * Which breakers let the call through, to tell them its outcome ({@link #recordOutcome}); an enforced breaker
     * that is open refuses it with the library's exception (see {@link Breakers}).
     */
    private int admit(Exchange<?> exchange, CallRecord record) throws Exception {
        if (breakers == null) {
            return 0;
        }
        try {
            return breakers.permits(record);
        } catch (Breakers.Open open) {
            throw rejected(exchange, record, open.reason);
        }
    }

    /**
     * Counts a call that ran: a failure (connection failure, timeout) for the failure-rate breaker; for the
     * slow-call breaker, a call that succeeded (or the server answered) after more than slowCallDuration.
     */
    private void recordOutcome(int permits, boolean failure, long startedNanos) {
        if (permits != 0) {
            breakers.record(permits, failure, breakers.isSlow(System.nanoTime() - startedNanos));
        }
    }

    /** For a pool's getConnection: the refusal when an enforced breaker is open, else null (nothing recorded). */
    Exception refuseIfOpen(Exchange<?> exchange, CallRecord record) {
        String reason = breakers == null ? null : breakers.openReason();
        return reason == null ? null : rejected(exchange, record, reason);
    }

    boolean breakerOpen() {
        return breakers != null && breakers.openReason() != null;
    }

    private Exception rejected(Exchange<?> exchange, CallRecord record, String reason) {
        CallRecords.flag(record, CIRCUIT_OPEN);
        Exception rejected = exchange.rejectedException("jmesh: circuit breaker open for database '" + name + "' ("
                + reason + "); failing fast without calling the database");
        CallRecords.outcome(record, rejected);
        return rejected;
    }

    private static int millis(Duration duration) {
        return duration == null ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
    }
}
