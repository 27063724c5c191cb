package dev.jmesh.agent.engine;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.ExecutionContext;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.Policy;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import dev.failsafe.function.ContextualSupplier;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.Exchange;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.CircuitBreakerConfig;
import dev.jmesh.config.Mode;
import dev.jmesh.config.RateLimitConfig;
import dev.jmesh.config.RetryBudgetConfig;
import dev.jmesh.config.RetryConfig;
import dev.jmesh.config.RetryOn;
import dev.jmesh.config.ServiceConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One upstream service (Envoy: cluster) as the engine runs it: its endpoints and balancer, and its
 * resilience pipeline, built once per config snapshot from Failsafe policies:
 * rate limit, then maxConcurrentRequests, then circuit breaker( retry( attempt with per-try timeout ) ),
 * all within the overall timeout.
 *
 * <p>The breaker sits outside the retries on purpose: it counts logical calls that failed even after
 * retries, i.e. what the application experiences, and it stops a call before any attempt is made.
 * The rate limit and the concurrency limit come first: a call they refuse never reaches the breaker.
 * In {@code mode: shadow} a policy is evaluated and flagged ({@code ~RL}, {@code ~UO}, {@code ~RETRY})
 * but does not act.
 */
final class ServiceRuntime {
    private final ServiceConfig config;
    private final String name;
    private final Cluster cluster;
    private final long timeoutNanos;
    private final long perTryMillis;
    private final RetryConfig retry;
    private final CircuitBreaker<Object> breaker;
    /** The breaker only records outcomes and flags {@code ~UO}; it is not in the pipeline. */
    private final boolean breakerShadow;
    private final String breakerDescription;
    private final TokenBucket rateLimiter;
    private final boolean rateLimitShadow;
    private final String rateLimitMessage;
    private final InFlight inFlight;
    /** Retry in shadow mode: one attempt, flagged {@code ~RETRY} when the policy would have retried. */
    private final boolean retryShadow;
    private final RetryBudgetConfig budget;
    /** A 429/503's {@code Retry-After} sets the wait before the next attempt (enforced retries only). */
    private final boolean honorRetryAfter;
    private final ScheduledExecutorService scheduler;
    /** Breaker and retries: for idempotent methods with a replayable request. */
    private final FailsafeExecutor<Object> retrying;
    /** Breaker only: every other call gets exactly one attempt. */
    private final FailsafeExecutor<Object> single;

    ServiceRuntime(ServiceConfig config, ScheduledExecutorService scheduler) {
        this(config, scheduler, System::nanoTime);
    }

    /** @param ticker the rate limiter's clock, in nanoseconds (tests pass their own) */
    ServiceRuntime(ServiceConfig config, ScheduledExecutorService scheduler, LongSupplier ticker) {
        this.config = config;
        this.name = config.name();
        this.cluster = new Cluster(config, scheduler);
        CircuitBreakerConfig breaker = config.circuitBreaker();
        this.breakerShadow = breaker != null && breaker.mode() == Mode.SHADOW;
        this.breaker = breaker == null ? null : circuitBreaker(breaker);
        RateLimitConfig rateLimit = config.rateLimit();
        this.rateLimiter = rateLimit == null ? null
                : new TokenBucket(rateLimit.requestsPerSecond(), rateLimit.burst(), ticker);
        this.rateLimitShadow = rateLimit != null && rateLimit.mode() == Mode.SHADOW;
        this.rateLimitMessage = rateLimit == null ? null : "jmesh: rate limit of " + perSecond(rateLimit.requestsPerSecond())
                + "/s for service '" + name + "' exceeded";
        this.inFlight = new InFlight(config.maxConcurrentRequests() == null ? 0 : config.maxConcurrentRequests());
        this.breakerDescription = breaker == null ? null : "failure rate of at least "
                + Math.round(breaker.failureRateThreshold() * 100) + "% over " + breaker.window().toMillis() + "ms";
        this.scheduler = scheduler;
        this.timeoutNanos = config.timeout() == null ? 0 : config.timeout().toNanos();
        this.retry = config.retry();
        this.retryShadow = isShadow(retry);
        this.budget = retry == null ? null : retry.budget();
        this.honorRetryAfter = retries(retry) && retry.honorRetryAfter();
        this.perTryMillis = perTryMillis(retry);
        this.single = executor(null);
        this.retrying = retries(retry) ? executor(retryPolicy(retry, config.timeout())) : single;
    }

