package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.AwsExchange;
import dev.jmesh.config.AwsPolicy;
import dev.jmesh.config.Mode;
import dev.jmesh.config.RetryConfig;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * One {@code aws.<key>} entry as the engine runs it: its breaker and its token bucket (shared by every call the
 * entry governs), its timeout and its retry policy. A call combines its operation's entry with its service's: each
 * policy comes from the operation's entry when that sets it, else from the service's.
 *
 * <p>The pipeline of one SDK API call: rate limit, breaker, then attempts, each a whole SDK call with the SDK's own
 * retries inside, given the time left of {@code timeout} as its {@code apiCallTimeout}. The mesh makes more than one
 * attempt only when {@code retry} is written (it is not by default): the SDK already retries, and retries of
 * retries multiply the load on a struggling service. A failure, for the breaker and for {@code retry}, is a timeout,
 * no HTTP answer at all, a 5xx or a 429; any other service error (404 NoSuchKey, 403) is the service answering.
 */
final class AwsRuntime {
    private final AwsPolicy policy;
    /** Null without {@code circuitBreaker} (the loader allows no slow-call rate here: a timeout bounds the calls). */
    private final Breakers breakers;
    private final TokenBucket rateLimiter;
    private final boolean rateLimitShadow;

    AwsRuntime(AwsPolicy policy, LongSupplier ticker) {
        this.policy = policy;
        String key = policy.key();
        this.breakers = Breakers.of(policy.circuitBreaker(), "aws '" + key + "'", key);
        this.rateLimiter = policy.rateLimit() == null ? null
                : new TokenBucket(policy.rateLimit().requestsPerSecond(), policy.rateLimit().burst(), ticker);
        this.rateLimitShadow = policy.rateLimit() != null && policy.rateLimit().mode() == Mode.SHADOW;
    }

    AwsPolicy policy() {
        return policy;
    }

    /**
     * One SDK API call under the policies of {@code operation}'s entry and {@code service}'s (either may be null).
     *
     * @param name {@code Service.Operation}, for messages
     */
    static <R> R execute(AwsRuntime operation, AwsRuntime service, String name, AwsExchange<R> exchange,
                         CallRecord record) throws Exception {
        AwsRuntime limiting = operation != null && operation.rateLimiter != null ? operation : service;
        if (limiting != null && limiting.rateLimiter != null && !limiting.rateLimiter.tryAcquire()) {
            if (limiting.rateLimitShadow) {
                record.flag(ResponseFlags.SHADOW_RATE_LIMITED);
            } else {
                record.flag(ResponseFlags.RATE_LIMITED);
                Exception limited = exchange.rejectedException("jmesh: rate limit of "
                        + ServiceRuntime.perSecond(limiting.policy.rateLimit().requestsPerSecond()) + "/s for aws '"
                        + limiting.policy.key() + "' exceeded; " + name + " was not sent");
                record.outcome(-1, limited);
                throw limited;
            }
        }
        AwsRuntime breaking = operation != null && operation.breakers != null ? operation : service;
        Breakers breakers = breaking == null ? null : breaking.breakers;
        int permits = 0;
        if (breakers != null) {
            try {
                permits = breakers.permits(record);
            } catch (Breakers.Open open) {
                record.flag(ResponseFlags.CIRCUIT_OPEN);
                Exception rejected = exchange.rejectedException("jmesh: circuit breaker open for aws '"
                        + breaking.policy.key() + "' (" + open.reason + "); " + name
                        + " fails fast without calling AWS");
                record.outcome(-1, rejected);
                throw rejected;
            }
        }
        Duration timeout = operation != null && operation.policy.timeout() != null ? operation.policy.timeout()
                : service != null ? service.policy.timeout() : null;
        RetryConfig retry = operation != null && operation.policy.retry() != null ? operation.policy.retry()
                : service != null ? service.policy.retry() : null;
        int maxAttempts = retry == null || retry.mode() == Mode.SHADOW ? 1 : retry.maxAttempts();
        long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
        for (int attempt = 1; ; attempt++) {
            int budgetMillis = 0;
            if (deadline != 0) {
                long left = deadline - System.nanoTime();
                budgetMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000));
            }
            Exception failure = null;
            R result = null;
            try {
                result = once(exchange, record, budgetMillis);
            } catch (Exception e) {
                failure = e;
            }
            boolean failed = failure != null && isFailure(exchange, failure);
            if (failure != null && exchange.isTimeout(failure)) {
                record.flag(ResponseFlags.TIMEOUT);
            }
            boolean timeLeft = deadline == 0 || deadline - System.nanoTime() > 0;
            if (failed && attempt < maxAttempts && timeLeft) {
                Backoff.sleep(retry, attempt);
                continue;
            }
            if (failed && retry != null && retry.maxAttempts() > 1) {
                record.flag(retry.mode() == Mode.SHADOW ? ResponseFlags.SHADOW_RETRY
                        : ResponseFlags.RETRIES_EXHAUSTED);
            }
            if (permits != 0) {
                breakers.record(permits, failed, false);
            }
            if (failure != null) {
                throw failure;
            }
            return result;
        }
    }

    /** A timeout, no HTTP answer, a 5xx or a 429: what a breaker counts and what a retry repeats. */
    static boolean isFailure(AwsExchange<?> exchange, Throwable failure) {
        if (exchange.isTimeout(failure)) {
            return true;
        }
        int status = exchange.lastStatus();
        return status < 0 || status >= 500 || status == 429;
    }

    /** One whole SDK call, recorded: its HTTP requests as attempts, its status and request id. */
    static <R> R once(AwsExchange<R> exchange, CallRecord record, int timeoutMillis) throws Exception {
        try {
            R result = exchange.attempt(null, -1, timeoutMillis);
            record.outcome(exchange.lastStatus(), null);
            return result;
        } catch (Exception e) {
            record.outcome(exchange.lastStatus(), e);
            throw e;
        } finally {
            record.attemptsMade(exchange.httpAttempts(), exchange.lastEndpoint());
            String requestId = exchange.requestId();
            if (requestId != null) {
                record.requestId(requestId);
            }
        }
    }

}
