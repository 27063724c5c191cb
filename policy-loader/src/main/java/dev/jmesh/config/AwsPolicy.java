package dev.jmesh.config;

import java.time.Duration;

/**
 * Policies for AWS SDK calls ({@code aws.<key>}): the key is a service ({@code S3}, a service-wide default) or a
 * service and operation ({@code S3.GetObject}), spelt as the SDK names them. One SDK API call, with all the
 * attempts the SDK itself makes, is one logical call: the timeout bounds it whole, the breaker and the rate limit
 * admit it or refuse it whole, and {@code retry} (off unless written) repeats it whole.
 */
public final class AwsPolicy extends ConfigValue {

    private final String key;
    private final Duration timeout;
    private final RetryConfig retry;
    private final CircuitBreakerConfig circuitBreaker;
    private final RateLimitConfig rateLimit;

    AwsPolicy(String key, Duration timeout, RetryConfig retry, CircuitBreakerConfig circuitBreaker,
            RateLimitConfig rateLimit) {
        this.key = key;
        this.timeout = timeout;
        this.retry = retry;
        this.circuitBreaker = circuitBreaker;
        this.rateLimit = rateLimit;
    }

    /** {@code Service} or {@code Service.Operation}, e.g. {@code S3} or {@code S3.GetObject}. */
    public String key() {
        return key;
    }

    /** Timeout of the whole SDK call (the SDK's apiCallTimeout), or null for none. */
    public Duration timeout() {
        return timeout;
    }

    /** Retries of the whole SDK call on top of the SDK's own, or null for none (the default). */
    public RetryConfig retry() {
        return retry;
    }

    /** A breaker over SDK calls of this key, or null for none. */
    public CircuitBreakerConfig circuitBreaker() {
        return circuitBreaker;
    }

    /** A token bucket over SDK calls of this key, or null for none. */
    public RateLimitConfig rateLimit() {
        return rateLimit;
    }

    @Override
    Object[] fields() {
        return new Object[] {"key", key, "timeout", timeout, "retry", retry, "circuitBreaker", circuitBreaker,
                "rateLimit", rateLimit};
    }
}
