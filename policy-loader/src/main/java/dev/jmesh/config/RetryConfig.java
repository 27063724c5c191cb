package dev.jmesh.config;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * Retry policy of a service ({@code services.<name>.retry}). Attempt n (n >= 2) first waits a random time between
 * 0 and min({@link #backoffMax()}, {@link #backoffBase()} x 2^(n-2)) (exponential back-off, full jitter). Only
 * calls whose method is in {@link #methods()} are retried.
 */
public final class RetryConfig {

    public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(25);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMillis(250);
    public static final Set<RetryOn> DEFAULT_RETRY_ON =
            Collections.unmodifiableSet(EnumSet.of(RetryOn.CONNECT_FAILURE, RetryOn.RESET, RetryOn.STATUS_5XX));
    /** The idempotent HTTP methods (RFC 9110): retried unless {@code retry.methods} says otherwise. */
    public static final Set<String> DEFAULT_METHODS = Collections.unmodifiableSet(
            new LinkedHashSet<String>(Arrays.asList("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE")));
    /** Bodies up to this size are replayed on a retry (when the instrumentation knows the size and can resend it). */
    public static final int DEFAULT_MAX_REPLAY_BODY_BYTES = 64 * 1024;
    /** The most {@code maxReplayBodyBytes} may be: an instrumentation may hold that much per call in memory. */
    public static final int MAX_REPLAY_BODY_BYTES_LIMIT = 16 * 1024 * 1024;

    private final int maxAttempts;
    private final Duration perTryTimeout;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final Set<RetryOn> retryOn;
    private final Set<Integer> retriableStatusCodes;
    private final RetryBudgetConfig budget;
    private final Set<String> methods;
    private final boolean honorRetryAfter;
    private final int maxReplayBodyBytes;
    private final Mode mode;

    RetryConfig(int maxAttempts, Duration perTryTimeout, Duration backoffBase, Duration backoffMax,
            Set<RetryOn> retryOn, Set<Integer> retriableStatusCodes) {
        this(maxAttempts, perTryTimeout, backoffBase, backoffMax, retryOn, retriableStatusCodes, null,
                DEFAULT_METHODS, false, DEFAULT_MAX_REPLAY_BODY_BYTES, Mode.ENFORCE);
    }

    RetryConfig(int maxAttempts, Duration perTryTimeout, Duration backoffBase, Duration backoffMax,
            Set<RetryOn> retryOn, Set<Integer> retriableStatusCodes, RetryBudgetConfig budget, Set<String> methods,
            boolean honorRetryAfter, int maxReplayBodyBytes, Mode mode) {
        this.maxAttempts = maxAttempts;
        this.perTryTimeout = perTryTimeout;
        this.backoffBase = backoffBase;
        this.backoffMax = backoffMax;
        this.retryOn = retryOn.isEmpty()
                ? Collections.<RetryOn>emptySet()
                : Collections.unmodifiableSet(EnumSet.copyOf(retryOn));
        this.retriableStatusCodes = Collections.unmodifiableSet(new LinkedHashSet<Integer>(retriableStatusCodes));
        this.budget = budget;
        this.methods = Collections.unmodifiableSet(new LinkedHashSet<String>(methods));
        this.honorRetryAfter = honorRetryAfter;
        this.maxReplayBodyBytes = maxReplayBodyBytes;
        this.mode = mode;
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

    /** The retry budget, or null for none (only {@link #maxAttempts()} limits retries). */
    public RetryBudgetConfig budget() {
        return budget;
    }

    /**
     * HTTP methods (upper case) whose calls may be retried; by default the idempotent ones
     * ({@link #DEFAULT_METHODS}). Listing POST or PATCH allows retrying them, which is safe only when
     * the upstream de-duplicates. Does not apply to database connection retries.
     */
    public Set<String> methods() {
        return methods;
    }

    /** Whether a {@code Retry-After} header of a 429 or 503 response sets the wait before the next attempt. */
    public boolean honorRetryAfter() {
        return honorRetryAfter;
    }

    /**
     * The largest request body (bytes) that is sent again on a retry; a call with a larger body, or with a body
     * whose size the instrumentation cannot know in advance (a stream), gets exactly one attempt.
     */
    public int maxReplayBodyBytes() {
        return maxReplayBodyBytes;
    }

    public Mode mode() {
        return mode;
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
                && retryOn.equals(r.retryOn) && retriableStatusCodes.equals(r.retriableStatusCodes)
                && Objects.equals(budget, r.budget) && methods.equals(r.methods)
                && honorRetryAfter == r.honorRetryAfter && maxReplayBodyBytes == r.maxReplayBodyBytes && mode == r.mode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, perTryTimeout, backoffBase, backoffMax, retryOn, retriableStatusCodes,
                budget, methods, honorRetryAfter, maxReplayBodyBytes, mode);
    }

    @Override
    public String toString() {
        return "RetryConfig{maxAttempts=" + maxAttempts
                + ", perTryTimeout=" + Durations.format(perTryTimeout)
                + ", backoff=" + Durations.format(backoffBase) + ".." + Durations.format(backoffMax)
                + ", retryOn=" + retryOn
                + ", retriableStatusCodes=" + retriableStatusCodes
                + (budget != null ? ", budget=" + budget : "")
                + (!methods.equals(DEFAULT_METHODS) ? ", methods=" + methods : "")
                + (honorRetryAfter ? ", honorRetryAfter=true" : "")
                + (maxReplayBodyBytes != DEFAULT_MAX_REPLAY_BODY_BYTES ? ", maxReplayBodyBytes=" + maxReplayBodyBytes : "")
                + (mode != Mode.ENFORCE ? ", mode=" + mode : "") + "}";
    }
}
