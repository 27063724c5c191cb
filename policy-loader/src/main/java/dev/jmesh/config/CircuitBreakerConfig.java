package dev.jmesh.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Circuit breaker of a service ({@code services.<name>.circuitBreaker}): it opens when, over the
 * last {@link #window()} and at least {@link #minimumCalls()} calls, the failure rate reaches
 * {@link #failureRateThreshold()}; it stays open for {@link #openDuration()}, then lets
 * {@link #halfOpenCalls()} trial calls through. With {@link #slowCallRateThreshold()} set, calls slower
 * than {@link #slowCallDuration()} count towards opening it too.
 */
public final class CircuitBreakerConfig {

    public static final double DEFAULT_FAILURE_RATE_THRESHOLD = 0.5;
    public static final int DEFAULT_MINIMUM_CALLS = 20;
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
    public static final Duration DEFAULT_OPEN_DURATION = Duration.ofSeconds(30);
    public static final int DEFAULT_HALF_OPEN_CALLS = 5;

    private final double failureRateThreshold;
    private final int minimumCalls;
    private final Duration window;
    private final Duration openDuration;
    private final int halfOpenCalls;
    private final Double slowCallRateThreshold;
    private final Duration slowCallDuration;
    private final Mode mode;

    CircuitBreakerConfig(double failureRateThreshold, int minimumCalls, Duration window, Duration openDuration,
            int halfOpenCalls) {
        this(failureRateThreshold, minimumCalls, window, openDuration, halfOpenCalls, null, null, Mode.ENFORCE);
    }

    CircuitBreakerConfig(double failureRateThreshold, int minimumCalls, Duration window, Duration openDuration,
            int halfOpenCalls, Double slowCallRateThreshold, Duration slowCallDuration, Mode mode) {
        this.failureRateThreshold = failureRateThreshold;
        this.minimumCalls = minimumCalls;
        this.window = window;
        this.openDuration = openDuration;
        this.halfOpenCalls = halfOpenCalls;
        this.slowCallRateThreshold = slowCallRateThreshold;
        this.slowCallDuration = slowCallDuration;
        this.mode = mode;
    }

    /** Failure rate that opens the breaker, as a fraction in (0, 1]: 50% is 0.5. */
    public double failureRateThreshold() {
        return failureRateThreshold;
    }

    public int minimumCalls() {
        return minimumCalls;
    }

    public Duration window() {
        return window;
    }

    public Duration openDuration() {
        return openDuration;
    }

    public int halfOpenCalls() {
        return halfOpenCalls;
    }

    /**
     * Rate of slow calls that opens the breaker, as a fraction in (0, 1], or null when slow calls do not
     * count (then {@link #slowCallDuration()} is null too).
     */
    public Double slowCallRateThreshold() {
        return slowCallRateThreshold;
    }

    /** A call that takes longer is slow; null when slow calls do not count. */
    public Duration slowCallDuration() {
        return slowCallDuration;
    }

    public Mode mode() {
        return mode;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CircuitBreakerConfig)) {
            return false;
        }
        CircuitBreakerConfig c = (CircuitBreakerConfig) o;
        return Double.compare(failureRateThreshold, c.failureRateThreshold) == 0 && minimumCalls == c.minimumCalls
                && window.equals(c.window) && openDuration.equals(c.openDuration) && halfOpenCalls == c.halfOpenCalls
                && Objects.equals(slowCallRateThreshold, c.slowCallRateThreshold)
                && Objects.equals(slowCallDuration, c.slowCallDuration) && mode == c.mode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(failureRateThreshold, minimumCalls, window, openDuration, halfOpenCalls,
                slowCallRateThreshold, slowCallDuration, mode);
    }

    @Override
    public String toString() {
        return "CircuitBreakerConfig{failureRateThreshold=" + failureRateThreshold
                + ", minimumCalls=" + minimumCalls
                + ", window=" + Durations.format(window)
                + ", openDuration=" + Durations.format(openDuration)
                + ", halfOpenCalls=" + halfOpenCalls
                + (slowCallRateThreshold != null ? ", slowCallRateThreshold=" + slowCallRateThreshold
                        + ", slowCallDuration=" + Durations.format(slowCallDuration) : "")
                + (mode != Mode.ENFORCE ? ", mode=" + mode : "") + "}";
    }
}