    /**
     * The same service as a route sees it: same endpoints, balancer and breaker (their state is the
     * service's), with the route's timeout and retry policy where the route sets them.
     */
    private ServiceRuntime(ServiceRuntime service, Duration routeTimeout, RetryConfig routeRetry) {
        this.config = service.config;
        this.name = service.name;
        this.cluster = service.cluster;
        this.breaker = service.breaker;
        this.breakerShadow = service.breakerShadow;
        this.breakerDescription = service.breakerDescription;
        this.rateLimiter = service.rateLimiter;
        this.rateLimitShadow = service.rateLimitShadow;
        this.rateLimitMessage = service.rateLimitMessage;
        this.inFlight = service.inFlight;
        this.scheduler = service.scheduler;
        Duration timeout = routeTimeout != null ? routeTimeout : service.config.timeout();
        this.timeoutNanos = timeout == null ? 0 : timeout.toNanos();
        this.retry = routeRetry != null ? routeRetry : service.retry;
        this.retryShadow = isShadow(retry);
        this.budget = retry == null ? null : retry.budget();
        this.honorRetryAfter = retries(retry) && retry.honorRetryAfter();
        this.perTryMillis = perTryMillis(retry);
        this.single = service.single;
        this.retrying = retries(retry) ? executor(retryPolicy(retry, timeout)) : single;
    }

    /** Whether the retry policy is enforced and allows more than one attempt. */
    private static boolean retries(RetryConfig retry) {
        return retry != null && retry.maxAttempts() > 1 && retry.mode() != Mode.SHADOW;
    }

    private static boolean isShadow(RetryConfig retry) {
        return retry != null && retry.maxAttempts() > 1 && retry.mode() == Mode.SHADOW;
    }

    /** 100 for 100.0, 0.5 for 0.5. */
    private static String perSecond(double requestsPerSecond) {
        return requestsPerSecond == Math.rint(requestsPerSecond) && requestsPerSecond < 1e15
                ? Long.toString((long) requestsPerSecond) : Double.toString(requestsPerSecond);
    }

    /** Calls of this service in flight (all routes); for tests and {@code /clusters}. */
    InFlight inFlight() {
        return inFlight;
    }

    /** This service with a route's overrides, or itself when the route overrides nothing. */
    ServiceRuntime forRoute(Duration routeTimeout, RetryConfig routeRetry) {
        return routeTimeout == null && routeRetry == null ? this : new ServiceRuntime(this, routeTimeout, routeRetry);
    }

    private static long perTryMillis(RetryConfig retry) {
        return retry == null || retry.perTryTimeout() == null ? 0 : retry.perTryTimeout().toMillis();
    }

    String name() {
        return name;
    }

    ServiceConfig config() {
        return config;
    }

    /** Stops this service's periodic work (DNS refresh, outlier sweeps, health checks); calls in flight finish. */
    void close() {
        cluster.close();
    }

    // ---- blocking ---------------------------------------------------------------------------------

    <R> R execute(final OutboundCall call, final BlockingExchange<R> exchange, final CallRecord record)
            throws Exception {
        final long deadline = deadline(call);
        FailureDrill.POLICY.check();
        Exception refused = admit(exchange, record);
        if (refused != null) {
            throw refused;
        }
        try {
            boolean shadowPermit = shadowBreakerPermit(record);
            boolean wouldRetry = retryShadow && mayRetry(call);
            final Host[] previous = new Host[1]; // the host of the previous attempt: a retry goes elsewhere
            Object outcome;
            try {
                outcome = executorFor(call).get(ctx -> {
                    boolean retry = startAttempt(ctx);
                    try {
                        int timeout = attemptTimeoutMillis(deadline);
                        FailureDrill.BALANCING.check();
                        Host chosen = cluster.pick(previous[0]);
                        previous[0] = chosen;
                        cluster.started(chosen);
                        try {
                            Attempt<R> attempt = attemptOf(Attempts.blocking(exchange, record, chosen.host(),
                                    chosen.port(), chosen.name, timeout), exchange, deadline);
                            cluster.finished(chosen, attempt, null);
                            return attempt;
                        } catch (Throwable t) {
                            cluster.finished(chosen, null, t);
                            throw t;
                        }
                    } finally {
                        if (retry) {
                            inFlight.retryFinished();
                        }
                    }
                });
            } catch (Throwable t) {
                Throwable cause = unwrap(t);
                if (cause instanceof RetryBudgetExhaustedException) {
                    RetryBudgetExhaustedException refusedRetry = (RetryBudgetExhaustedException) cause;
                    if (refusedRetry.lastFailure == null) {
                        return succeeded(refusedRetry.lastResult, record, true, shadowPermit, false);
                    }
                    throw failed(unwrap(refusedRetry.lastFailure), exchange, record, true, shadowPermit, false);
                }
                if (cause instanceof CircuitBreakerOpenException) {
                    throw rejectedByBreaker(exchange, record);
                }
                throw failed(cause, exchange, record, false, shadowPermit, wouldRetry);
            }
            return succeeded(outcome, record, false, shadowPermit, wouldRetry);
        } finally {
            inFlight.exit();
        }
    }

