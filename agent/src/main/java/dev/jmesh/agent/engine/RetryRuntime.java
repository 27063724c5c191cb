package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.Mode;
import dev.jmesh.config.RetryBudgetConfig;
import dev.jmesh.config.RetryConfig;
import dev.jmesh.config.RetryOn;

import java.util.Collections;
import java.util.Set;

/**
 * A service's (or route's) retry policy as the engine applies it (Envoy: {@code retry_policy}): which calls may be
 * retried at all, which outcomes are retried ({@code retryOn}, listed status codes), how many attempts, the wait
 * before each retry and the retry budget. Immutable; {@link ServiceRuntime} runs the attempts.
 *
 * <p>The engine runs its own attempt loop rather than Failsafe's retry policy: a Failsafe execution allocates
 * several hundred bytes per call (benchmarks/README.md), and the budget, {@code Retry-After} and "a retry goes to
 * another endpoint" need hooks between attempts anyway. Failsafe still supplies the circuit breakers.
 */
final class RetryRuntime {
    /** No retry policy: one attempt, nothing is retryable. */
    static final RetryRuntime NONE = new RetryRuntime(null);

    private final RetryConfig config;
    /** Attempts in total, counting the first; 1 when the policy does not act (absent, or shadow). */
    final int maxAttempts;
    /** {@code mode: shadow} with more than one attempt: one attempt, flagged when it would have been retried. */
    final boolean shadow;
    /** Null: retries are not budgeted. */
    final RetryBudgetConfig budget;
    /** A 429/503's {@code Retry-After} sets the wait before the next attempt (enforced retries only). */
    final boolean honorRetryAfter;
    /** The per-try timeout in milliseconds; 0 for none. */
    final long perTryMillis;
    private final Set<RetryOn> retryOn;
    private final Set<Integer> retriableStatusCodes;
    private final long backoffBaseNanos;
    private final long backoffMaxNanos;

    RetryRuntime(RetryConfig config) {
        this.config = config;
        boolean many = config != null && config.maxAttempts() > 1;
        this.shadow = many && config.mode() == Mode.SHADOW;
        this.maxAttempts = many && !shadow ? config.maxAttempts() : 1;
        this.budget = config == null ? null : config.budget();
        this.honorRetryAfter = maxAttempts > 1 && config.honorRetryAfter();
        this.perTryMillis = config == null || config.perTryTimeout() == null ? 0 : config.perTryTimeout().toMillis();
        this.retryOn = config == null ? Collections.<RetryOn>emptySet() : config.retryOn();
        this.retriableStatusCodes = config == null ? Collections.<Integer>emptySet() : config.retriableStatusCodes();
        this.backoffBaseNanos = config == null ? 0 : config.backoffBase().toNanos();
        this.backoffMaxNanos = config == null ? 0 : config.backoffMax().toNanos();
    }

    /**
     * Whether the call may be retried at all: its method is one the policy allows (by default the idempotent ones),
     * and its body, if any, can be sent again and is no larger than {@code maxReplayBodyBytes}.
     */
    boolean mayRetry(OutboundCall call) {
        if (config == null || !call.replayable() || !config.methods().contains(call.method())) {
            return false;
        }
        long body = call.bodyBytes();
        return body >= 0 && body <= config.maxReplayBodyBytes();
    }

    /**
     * Whether this outcome of an attempt is one to retry: a response with a retryable status (unless its
     * {@code Retry-After} asks for a wait beyond the call's timeout: then the app gets it at once), or a retryable
     * failure.
     */
    boolean retries(Attempt<?> response, Throwable failure) {
        return failure != null ? isRetryable(failure)
                : isRetryableStatus(response.status) && !response.retryAfterBeyondDeadline;
    }

    boolean isRetryableStatus(int status) {
        if (status < 0) {
            return false;
        }
        return (retryOn.contains(RetryOn.STATUS_5XX) && status >= 500)
                || (retryOn.contains(RetryOn.GATEWAY_ERROR) && status >= 502 && status <= 504)
                || (!retriableStatusCodes.isEmpty() && retriableStatusCodes.contains(status)); // boxes: only when listed
    }

    /** Envoy's meaning: 5xx also covers attempts that got no response at all. */
    boolean isRetryable(Throwable failure) {
        if (failure instanceof DeadlineExceededException) {
            return false;
        }
        switch (Failure.of(failure)) {
            case CONNECT_FAILURE:
                return retryOn.contains(RetryOn.CONNECT_FAILURE) || retryOn.contains(RetryOn.STATUS_5XX)
                        || retryOn.contains(RetryOn.GATEWAY_ERROR);
            case TIMEOUT:
                return retryOn.contains(RetryOn.RESET) || retryOn.contains(RetryOn.STATUS_5XX)
                        || retryOn.contains(RetryOn.GATEWAY_ERROR);
            case RESET:
                return retryOn.contains(RetryOn.RESET) || retryOn.contains(RetryOn.STATUS_5XX);
            default:
                return false;
        }
    }

    /**
     * The wait in nanoseconds before retry {@code retry} (1 for the second attempt): the back-off, or the previous
     * response's {@code Retry-After} when that is longer, cut to what is left until {@code deadline}
     * ({@link System#nanoTime()} based, 0 = none). At the deadline the next attempt finds no time left and the call
     * times out, as Envoy's route timeout fires during a back-off.
     */
    long delayNanos(int retry, Attempt<?> previous, long deadline) {
        long delay = Backoff.fullJitterNanos(backoffBaseNanos, backoffMaxNanos, retry);
        if (previous != null && previous.retryAfterMillis > 0) {
            delay = Math.max(delay, previous.retryAfterMillis * 1_000_000L);
        }
        return deadline == 0 ? delay : Math.max(0, Math.min(delay, deadline - System.nanoTime()));
    }
}
