package dev.jmesh.agent.engine;

import dev.failsafe.CircuitBreaker;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.CircuitBreakerConfig;
import dev.jmesh.config.Mode;

/**
 * Failsafe circuit breakers built from {@code circuitBreaker} config for {@link Breakers}, so that services,
 * databases and AWS calls have the same thresholds, the same transition log lines ("opened", "is half-open",
 * "closed"; "would ..." in shadow mode) and the same transition events for the metrics ({@link EngineEvents}).
 */
final class CircuitBreakers {
    private CircuitBreakers() {
    }

    /** "failure rate of at least 50% over 10000ms", as messages and logs say it. */
    static String description(CircuitBreakerConfig config) {
        return "failure rate of at least " + percent(config.failureRateThreshold()) + "% over "
                + config.window().toMillis() + "ms";
    }

    /** "slow-call rate of at least 50% (calls slower than 100ms) over 10000ms"; only for configs that count slow calls. */
    static String slowCallDescription(CircuitBreakerConfig config) {
        return "slow-call rate of at least " + percent(config.slowCallRateThreshold()) + "% (calls slower than "
                + config.slowCallDuration().toMillis() + "ms) over " + config.window().toMillis() + "ms";
    }

    /** A threshold fraction as the whole percent Failsafe takes, within 1..100. */
    private static int percent(double fraction) {
        return (int) Math.max(1, Math.min(100, Math.round(fraction * 100)));
    }

    /**
     * The breaker on the failure rate.
     *
     * @param owner   what the breaker protects, e.g. {@code service 'inventory'}
     * @param name    the service or database name its events carry
     */
    static CircuitBreaker<Object> failureRate(CircuitBreakerConfig config, String owner, String name) {
        return build(config, owner, name, EngineEvents.FAILURE_RATE, percent(config.failureRateThreshold()),
                description(config), "");
    }

    /** The breaker on the slow-call rate: its failures are the calls slower than slowCallDuration. */
    static CircuitBreaker<Object> slowCallRate(CircuitBreakerConfig config, String owner, String name) {
        return build(config, owner, name, EngineEvents.SLOW_CALLS, percent(config.slowCallRateThreshold()),
                slowCallDescription(config), " (slow-call rate)");
    }

    /**
     * Used only through its permit-and-record API ({@code tryAcquirePermit}, {@code recordSuccess},
     * {@code recordFailure}): the owner decides what counts as a failure, and no Failsafe execution is needed.
     */
    private static CircuitBreaker<Object> build(final CircuitBreakerConfig config, String owner, final String name,
                                                final String kind, int percent, final String description,
                                                final String which) {
        final String breakerName = "circuit breaker for " + owner;
        final boolean shadow = config.mode() == Mode.SHADOW;
        return CircuitBreaker.builder()
                .withFailureRateThreshold(percent, config.minimumCalls(), config.window())
                .withDelay(config.openDuration())
                .withSuccessThreshold(config.halfOpenCalls())
                .onOpen(e -> {
                    EngineEvents.breakerTransition(name, kind, e.getPreviousState(), "open", shadow);
                    AgentLog.warn(breakerName + (shadow ? " would open (mode: shadow): " + description
                            + "; calls are not rejected, they are flagged ~UO"
                            : " opened: " + description + "; calls fail fast for " + config.openDuration().toMillis()
                            + "ms"));
                })
                .onHalfOpen(e -> {
                    EngineEvents.breakerTransition(name, kind, e.getPreviousState(), "half_open", shadow);
                    AgentLog.info(breakerName + (shadow ? " would be half-open" + which + " (mode: shadow)"
                            : " is half-open" + which + ": probing"));
                })
                .onClose(e -> {
                    EngineEvents.breakerTransition(name, kind, e.getPreviousState(), "closed", shadow);
                    AgentLog.info(breakerName + (shadow ? " would close" + which + " (mode: shadow)"
                            : " closed" + which));
                })
                .build();
    }
}