    // ---- asynchronous -----------------------------------------------------------------------------

    <R> CompletableFuture<R> executeAsync(final OutboundCall call, final AsyncExchange<R> exchange,
                                          final CallRecord record) {
        final long deadline = deadline(call);
        FailureDrill.POLICY.check();
        final CompletableFuture<R> result = new CompletableFuture<R>();
        Exception refused = admit(exchange, record);
        if (refused != null) {
            result.completeExceptionally(refused);
            return result;
        }
        try {
            final boolean shadowPermit = shadowBreakerPermit(record);
            final boolean wouldRetry = retryShadow && mayRetry(call);
            final Host[] previous = new Host[1]; // the host of the previous attempt: a retry goes elsewhere
            executorFor(call).<Attempt<R>>getStageAsync(ctx -> {
                final boolean retry = startAttempt(ctx);
                CompletionStage<Attempt<R>> attempt;
                try {
                    int timeout = attemptTimeoutMillis(deadline);
                    FailureDrill.BALANCING.check();
                    final Host chosen = cluster.pick(previous[0]);
                    previous[0] = chosen;
                    cluster.started(chosen);
                    try {
                        attempt = Attempts.async(exchange, record, chosen.host(), chosen.port(), chosen.name, timeout)
                                .thenApply(response -> attemptOf(response, exchange, deadline));
                    } catch (RuntimeException e) {
                        cluster.finished(chosen, null, e);
                        throw e;
                    }
                    attempt = attempt.whenComplete((a, t) -> cluster.finished(chosen, a, t));
                } catch (Throwable t) {
                    if (retry) {
                        inFlight.retryFinished();
                    }
                    throw t;
                }
                if (retry) {
                    attempt = attempt.whenComplete((a, t) -> inFlight.retryFinished());
                }
                return attempt;
            }).whenComplete((outcome, failure) -> {
                // Free the call's slot before the app's future completes: whatever the app does next
                // (even a new call on this thread) sees the service without this call.
                inFlight.exit();
                try {
                    if (failure == null) {
                        result.complete(this.<R>succeeded(outcome, record, false, shadowPermit, wouldRetry));
                        return;
                    }
                    Throwable cause = unwrap(failure);
                    if (cause instanceof RetryBudgetExhaustedException) {
                        RetryBudgetExhaustedException refusedRetry = (RetryBudgetExhaustedException) cause;
                        if (refusedRetry.lastFailure == null) {
                            result.complete(this.<R>succeeded(refusedRetry.lastResult, record, true, shadowPermit,
                                    false));
                        } else {
                            result.completeExceptionally(failed(unwrap(refusedRetry.lastFailure), exchange, record,
                                    true, shadowPermit, false));
                        }
                        return;
                    }
                    result.completeExceptionally(cause instanceof CircuitBreakerOpenException
                            ? rejectedByBreaker(exchange, record)
                            : failed(cause, exchange, record, false, shadowPermit, wouldRetry));
                } catch (Throwable t) {
                    result.completeExceptionally(t); // never leave the app's future hanging
                }
            });
        } catch (RuntimeException | Error e) {
            inFlight.exit(); // the completion handler was never registered
            throw e;
        }
        return result;
    }

