package dev.jmesh.benchmarks.load;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Set-up (g): the same calls with Resilience4j written into the app's code, with the policy that set-up (b)
 * gives jmesh in mesh.yaml: {@code circuit breaker( retry( time limiter( call ) ) )}, the breaker outside the
 * retries as in jmesh. Retry: 3 attempts on I/O errors, time-outs and 5xx, exponential back-off from 25 ms to
 * 250 ms with 50 % jitter (jmesh jitters fully, between 0 and the back-off; on this set-up's rare retries the
 * difference does not show). Time limiter: 1 s per attempt. Breaker: 50 % failures over a 10 s window, at least
 * 20 calls, open 30 s, 5 calls half open; a 5xx counts as a failure.
 *
 * <p>The time limiter works on futures, and HttpURLConnection blocks: as Resilience4j's documentation shows for
 * blocking code, each attempt runs on a pool thread and the caller waits on its future (one thread hop per
 * attempt), and the connection's own connect/read time-out (1 s) frees that thread when the limiter gives up.
 * Resilience4j has no overall time-out across retries short of a second time limiter (a second hop); jmesh's
 * {@code timeout: 2s} has no counterpart here.
 */
final class Resilience4jCaller implements Caller {
    private final Caller delegate;
    private final CircuitBreaker breaker;
    private final Retry retry;
    private final TimeLimiter timeLimiter;
    private final ExecutorService attempts;

    Resilience4jCaller(Caller delegate) {
        this.delegate = delegate;
        this.breaker = CircuitBreaker.of("inventory", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                .slidingWindowSize(10)
                .minimumNumberOfCalls(20)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(30))
                .permittedNumberOfCallsInHalfOpenState(5)
                .recordResult(result -> result instanceof Integer && (Integer) result >= 500)
                .build());
        this.retry = Retry.of("inventory", RetryConfig.<Integer>custom()
                .maxAttempts(3)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(
                        Duration.ofMillis(25), 2.0, 0.5, Duration.ofMillis(250)))
                .retryExceptions(IOException.class, TimeoutException.class)
                .retryOnResult(status -> status >= 500)
                .build());
        this.timeLimiter = TimeLimiter.of("inventory", TimeLimiterConfig.custom()
                .timeoutDuration(Duration.ofSeconds(1))
                .cancelRunningFuture(true)
                .build());
        AtomicInteger count = new AtomicInteger();
        this.attempts = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "r4j-attempt-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public int call(int id) throws Exception {
        Callable<Integer> attempt = TimeLimiter.decorateFutureSupplier(timeLimiter,
                () -> attempts.submit(() -> delegate.call(id)));
        Callable<Integer> retried = Retry.decorateCallable(retry, attempt);
        return CircuitBreaker.decorateCallable(breaker, retried).call();
    }
}
