package dev.jmesh.agent.engine;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.function.CheckedBiPredicate;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.CircuitBreakerConfig;
import dev.jmesh.config.Mode;

/**
 * Failsafe circuit breakers built from {@code circuitBreaker} config, for services and databases alike: the same
 * thresholds, the same transition log lines ("opened", "is half-open", "closed"; "would ..." in shadow mode).
 */
public final class CircuitBreakers {
    private CircuitBreakers() {
    }

    /** "failure rate of at least 50% over 10000ms", as messages and logs say it. */
    public static String description(CircuitBreakerConfig config) {
        return "failure rate of at least " + percent(config) + "% over " + config.window().toMillis() + "ms";
    }

    private static int percent(CircuitBreakerConfig config) {
        return (int) Math.max(1, Math.min(100, Math.round(config.failureRateThreshold() * 100)));
    }

    /**
     * @param owner   what the breaker protects, e.g. {@code service 'inventory'}
     * @param failure which outcomes count as failures when the breaker runs in a Failsafe pipeline (a breaker
     *                used through {@code tryAcquirePermit}/{@code recordFailure} decides itself)
     */
    public static CircuitBreaker<Object> build(CircuitBreakerConfig config, String owner,
                                               CheckedBiPredicate<Object, Throwable> failure) {
        final String description = description(config);
        final String breakerName = "circuit breaker for " + owner;
        if (config.mode() == Mode.SHADOW) {
            // shadow: the caller records outcomes itself; this breaker is never in the pipeline
            return CircuitBreaker.builder()
                    .withFailureRateThreshold(percent(config), config.minimumCalls(), config.window())
                    .withDelay(config.openDuration())
                    .withSuccessThreshold(config.halfOpenCalls())
                    .onOpen(e -> AgentLog.warn(breakerName + " would open (mode: shadow): " + description
                            + "; calls are not rejected, they are flagged ~UO"))
                    .onHalfOpen(e -> AgentLog.info(breakerName + " would be half-open (mode: shadow)"))
                    .onClose(e -> AgentLog.info(breakerName + " would close (mode: shadow)"))
                    .build();
        }
        return CircuitBreaker.builder()
                .handleIf(failure)
                .withFailureRateThreshold(percent(config), config.minimumCalls(), config.window())
                .withDelay(config.openDuration())
                .withSuccessThreshold(config.halfOpenCalls())
                .onOpen(e -> AgentLog.warn(breakerName + " opened: " + description + "; calls fail fast for "
                        + config.openDuration().toMillis() + "ms"))
                .onHalfOpen(e -> AgentLog.info(breakerName + " is half-open: probing"))
                .onClose(e -> AgentLog.info(breakerName + " closed"))
                .build();
    }
}