    private <R> Attempt<R> attemptOf(R response, Exchange<R> exchange, long deadline) {
        Attempt<R> attempt = new Attempt<R>(response, exchange);
        return honorRetryAfter ? attempt.readRetryAfter(deadline, System.currentTimeMillis()) : attempt;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || (t instanceof FailsafeException
                && !(t instanceof CircuitBreakerOpenException))) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Before each attempt: a retry first asks the budget (refused: the call ends with what the previous attempt
     * produced) and then releases the response it replaces. Returns whether a budgeted retry was started, which
     * the caller must finish once.
     */
    private boolean startAttempt(ExecutionContext<?> ctx) throws RetryBudgetExhaustedException {
        if (!ctx.isRetry()) {
            return false;
        }
        Object last = ctx.getLastResult();
        boolean started = false;
        if (budget != null) {
            if (!inFlight.tryStartRetry(budget)) {
                throw new RetryBudgetExhaustedException(last, ctx.getLastException());
            }
            started = true;
        }
        if (last instanceof Attempt) {
            ((Attempt<?>) last).discard();
        }
        return started;
    }

    /**
     * Rate limit, then concurrency limit: null when the call may go on (it then holds a slot of
     * {@link #inFlight} that the caller releases exactly once), else the exception the app gets.
     */
    private Exception admit(Exchange<?> exchange, CallRecord record) {
        if (rateLimiter != null && !rateLimiter.tryAcquire()) {
            if (!rateLimitShadow) {
                return refuse(exchange, record, ResponseFlags.RATE_LIMITED, rateLimitMessage);
            }
            record.flags().add(ResponseFlags.SHADOW_RATE_LIMITED);
        }
        if (!inFlight.tryEnter()) {
            return refuse(exchange, record, ResponseFlags.OVERFLOW, "jmesh: service '" + name + "' already has "
                    + inFlight.maxRequests() + " requests in flight (maxConcurrentRequests); failing fast without"
                    + " calling the upstream");
        }
        return null;
    }

    private static Exception refuse(Exchange<?> exchange, CallRecord record, String flag, String message) {
        record.flags().add(flag);
        Exception rejected = exchange.rejectedException(message);
        record.outcome(-1, rejected);
        return rejected;
    }

    /**
     * A breaker in shadow mode: whether it would let the call through (then its outcome is recorded);
     * when it would not, the call goes on anyway, flagged {@code ~UO}.
     */
    private boolean shadowBreakerPermit(CallRecord record) {
        if (!breakerShadow) {
            return false;
        }
        if (breaker.tryAcquirePermit()) {
            return true;
        }
        record.flags().add(ResponseFlags.SHADOW_CIRCUIT_OPEN);
        return false;
    }

    // ---- shared -----------------------------------------------------------------------------------

    private FailsafeExecutor<Object> executorFor(OutboundCall call) {
        return mayRetry(call) ? retrying : single;
    }

    /**
     * Whether the call may be retried at all: its method is one the retry policy allows (by default the
     * idempotent ones), and its body, if any, can be sent again and is no larger than {@code maxReplayBodyBytes}.
     */
    private boolean mayRetry(OutboundCall call) {
        if (retry == null || !call.replayable() || !retry.methods().contains(call.method())) {
            return false;
        }
        long body = call.bodyBytes();
        return body >= 0 && body <= retry.maxReplayBodyBytes();
    }

    /** When the call must end: after the service's (or route's) timeout or the request's own, whichever is tighter. */
    private long deadline(OutboundCall call) {
        long nanos = timeoutNanos(call);
        return nanos > 0 ? System.nanoTime() + nanos : 0;
    }

    private long timeoutNanos(OutboundCall call) {
        long own = TimeUnit.MILLISECONDS.toNanos(call.timeoutMillis());
        return own > 0 && (timeoutNanos == 0 || own < timeoutNanos) ? own : timeoutNanos;
    }

