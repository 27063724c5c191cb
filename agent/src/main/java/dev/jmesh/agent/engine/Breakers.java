package dev.jmesh.agent.engine;

import dev.failsafe.CircuitBreaker;
import dev.jmesh.config.CircuitBreakerConfig;
import dev.jmesh.config.Mode;

/**
 * The circuit breakers of one service or database: the failure-rate breaker and, with
 * {@code slowCallRateThreshold}, the slow-call breaker (same window, open duration and probes; its failures are
 * calls slower than {@code slowCallDuration}). They are asked once per logical call, before it runs
 * ({@link #permits}), and told once what it came to ({@link #record}): HTTP calls and JDBC statements count the same
 * way. In {@code mode: shadow} they are asked and told alike, but never stop a call.
 */
public final class Breakers {
    /** Bits of {@link #permits}: which breakers let the call through and so must be told its outcome. */
    private static final int FAILURE_RATE_PERMIT = 1;
    private static final int SLOW_CALLS_PERMIT = 2;

    private final CircuitBreaker<Object> failureRate;
    /** Null unless slow calls are counted. */
    private final CircuitBreaker<Object> slowCalls;
    private final boolean shadow;
    private final long slowCallNanos;
    private final String failureRateReason;
    private final String slowCallsReason;

    private Breakers(CircuitBreakerConfig config, String owner, String name) {
        this.failureRate = CircuitBreakers.failureRate(config, owner, name);
        boolean countsSlowCalls = config.slowCallRateThreshold() != null;
        this.slowCalls = countsSlowCalls ? CircuitBreakers.slowCallRate(config, owner, name) : null;
        this.shadow = config.mode() == Mode.SHADOW;
        this.slowCallNanos = countsSlowCalls ? config.slowCallDuration().toNanos() : 0;
        this.failureRateReason = CircuitBreakers.description(config);
        this.slowCallsReason = countsSlowCalls ? CircuitBreakers.slowCallDescription(config) : null;
    }

    /**
     * The breakers {@code config} asks for, or null for none.
     *
     * @param owner what they protect, e.g. {@code service 'inventory'}
     * @param name  the service or database name their events carry
     */
    public static Breakers of(CircuitBreakerConfig config, String owner, String name) {
        return config == null ? null : new Breakers(config, owner, name);
    }

    /** A breaker refused the call: what to tell the application. */
    public static final class Open extends Exception {
        /** Which rate opened it, e.g. "failure rate of at least 50% over 10000ms". */
        public final String reason;

        Open(String reason) {
            super(reason, null, false, false);
            this.reason = reason;
        }
    }

    /**
     * Asks the breakers for one call: returns which of them let it through, to pass to {@link #record}. An enforced
     * breaker that is open refuses it: the failure-rate one first; when the slow-call one refuses, a probe permit the
     * failure-rate one gave is handed back (the call does not run). In shadow mode the call always goes on, flagged
     * {@code ~UO} when a breaker would have refused it.
     */
    public int permits(CallRecord record) throws Open {
        int permits = 0;
        if (failureRate.tryAcquirePermit()) {
            permits |= FAILURE_RATE_PERMIT;
        } else if (!shadow) {
            throw new Open(failureRateReason);
        }
        if (slowCalls != null) {
            if (slowCalls.tryAcquirePermit()) {
                permits |= SLOW_CALLS_PERMIT;
            } else if (!shadow) {
                if (failureRate.isHalfOpen()) {
                    failureRate.recordSuccess(); // gives back the probe permit taken above
                }
                throw new Open(slowCallsReason);
            }
        }
        if (shadow && permits != (slowCalls == null ? FAILURE_RATE_PERMIT : FAILURE_RATE_PERMIT | SLOW_CALLS_PERMIT)) {
            record.flag(ResponseFlags.SHADOW_CIRCUIT_OPEN);
        }
        return permits;
    }

    /**
     * Tells the breakers that let the call through what it came to: {@code failed} counts for the failure rate;
     * {@code slow} (see {@link #isSlow}) for the slow-call rate, unless the call failed: a failed call is the failure
     * rate's to count, not a slow one.
     */
    public void record(int permits, boolean failed, boolean slow) {
        if ((permits & SLOW_CALLS_PERMIT) != 0) {
            if (!failed && slow) {
                slowCalls.recordFailure();
            } else {
                slowCalls.recordSuccess();
            }
        }
        if ((permits & FAILURE_RATE_PERMIT) != 0) {
            if (failed) {
                failureRate.recordFailure();
            } else {
                failureRate.recordSuccess();
            }
        }
    }

    /** Whether slow calls are counted (only then is a call's time worth taking). */
    public boolean countsSlowCalls() {
        return slowCalls != null;
    }

    /** Whether a call that took this long is a slow call (false when slow calls are not counted). */
    public boolean isSlow(long elapsedNanos) {
        return slowCalls != null && elapsedNanos > slowCallNanos;
    }

    public boolean shadow() {
        return shadow;
    }

    /** The reason an enforced breaker that is open now gives, or null when none is (shadow breakers never are). */
    public String openReason() {
        if (shadow) {
            return null;
        }
        if (failureRate.isOpen()) {
            return failureRateReason;
        }
        return slowCalls != null && slowCalls.isOpen() ? slowCallsReason : null;
    }

    /** The failure-rate breaker's {@code closed}, {@code open} or {@code half_open}. */
    public String state() {
        return EngineEvents.stateName(failureRate.getState());
    }

    /** The slow-call breaker's state, or null when slow calls are not counted. */
    public String slowCallState() {
        return slowCalls == null ? null : EngineEvents.stateName(slowCalls.getState());
    }
}
