package dev.jmesh.agent.engine.db;

import dev.failsafe.CircuitBreaker;
import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.agent.engine.CallRecords;
import dev.jmesh.agent.engine.CircuitBreakers;
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
import java.util.concurrent.ThreadLocalRandom;

/**
 * One configured database ({@code databases.<name>}) as the engine runs it: its endpoints and their health,
 * its circuit breaker, its connect timeout and connection retries, its query timeouts and statement policies.
 *
 * <p>Connect: the breaker first (open: fail fast), then the endpoints in order of health, each tried once, the
 * next one on a connect failure (failover); {@code retry.maxAttempts} is the number of such passes, with
 * back-off between passes. A failure that is not a connection failure (a refused login) ends the call at once.
 * Statements: the breaker, then ONE execution with the query timeout of the first matching statement policy
 * (else the database's); statements are never retried. Commit and rollback are recorded, never refused.
 */
final class DatabaseRuntime {
    static final String CONNECT_FAILURE = "UF";
    static final String TIMEOUT = "UT";
    static final String CONNECTION_TERMINATION = "UC";
    static final String CIRCUIT_OPEN = "UO";
    static final String RETRIES_EXHAUSTED = "URX";
    static final String SHADOW_CIRCUIT_OPEN = "~UO";
    static final String SHADOW_TIMEOUT = "~UT";
    static final String SHADOW_RETRY = "~RETRY";

    private final DatabaseConfig config;
    private final String name;
    private final List<DatabaseEndpoint> endpoints;
    private final CircuitBreaker<Object> breaker;
    private final boolean breakerShadow;
    private final String breakerDescription;
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
        this.breaker = config.circuitBreaker() == null ? null
                : CircuitBreakers.failureRate(config.circuitBreaker(), "database '" + name + "'", name,
                        (o, f) -> f != null);
        this.breakerShadow = config.circuitBreaker() != null && config.circuitBreaker().mode() == Mode.SHADOW;
        this.breakerDescription = config.circuitBreaker() == null ? null
                : CircuitBreakers.description(config.circuitBreaker());
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
        boolean permitted = admit(exchange, record);
        Exception last = null;
        for (int pass = 0; pass < passes; pass++) {
            if (pass > 0) {
                backOff(pass);
            }
            for (DatabaseEndpoint endpoint : inOrderOfHealth(call)) {
                CallRecords.attemptStarted(record, endpoint.name.isEmpty() ? null : endpoint.name);
                try {
                    R connection = exchange.attempt(endpoint.host, endpoint.port, connectTimeoutMillis);
                    endpoint.connected(name);
                    if (permitted) {
                        breaker.recordSuccess();
                    }
                    CallRecords.outcome(record, null);
                    return connection;
                } catch (Exception e) {
                    last = e;
                    if (!SqlFailures.isConnectionFailure(e)) {
                        if (permitted) {
                            breaker.recordSuccess(); // the server answered: it is alive
                        }
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
        if (permitted) {
            breaker.recordFailure();
        }
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

    /** Exponential back-off with 50% jitter between passes, on the caller's thread (connecting blocks anyway). */
    private void backOff(int pass) throws InterruptedException {
        RetryConfig retry = config.retry();
        long base = retry.backoffBase().toMillis();
        long max = Math.max(base, retry.backoffMax().toMillis());
        long delay = Math.min(max, base << Math.min(pass - 1, 20));
        long jittered = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
        if (jittered > 0) {
            Thread.sleep(jittered);
        }
    }

    // ---- statements ------------------------------------------------------------------------------------

    <R> R execute(OutboundCall call, BlockingExchange<R> exchange, CallRecord record) throws Exception {
        String operation = call.method();
        if ("COMMIT".equals(operation) || "ROLLBACK".equals(operation)) {
            return once(call, exchange, record, 0); // ending a transaction is never refused
        }
        boolean permitted = admit(exchange, record);
        StatementPolicy policy = policyFor(call);
        int timeout = millis(config.queryTimeout());
        long shadowTimeoutNanos = 0;
        if (policy != null) {
            if (policy.mode() == Mode.SHADOW) {
                shadowTimeoutNanos = policy.queryTimeout().toNanos();
            } else {
                timeout = millis(policy.queryTimeout());
            }
        }
        long started = System.nanoTime();
        try {
            R result = once(call, exchange, record, timeout);
            if (permitted) {
                breaker.recordSuccess();
            }
            if (shadowTimeoutNanos > 0 && System.nanoTime() - started > shadowTimeoutNanos) {
                CallRecords.flag(record, SHADOW_TIMEOUT);
            }
            return result;
        } catch (Exception e) {
            boolean timedOut = SqlFailures.isTimeout(e);
            boolean broken = !timedOut && SqlFailures.isConnectionFailure(e);
            if (timedOut) {
                CallRecords.flag(record, TIMEOUT);
            } else if (broken) {
                CallRecords.flag(record, CONNECTION_TERMINATION);
            } else if (shadowTimeoutNanos > 0 && System.nanoTime() - started > shadowTimeoutNanos) {
                CallRecords.flag(record, SHADOW_TIMEOUT);
            }
            if (permitted) {
                if (timedOut || broken) {
                    breaker.recordFailure();
                } else {
                    breaker.recordSuccess(); // an SQL error is the server answering
                }
            }
            throw e;
        }
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
     * Whether the call holds a breaker permit (its outcome must then be recorded). An enforced breaker that is
     * open refuses the call with the library's exception; one in shadow mode lets it through, flagged {@code ~UO}.
     */
    private boolean admit(Exchange<?> exchange, CallRecord record) throws Exception {
        if (breaker == null) {
            return false;
        }
        if (breaker.tryAcquirePermit()) {
            return true;
        }
        if (breakerShadow) {
            CallRecords.flag(record, SHADOW_CIRCUIT_OPEN);
            return false;
        }
        throw rejected(exchange, record);
    }

    /** For a pool's getConnection: the refusal when the enforced breaker is open, else null (nothing recorded). */
    Exception refuseIfOpen(Exchange<?> exchange, CallRecord record) {
        if (breaker == null || breakerShadow || !breaker.isOpen()) {
            return null;
        }
        return rejected(exchange, record);
    }

    boolean breakerOpen() {
        return breaker != null && !breakerShadow && breaker.isOpen();
    }

    private Exception rejected(Exchange<?> exchange, CallRecord record) {
        CallRecords.flag(record, CIRCUIT_OPEN);
        Exception rejected = exchange.rejectedException("jmesh: circuit breaker open for database '" + name + "' ("
                + breakerDescription + "); failing fast without calling the database");
        CallRecords.outcome(record, rejected);
        return rejected;
    }

    private static int millis(Duration duration) {
        return duration == null ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
    }
}