    /** The per-try timeout, cut to what is left of the overall timeout; 0 means none. */
    private int attemptTimeoutMillis(long deadline) throws DeadlineExceededException {
        long timeout = perTryMillis;
        if (deadline != 0) {
            long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMillis <= 0) {
                throw new DeadlineExceededException();
            }
            timeout = timeout > 0 ? Math.min(timeout, remainingMillis) : remainingMillis;
        }
        return (int) Math.min(timeout, Integer.MAX_VALUE);
    }

    /**
     * @param retryStopped the retry budget refused a retry of this outcome
     * @param shadowPermit the shadow breaker let this call through: record its outcome
     * @param wouldRetry a retry policy in shadow mode would have retried a retryable outcome
     */
    @SuppressWarnings("unchecked")
    private <R> R succeeded(Object outcome, CallRecord record, boolean retryStopped, boolean shadowPermit,
                            boolean wouldRetry) {
        Attempt<R> attempt = (Attempt<R>) outcome;
        record.outcome(attempt.status, null);
        if (shadowPermit) {
            if (attempt.status >= 500) {
                breaker.recordFailure();
            } else {
                breaker.recordSuccess();
            }
        }
        if (isRetryableStatus(attempt.status)) {
            if (record.attempts() > 1 || retryStopped) {
                record.flags().add(ResponseFlags.RETRIES_EXHAUSTED);
            } else if (wouldRetry) {
                record.flags().add(ResponseFlags.SHADOW_RETRY);
            }
        }
        return attempt.response;
    }

    private Exception failed(Throwable cause, Exchange<?> exchange, CallRecord record, boolean retryStopped,
                             boolean shadowPermit, boolean wouldRetry) {
        if (shadowPermit) {
            breaker.recordFailure();
        }
        Throwable appFacing = cause;
        if (cause instanceof DeadlineExceededException) {
            record.flags().add(ResponseFlags.TIMEOUT);
            appFacing = exchange.timeoutException("jmesh: service '" + name + "' timed out after "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos(record.call())) + "ms (" + record.attempts()
                    + " attempts)");
        } else {
            Failure kind = Failure.of(cause);
            if (kind.flag != null) {
                record.flags().add(kind.flag);
            }
            if (isRetryable(cause)) {
                if (record.attempts() > 1 || retryStopped) {
                    record.flags().add(ResponseFlags.RETRIES_EXHAUSTED);
                } else if (wouldRetry) {
                    record.flags().add(ResponseFlags.SHADOW_RETRY);
                }
            }
        }
        record.outcome(-1, appFacing);
        if (appFacing instanceof Exception) {
            return (Exception) appFacing;
        }
        throw (Error) appFacing;
    }

    private Exception rejectedByBreaker(Exchange<?> exchange, CallRecord record) {
        record.flags().add(ResponseFlags.CIRCUIT_OPEN);
        Exception rejected = exchange.rejectedException("jmesh: circuit breaker open for service '" + name
                + "' (" + breakerDescription + "); failing fast without calling the upstream");
        record.outcome(-1, rejected);
        return rejected;
    }

    // ---- policies ---------------------------------------------------------------------------------

    private boolean isRetryableStatus(int status) {
        if (retry == null || status < 0) {
            return false;
        }
        Set<RetryOn> on = retry.retryOn();
        return retry.retriableStatusCodes().contains(status)
                || (on.contains(RetryOn.STATUS_5XX) && status >= 500)
                || (on.contains(RetryOn.GATEWAY_ERROR) && status >= 502 && status <= 504);
    }

    /** Envoy's meaning: 5xx also covers attempts that got no response at all. */
    private boolean isRetryable(Throwable failure) {
        if (retry == null || failure instanceof DeadlineExceededException) {
            return false;
        }
        Set<RetryOn> on = retry.retryOn();
        switch (Failure.of(failure)) {
            case CONNECT_FAILURE:
                return on.contains(RetryOn.CONNECT_FAILURE) || on.contains(RetryOn.STATUS_5XX)
                        || on.contains(RetryOn.GATEWAY_ERROR);
            case TIMEOUT:
                return on.contains(RetryOn.RESET) || on.contains(RetryOn.STATUS_5XX)
                        || on.contains(RetryOn.GATEWAY_ERROR);
            case RESET:
                return on.contains(RetryOn.RESET) || on.contains(RetryOn.STATUS_5XX);
            default:
                return false;
        }
    }

    private RetryPolicy<Object> retryPolicy(RetryConfig config, Duration overallTimeout) {
        Duration base = config.backoffBase();
        Duration max = config.backoffMax();
        if (overallTimeout != null && max.compareTo(overallTimeout) >= 0) {
            // Failsafe requires back-off below the overall limit; a longer back-off could never run anyway.
            max = overallTimeout.dividedBy(2);
            base = base.compareTo(max) < 0 ? base : max.dividedBy(2);
        }
        RetryPolicyBuilder<Object> builder = RetryPolicy.builder()
                .withMaxAttempts(config.maxAttempts())
                .handleIf((outcome, failure) -> failure != null
                        ? isRetryable(failure)
                        : isRetryableStatus(((Attempt<?>) outcome).status)
                                && !((Attempt<?>) outcome).retryAfterBeyondDeadline);
        // the response a retry replaces is released when the retry starts (startAttempt): a retry that the
        // budget refuses hands that response to the application instead
        if (config.honorRetryAfter()) {
            // Failsafe would jitter a computed delay too, possibly below Retry-After: this function does both
            builder.withDelayFn(retryDelay(base, max));
        } else if (base.compareTo(max) < 0) {
            builder.withBackoff(base, max).withJitter(0.5);
        } else {
            builder.withDelay(base);
        }
        if (overallTimeout != null) {
            builder.withMaxDuration(overallTimeout);
        }
        return builder.build();
    }

    /**
     * The wait before retry n: the back-off (base doubling up to max, 50% jitter, as without Retry-After), or the
     * previous response's {@code Retry-After} when that is longer. Failsafe caps it by the time left of the
     * overall timeout; a Retry-After beyond that time is not retried at all ({@link Attempt#retryAfterBeyondDeadline}).
     */
    private static ContextualSupplier<Object, Duration> retryDelay(Duration base, Duration max) {
        final long baseNanos = base.toNanos();
        final long maxNanos = max.toNanos();
        return ctx -> {
            long backoff = baseNanos;
            for (int i = 1; i < ctx.getAttemptCount() && backoff < maxNanos; i++) {
                backoff *= 2;
            }
            backoff = Math.min(backoff, maxNanos);
            backoff += (long) (backoff * 0.5 * (2 * ThreadLocalRandom.current().nextDouble() - 1));
            Object last = ctx.getLastResult();
            long retryAfter = last instanceof Attempt ? ((Attempt<?>) last).retryAfterMillis : -1;
            return Duration.ofNanos(Math.max(backoff, TimeUnit.MILLISECONDS.toNanos(retryAfter)));
        };
    }

    private CircuitBreaker<Object> circuitBreaker(CircuitBreakerConfig config) {
        int percent = (int) Math.max(1, Math.min(100, Math.round(config.failureRateThreshold() * 100)));
        final String description = "failure rate of at least " + percent + "% over " + config.window().toMillis() + "ms";
        final String breakerName = "circuit breaker for service '" + name + "'";
        if (config.mode() == Mode.SHADOW) {
            // shadow: ServiceRuntime records outcomes itself; this breaker is never in the pipeline
            return CircuitBreaker.builder()
                    .withFailureRateThreshold(percent, config.minimumCalls(), config.window())
                    .withDelay(config.openDuration())
                    .withSuccessThreshold(config.halfOpenCalls())
                    .onOpen(e -> AgentLog.warn(breakerName + " would open (mode: shadow): " + description
                            + "; calls are not rejected, they are flagged ~UO"))
                    .onHalfOpen(e -> AgentLog.info(breakerName + " would be half-open (mode: shadow)"))
                    .onClose(e -> AgentLog.info(breakerName + " would close (mode: shadow)"))
                    .build();
        }
        return CircuitBreaker.builder()
                .handleIf((outcome, failure) -> failure != null || ((Attempt<?>) outcome).status >= 500)
                .withFailureRateThreshold(percent, config.minimumCalls(), config.window())
                .withDelay(config.openDuration())
                .withSuccessThreshold(config.halfOpenCalls())
                .onOpen(e -> AgentLog.warn(breakerName + " opened: " + description + "; calls fail fast for "
                        + config.openDuration().toMillis() + "ms"))
                .onHalfOpen(e -> AgentLog.info(breakerName + " is half-open: probing"))
                .onClose(e -> AgentLog.info(breakerName + " closed"))
                .build();
    }

    /** The enforced breaker (if any) around {@code retryPolicy} (if any), on the engine's scheduler. */
    private FailsafeExecutor<Object> executor(RetryPolicy<Object> retryPolicy) {
        List<Policy<Object>> policies = new ArrayList<Policy<Object>>(2);
        if (breaker != null && !breakerShadow) {
            policies.add(breaker);
        }
        if (retryPolicy != null) {
            policies.add(retryPolicy);
        }
        FailsafeExecutor<Object> executor = policies.isEmpty() ? Failsafe.none() : Failsafe.with(policies);
        return executor.with(scheduler);
    }
}
