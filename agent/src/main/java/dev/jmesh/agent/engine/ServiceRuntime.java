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
    /**
     * Counts slow responses (slower than {@link #slowCallNanos} since the call started) as its failures, so
     * that it opens on {@code slowCallRateThreshold}; null when slow calls do not count.
     */
    private final CircuitBreaker<Object> slowBreaker;
    private final long slowCallNanos;
    private final String slowDescription;
    /** The clock of the rate limiter and of slow-call timing, in nanoseconds (tests pass their own). */
    private final LongSupplier ticker;
    /** The breakers only record outcomes and flag {@code ~UO}; they are not in the pipeline. */
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
    private static final long DEFAULT_PENDING_WAIT_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final int SHADOW_FAILURE_RATE = 1;
    private static final int SHADOW_SLOW_CALLS = 2;
    /** Breaker and retries: for idempotent methods with a replayable request. */
    private final FailsafeExecutor<Object> retrying;
    /** Breaker only: every other call gets exactly one attempt. */
    private final FailsafeExecutor<Object> single;

    ServiceRuntime(ServiceConfig config, ScheduledExecutorService scheduler) {
        this(config, scheduler, System::nanoTime);
    }

    /** @param ticker the clock of the rate limiter and of slow-call timing, in nanoseconds (tests pass their own) */
    ServiceRuntime(ServiceConfig config, ScheduledExecutorService scheduler, LongSupplier ticker) {
        this.config = config;
        this.name = config.name();
        this.cluster = new Cluster(config, scheduler);
        this.ticker = ticker;
        CircuitBreakerConfig breaker = config.circuitBreaker();
        this.breakerShadow = breaker != null && breaker.mode() == Mode.SHADOW;
        this.breaker = breaker == null ? null : circuitBreaker(breaker);
        boolean countsSlowCalls = breaker != null && breaker.slowCallRateThreshold() != null;
        this.slowCallNanos = countsSlowCalls ? breaker.slowCallDuration().toNanos() : 0;
        this.slowDescription = countsSlowCalls ? CircuitBreakers.slowCallDescription(breaker) : null;
        this.slowBreaker = countsSlowCalls ? slowCallBreaker(breaker) : null;
        RateLimitConfig rateLimit = config.rateLimit();
        this.rateLimiter = rateLimit == null ? null
                : new TokenBucket(rateLimit.requestsPerSecond(), rateLimit.burst(), ticker);
        this.rateLimitShadow = rateLimit != null && rateLimit.mode() == Mode.SHADOW;
        this.rateLimitMessage = rateLimit == null ? null : "jmesh: rate limit of " + perSecond(rateLimit.requestsPerSecond())
                + "/s for service '" + name + "' exceeded";
        this.inFlight = new InFlight(config.maxConcurrentRequests() == null ? 0 : config.maxConcurrentRequests(),
                config.maxPendingRequests() == null ? 0 : config.maxPendingRequests());
        this.breakerDescription = breaker == null ? null : CircuitBreakers.description(breaker);
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
        this.slowBreaker = service.slowBreaker;
        this.slowCallNanos = service.slowCallNanos;
        this.slowDescription = service.slowDescription;
        this.ticker = service.ticker;
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
    static String perSecond(double requestsPerSecond) {
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

    Cluster cluster() {
        return cluster;
    }

    /** The failure-rate breaker's {@code closed}, {@code open}, {@code half_open}, or null without a breaker. */
    String breakerState() {
        return breaker == null ? null : EngineEvents.stateName(breaker.getState());
    }

    /** The slow-call breaker's state, or null when the service counts no slow calls. */
    String slowCallBreakerState() {
        return slowBreaker == null ? null : EngineEvents.stateName(slowBreaker.getState());
    }

    boolean breakerShadow() {
        return breakerShadow;
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
        Exception refused = throttle(exchange, record);
        if (refused == null && !inFlight.tryEnter() && !awaitSlot(deadline)) {
            refused = overflow(exchange, record);
        }
        if (refused != null) {
            throw refused;
        }
        try {
            final long started = slowBreaker != null ? ticker.getAsLong() : 0;
            int shadowPermits = shadowBreakerPermits(record);
            boolean wouldRetry = retryShadow && mayRetry(call);
            final Host[] previous = new Host[1]; // the host of the previous attempt: a retry goes elsewhere
            FailsafeExecutor<Object> executor = executorFor(call);
            ContextualSupplier<Object, Object> attempts = ctx -> {
                boolean retry = ctx != null && startAttempt(ctx);
                try {
                    int timeout = attemptTimeoutMillis(deadline);
                    FailureDrill.BALANCING.check();
                    Host chosen = cluster.pick(previous[0]);
                    previous[0] = chosen;
                    cluster.started(chosen);
                    try {
                        Attempt<R> attempt = timed(attemptOf(Attempts.blocking(exchange, record,
                                chosen.host(), chosen.port(), chosen.name, timeout), exchange, deadline), started);
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
            };
            Object outcome;
            try {
                // One attempt: Failsafe would only add its per-execution objects (a few hundred bytes) around it.
                outcome = executor != single ? executor.get(attempts)
                        : enforcesBreaker() ? withinBreakers(attempts) : attempts.get(null);
            } catch (Throwable t) {
                Throwable cause = unwrap(t);
                if (cause instanceof RetryBudgetExhaustedException) {
                    RetryBudgetExhaustedException refusedRetry = (RetryBudgetExhaustedException) cause;
                    if (refusedRetry.lastFailure == null) {
                        return succeeded(refusedRetry.lastResult, record, true, shadowPermits, false);
                    }
                    throw failed(unwrap(refusedRetry.lastFailure), exchange, record, true, shadowPermits, false);
                }
                if (cause instanceof CircuitBreakerOpenException) {
                    throw rejectedByBreaker(exchange, record, (CircuitBreakerOpenException) cause);
                }
                throw failed(cause, exchange, record, false, shadowPermits, wouldRetry);
            }
            return succeeded(outcome, record, false, shadowPermits, wouldRetry);
        } finally {
            inFlight.exit();
        }
    }

    // ---- asynchronous -----------------------------------------------------------------------------

    <R> CompletableFuture<R> executeAsync(final OutboundCall call, final AsyncExchange<R> exchange,
                                          final CallRecord record) {
        final long deadline = deadline(call);
        FailureDrill.POLICY.check();
        Exception refused = throttle(exchange, record);
        if (refused == null && !inFlight.tryEnter()) {
            final InFlight.Waiter waiter = inFlight.maxPending() > 0 ? inFlight.enqueue() : null;
            if (waiter != null) {
                final java.util.concurrent.ScheduledFuture<?> expiry =
                        scheduler.schedule(waiter::giveUp, pendingWaitNanos(deadline), TimeUnit.NANOSECONDS);
                waiter.granted.thenRun(() -> expiry.cancel(false));
                return waiter.granted.thenCompose(holdsSlot -> holdsSlot
                        ? this.<R>executeAdmittedAsync(call, exchange, record, deadline)
                        : this.<R>failedWith(overflow(exchange, record)));
            }
            refused = overflow(exchange, record);
        }
        if (refused != null) {
            return failedWith(refused);
        }
        return executeAdmittedAsync(call, exchange, record, deadline);
    }

    private static <R> CompletableFuture<R> failedWith(Exception e) {
        CompletableFuture<R> failed = new CompletableFuture<R>();
        failed.completeExceptionally(e);
        return failed;
    }

    /** The pipeline of a call that holds a slot of {@link #inFlight}, which it releases once. */
    private <R> CompletableFuture<R> executeAdmittedAsync(final OutboundCall call, final AsyncExchange<R> exchange,
                                                          final CallRecord record, long deadline) {
        final CompletableFuture<R> result = new CompletableFuture<R>();
        try {
            final long started = slowBreaker != null ? ticker.getAsLong() : 0;
            final int shadowPermits = shadowBreakerPermits(record);
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
                                .thenApply(response -> timed(attemptOf(response, exchange, deadline), started));
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
                        result.complete(this.<R>succeeded(outcome, record, false, shadowPermits, wouldRetry));
                        return;
                    }
                    Throwable cause = unwrap(failure);
                    if (cause instanceof RetryBudgetExhaustedException) {
                        RetryBudgetExhaustedException refusedRetry = (RetryBudgetExhaustedException) cause;
                        if (refusedRetry.lastFailure == null) {
                            result.complete(this.<R>succeeded(refusedRetry.lastResult, record, true, shadowPermits,
                                    false));
                        } else {
                            result.completeExceptionally(failed(unwrap(refusedRetry.lastFailure), exchange, record,
                                    true, shadowPermits, false));
                        }
                        return;
                    }
                    result.completeExceptionally(cause instanceof CircuitBreakerOpenException
                            ? rejectedByBreaker(exchange, record, (CircuitBreakerOpenException) cause)
                            : failed(cause, exchange, record, false, shadowPermits, wouldRetry));
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

    /** The rate limit: null when the call may go on, else the exception the app gets. */
    private Exception throttle(Exchange<?> exchange, CallRecord record) {
        if (rateLimiter != null && !rateLimiter.tryAcquire()) {
            if (!rateLimitShadow) {
                return refuse(exchange, record, ResponseFlags.RATE_LIMITED, rateLimitMessage);
            }
            record.flags().add(ResponseFlags.SHADOW_RATE_LIMITED);
        }
        return null;
    }

    /**
     * After {@link InFlight#tryEnter()} refused a blocking call: waits for a slot if {@code maxPendingRequests}
     * allows it to queue. True when the call then holds a slot, which it releases exactly once.
     */
    private boolean awaitSlot(long deadline) throws InterruptedException {
        InFlight.Waiter waiter = inFlight.maxPending() > 0 ? inFlight.enqueue() : null;
        return waiter != null && inFlight.awaitSlot(waiter, pendingWaitNanos(deadline));
    }

    /** How long a queued call waits for a slot: what is left of its timeout, else Envoy's default route timeout. */
    private static long pendingWaitNanos(long deadline) {
        return deadline != 0 ? Math.max(0, deadline - System.nanoTime()) : DEFAULT_PENDING_WAIT_NANOS;
    }

    private Exception overflow(Exchange<?> exchange, CallRecord record) {
        return refuse(exchange, record, ResponseFlags.OVERFLOW, "jmesh: service '" + name + "' already has "
                + inFlight.maxRequests() + " requests in flight (maxConcurrentRequests)" + (inFlight.maxPending() > 0
                ? " and " + inFlight.maxPending() + " waiting, or none freed in time (maxPendingRequests)" : "")
                + "; failing fast without calling the upstream");
    }

    private static Exception refuse(Exchange<?> exchange, CallRecord record, String flag, String message) {
        record.flags().add(flag);
        Exception rejected = exchange.rejectedException(message);
        record.outcome(-1, rejected);
        return rejected;
    }

    /**
     * Breakers in shadow mode: which of them would let the call through ({@link #SHADOW_FAILURE_RATE},
     * {@link #SHADOW_SLOW_CALLS}; their outcome is then recorded); when one would not, the call goes on anyway,
     * flagged {@code ~UO}.
     */
    private int shadowBreakerPermits(CallRecord record) {
        if (!breakerShadow) {
            return 0;
        }
        int permits = 0;
        if (breaker.tryAcquirePermit()) {
            permits |= SHADOW_FAILURE_RATE;
        }
        if (slowBreaker != null && slowBreaker.tryAcquirePermit()) {
            permits |= SHADOW_SLOW_CALLS;
        }
        if (permits != (slowBreaker != null ? SHADOW_FAILURE_RATE | SHADOW_SLOW_CALLS : SHADOW_FAILURE_RATE)) {
            record.flags().add(ResponseFlags.SHADOW_CIRCUIT_OPEN);
        }
        return permits;
    }

    /** Marks a response that arrived later than {@code slowCallDuration} after the call started. */
    private <R> Attempt<R> timed(Attempt<R> attempt, long started) {
        attempt.slow = slowBreaker != null && ticker.getAsLong() - started > slowCallNanos;
        return attempt;
    }

    // ---- shared -----------------------------------------------------------------------------------

    /**
     * One attempt inside the enforced breakers, as Failsafe runs it for a call that is not retried, through the
     * breakers' own permit-and-record API: the failure-rate breaker outside the slow-call one, each recording the
     * outcome by its own failure predicate (so the outer one counts the inner one's rejection as no failure).
     */
    private Object withinBreakers(ContextualSupplier<Object, Object> attempt) throws Throwable {
        if (!breaker.tryAcquirePermit()) {
            throw new CircuitBreakerOpenException(breaker);
        }
        if (slowBreaker != null && !slowBreaker.tryAcquirePermit()) {
            CircuitBreakerOpenException open = new CircuitBreakerOpenException(slowBreaker);
            breaker.recordException(open);
            throw open;
        }
        Object outcome = null;
        Throwable failure = null;
        try {
            outcome = attempt.get(null);
        } catch (Throwable t) {
            failure = t;
        }
        if (slowBreaker != null) {
            record(slowBreaker, outcome, failure);
        }
        record(breaker, outcome, failure);
        if (failure != null) {
            throw failure;
        }
        return outcome;
    }

    private static void record(CircuitBreaker<Object> breaker, Object outcome, Throwable failure) {
        if (failure != null) {
            breaker.recordException(failure);
        } else {
            breaker.recordResult(outcome);
        }
    }

    /** Whether a breaker is in the pipeline (not absent, not in shadow mode). */
    private boolean enforcesBreaker() {
        return breaker != null && !breakerShadow;
    }

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
    private <R> R succeeded(Object outcome, CallRecord record, boolean retryStopped, int shadowPermits,
                            boolean wouldRetry) {
        Attempt<R> attempt = (Attempt<R>) outcome;
        record.outcome(attempt.status, null);
        if ((shadowPermits & SHADOW_FAILURE_RATE) != 0) {
            if (attempt.status >= 500) {
                breaker.recordFailure();
            } else {
                breaker.recordSuccess();
            }
        }
        if ((shadowPermits & SHADOW_SLOW_CALLS) != 0) {
            if (attempt.slow) {
                slowBreaker.recordFailure();
            } else {
                slowBreaker.recordSuccess();
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
                             int shadowPermits, boolean wouldRetry) {
        if ((shadowPermits & SHADOW_FAILURE_RATE) != 0) {
            breaker.recordFailure();
        }
        if ((shadowPermits & SHADOW_SLOW_CALLS) != 0) {
            slowBreaker.recordSuccess(); // a failure is the failure rate's to count, not a slow response
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

    private Exception rejectedByBreaker(Exchange<?> exchange, CallRecord record, CircuitBreakerOpenException open) {
        record.flags().add(ResponseFlags.CIRCUIT_OPEN);
        String reason = open.getCircuitBreaker() == slowBreaker ? slowDescription : breakerDescription;
        Exception rejected = exchange.rejectedException("jmesh: circuit breaker open for service '" + name
                + "' (" + reason + "); failing fast without calling the upstream");
        record.outcome(-1, rejected);
        return rejected;
    }

    // ---- policies ---------------------------------------------------------------------------------

    private boolean isRetryableStatus(int status) {
        if (retry == null || status < 0) {
            return false;
        }
        Set<RetryOn> on = retry.retryOn();
        Set<Integer> codes = retry.retriableStatusCodes();
        return (on.contains(RetryOn.STATUS_5XX) && status >= 500)
                || (on.contains(RetryOn.GATEWAY_ERROR) && status >= 502 && status <= 504)
                || (!codes.isEmpty() && codes.contains(status)); // boxes: only when codes are listed
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
        return CircuitBreakers.failureRate(config, "service '" + name + "'", name,
                // the slow-call breaker's rejections are not upstream failures
                (outcome, failure) -> failure != null ? !(failure instanceof CircuitBreakerOpenException)
                        : ((Attempt<?>) outcome).status >= 500);
    }

    /**
     * The slow-call rate as a breaker of its own: same window, open duration and probes as the failure-rate
     * breaker, but its failures are responses slower than slowCallDuration (marked by {@link #timed}).
     */
    private CircuitBreaker<Object> slowCallBreaker(CircuitBreakerConfig config) {
        return CircuitBreakers.slowCallRate(config, "service '" + name + "'", name,
                (outcome, failure) -> failure == null && ((Attempt<?>) outcome).slow);
    }

    /** The enforced breakers (if any) around {@code retryPolicy} (if any), on the engine's scheduler. */
    private FailsafeExecutor<Object> executor(RetryPolicy<Object> retryPolicy) {
        List<Policy<Object>> policies = new ArrayList<Policy<Object>>(3);
        if (enforcesBreaker()) {
            policies.add(breaker);
            if (slowBreaker != null) {
                policies.add(slowBreaker); // inside: the failure-rate breaker ignores its rejections
            }
        }
        if (retryPolicy != null) {
            policies.add(retryPolicy);
        }
        FailsafeExecutor<Object> executor = policies.isEmpty() ? Failsafe.none() : Failsafe.with(policies);
        return executor.with(scheduler);
    }
}
