package dev.jmesh.config;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Retry policy of a service ({@code services.<name>.retry}). Attempt n (n >= 2) waits a jittered
 * exponential back-off between {@link #backoffBase()} and {@link #backoffMax()} before it starts.
 */
public final class RetryConfig {

    public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(25);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMillis(250);
    public static final Set<RetryOn> DEFAULT_RETRY_ON =
            Collections.unmodifiableSet(EnumSet.of(RetryOn.CONNECT_FAILURE, RetryOn.RESET, RetryOn.STATUS_5XX));

    private final int maxAttempts;
    private final Duration perTryTimeout;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final Set<RetryOn> retryOn;
    private final Set<Integer> retriableStatusCodes;

    RetryConfig(int maxAttempts, Duration perTryTimeout, Duration backoffBase, Duration backoffMax,
            Set<RetryOn> retryOn, Set<Integer> retriableStatusCodes) {
        this.maxAttempts = maxAttempts;
        this.perTryTimeout = perTryTimeout;
        this.backoffBase = backoffBase;
        this.backoffMax = backoffMax;
        this.retryOn = retryOn.isEmpty()
                ? Collections.<RetryOn>emptySet()
                : Collections.unmodifiableSet(EnumSet.copyOf(retryOn));
        this.retriableStatusCodes = Collections.unmodifiableSet(new LinkedHashSet<Integer>(retriableStatusCodes));
    }

    /** Attempts in total, counting the first one; at least 1. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Timeout of each single attempt, or null for none (only the service's overall timeout applies). */
    public Duration perTryTimeout() {
        return perTryTimeout;
    }

    public Duration backoffBase() {
        return backoffBase;
    }

    /** At least {@link #backoffBase()}. */
    public Duration backoffMax() {
        return backoffMax;
    }

    /** Failure kinds that are retried. */
    public Set<RetryOn> retryOn() {
        return retryOn;
    }

    /** Response status codes (100..599) that are retried in addition to {@link #retryOn()}. */
    public Set<Integer> retriableStatusCodes() {
        return retriableStatusCodes;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RetryConfig)) {
            return false;
        }
        RetryConfig r = (RetryConfig) o;
        return maxAttempts == r.maxAttempts && Objects.equals(perTryTimeout, r.perTryTimeout)
                && backoffBase.equals(r.backoffBase) && backoffMax.equals(r.backoffMax)
                && retryOn.equals(r.retryOn) && retriableStatusCodes.equals(r.retriableStatusCodes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, perTryTimeout, backoffBase, backoffMax, retryOn, retriableStatusCodes);
    }

    @Override
    public String toString() {
        return "RetryConfig{maxAttempts=" + maxAttempts
                + ", perTryTimeout=" + Durations.format(perTryTimeout)
                + ", backoff=" + Durations.format(backoffBase) + ".." + Durations.format(backoffMax)
                + ", retryOn=" + retryOn
                + ", retriableStatusCodes=" + retriableStatusCodes + "}";
    }
}
