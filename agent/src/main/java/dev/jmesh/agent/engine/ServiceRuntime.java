package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.Exchange;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.Mode;
import dev.jmesh.config.RateLimitConfig;
import dev.jmesh.config.RetryConfig;
import dev.jmesh.config.ServiceConfig;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One upstream service (Envoy: cluster) as the engine runs it: its endpoints and balancer, and its
 * resilience pipeline, built once per config snapshot:
 * rate limit, then maxConcurrentRequests, then circuit breaker( retries( attempt with per-try timeout ) ),
 * all within the overall timeout. The breakers are Failsafe's, driven through their permit-and-record API; the
 * attempts are this class's own loop ({@link RetryRuntime} says why).
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
    private final RetryRuntime retry;
    /** Null without {@code circuitBreaker}. */
    private final Breakers breakers;
    /** The clock of the rate limiter and of slow-call timing, in nanoseconds (tests pass their own). */
    private final LongSupplier ticker;
    private final TokenBucket rateLimiter;
    private final boolean rateLimitShadow;
    private final String rateLimitMessage;
    private final InFlight inFlight;
    private final ScheduledExecutorService scheduler;
    private static final long DEFAULT_PENDING_WAIT_NANOS = TimeUnit.SECONDS.toNanos(15);

    ServiceRuntime(ServiceConfig config, ScheduledExecutorService scheduler) {
        this(config, scheduler, System::nanoTime);
    }

    /** @param ticker the clock of the rate limiter and of slow-call timing, in nanoseconds (tests pass their own) */
    ServiceRuntime(ServiceConfig config, ScheduledExecutorService scheduler, LongSupplier ticker) {
        this.config = config;
        this.name = config.name();
        this.cluster = new Cluster(config, scheduler);
        this.ticker = ticker;
        this.breakers = Breakers.of(config.circuitBreaker(), "service '" + name + "'", name);
        RateLimitConfig rateLimit = config.rateLimit();
        this.rateLimiter = rateLimit == null ? null
                : new TokenBucket(rateLimit.requestsPerSecond(), rateLimit.burst(), ticker);
        this.rateLimitShadow = rateLimit != null && rateLimit.mode() == Mode.SHADOW;
        this.rateLimitMessage = rateLimit == null ? null : "jmesh: rate limit of " + perSecond(rateLimit.requestsPerSecond())
                + "/s for service '" + name + "' exceeded";
        this.inFlight = new InFlight(config.maxConcurrentRequests() == null ? 0 : config.maxConcurrentRequests(),
                config.maxPendingRequests() == null ? 0 : config.maxPendingRequests());
        this.scheduler = scheduler;
        this.timeoutNanos = config.timeout() == null ? 0 : config.timeout().toNanos();
        this.retry = config.retry() == null ? RetryRuntime.NONE : new RetryRuntime(config.retry());
    }

    /**
     * The same service as a route sees it: same endpoints, balancer and breaker (their state is the
     * service's), with the route's timeout and retry policy where the route sets them.
     */
    private ServiceRuntime(ServiceRuntime service, Duration routeTimeout, RetryConfig routeRetry) {
        this.config = service.config;
        this.name = service.name;
        this.cluster = service.cluster;
        this.breakers = service.breakers;
        this.ticker = service.ticker;
        this.rateLimiter = service.rateLimiter;
        this.rateLimitShadow = service.rateLimitShadow;
        this.rateLimitMessage = service.rateLimitMessage;
        this.inFlight = service.inFlight;
        this.scheduler = service.scheduler;
        Duration timeout = routeTimeout != null ? routeTimeout : service.config.timeout();
        this.timeoutNanos = timeout == null ? 0 : timeout.toNanos();
        this.retry = routeRetry != null ? new RetryRuntime(routeRetry) : service.retry;
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

    String name() {
        return name;
    }

    Cluster cluster() {
        return cluster;
    }

    /** The failure-rate breaker's {@code closed}, {@code open}, {@code half_open}, or null without a breaker. */
    String breakerState() {
        return breakers == null ? null : breakers.state();
    }

    /** The slow-call breaker's state, or null when the service counts no slow calls. */
    String slowCallBreakerState() {
        return breakers == null ? null : breakers.slowCallState();
    }

    boolean breakerShadow() {
        return breakers != null && breakers.shadow();
    }

    ServiceConfig config() {
        return config;
    }

    /** Stops this service's periodic work (DNS refresh, outlier sweeps, health checks); calls in flight finish. */
    void close() {
        cluster.close();
    }

    // ---- blocking ---------------------------------------------------------------------------------

    <R> R execute(OutboundCall call, BlockingExchange<R> exchange, CallRecord record)
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
            long started = countsSlowCalls() ? ticker.getAsLong() : 0;
            int permits;
            try {
                permits = breakerPermits(record);
            } catch (Breakers.Open open) {
                throw rejectedByBreaker(exchange, record, open);
            }
            boolean mayRetry = retry.mayRetry(call);
            Attempt<R> response = null;
            Throwable failure = null;
            try {
                response = attempts(exchange, record, deadline, started, mayRetry && retry.maxAttempts > 1);
            } catch (Throwable t) {
                failure = t;
            }
            recordBreakers(permits, response, failure);
            return respond(response, failure, exchange, record, mayRetry && retry.shadow);
        } finally {
            inFlight.exit();
        }
    }

    /**
     * A blocking call's attempts, on the application's thread: the first, then, while the retry policy retries the
     * outcome, each retry after its back-off and on another endpoint than the previous one where there is one.
     * Returns the last response or throws the last failure; a retry that the budget refuses throws a
     * {@link RetryBudgetExhaustedException} that carries them.
     */
    private <R> Attempt<R> attempts(BlockingExchange<R> exchange, CallRecord record, long deadline, long started,
                                    boolean retries) throws Throwable {
        Host previous = null;
        Attempt<R> response = null;
        Throwable failure = null;
        for (int made = 0; ; ) {
            boolean budgeted = made > 0 && startRetry(response, failure);
            made++;
            Host chosen = null;
            try {
                int timeout = attemptTimeoutMillis(deadline);
                FailureDrill.BALANCING.check();
                chosen = cluster.pick(previous);
                previous = chosen;
                cluster.started(chosen);
                response = timed(attemptOf(Attempts.blocking(exchange, record, chosen.host(), chosen.port(),
                        chosen.name, timeout), exchange, deadline), started);
                failure = null;
                cluster.finished(chosen, response, null);
            } catch (Throwable t) {
                if (chosen != null) {
                    cluster.finished(chosen, null, t);
                }
                response = null;
                failure = t;
            } finally {
                if (budgeted) {
                    inFlight.retryFinished();
                }
            }
            if (!retries || made >= retry.maxAttempts || !retry.retries(response, failure)
                    || !backOff(retry.delayNanos(made, response, deadline))) {
                break;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return response;
    }

    /** Waits before a retry. False when the thread is interrupted: the call then ends with what it has. */
    private static boolean backOff(long nanos) {
        if (nanos > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(nanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the application's to see
                return false;
            }
        }
        return true;
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
        final AsyncAttempts<R> attempts;
        try {
            long started = countsSlowCalls() ? ticker.getAsLong() : 0;
            final int permits;
            try {
                permits = breakerPermits(record);
            } catch (Breakers.Open open) {
                Exception rejected = rejectedByBreaker(exchange, record, open);
                inFlight.exit();
                result.completeExceptionally(rejected);
                return result;
            }
            boolean mayRetry = retry.mayRetry(call);
            final boolean wouldRetry = mayRetry && retry.shadow;
            attempts = new AsyncAttempts<R>(exchange, record, deadline, started, mayRetry && retry.maxAttempts > 1);
            attempts.outcome.whenComplete((response, failure) -> {
                recordBreakers(permits, response, failure);
                // Free the call's slot before the app's future completes: whatever the app does next
                // (even a new call on this thread) sees the service without this call.
                inFlight.exit();
                try {
                    result.complete(respond(response, failure, exchange, record, wouldRetry));
                } catch (Throwable t) {
                    result.completeExceptionally(t); // the library's exception, or never leave the app hanging
                }
            });
        } catch (RuntimeException | Error e) {
            inFlight.exit(); // the completion handler was never registered
            throw e;
        }
        attempts.start(null, null);
        return result;
    }

    /**
     * An asynchronous call's attempts: the first starts on the caller's thread, each retry on the engine's scheduler
     * after its back-off, on another endpoint than the previous one where there is one. {@link #outcome} completes
     * with the last response or the last failure (a retry the budget refused: a {@link RetryBudgetExhaustedException}
     * that carries them). Neither method throws.
     */
    private final class AsyncAttempts<R> {
        final CompletableFuture<Attempt<R>> outcome = new CompletableFuture<Attempt<R>>();
        private final AsyncExchange<R> exchange;
        private final CallRecord record;
        private final long deadline;
        private final long started;
        private final boolean retries;
        /** Attempts started so far; written before each attempt starts, read when it ends. */
        private volatile int made;
        private volatile Host previous;

        AsyncAttempts(AsyncExchange<R> exchange, CallRecord record, long deadline, long started, boolean retries) {
            this.exchange = exchange;
            this.record = record;
            this.deadline = deadline;
            this.started = started;
            this.retries = retries;
        }

        void start(Attempt<R> previousResponse, Throwable previousFailure) {
            boolean budgeted = false;
            Host chosen = null;
            try {
                budgeted = made > 0 && startRetry(previousResponse, previousFailure);
                made++;
                int timeout = attemptTimeoutMillis(deadline);
                FailureDrill.BALANCING.check();
                chosen = cluster.pick(previous);
                previous = chosen;
                cluster.started(chosen);
                final Host host = chosen;
                final boolean finishesRetry = budgeted;
                Attempts.async(exchange, record, chosen.host(), chosen.port(), chosen.name, timeout)
                        .whenComplete((response, failure) -> ended(host, finishesRetry, response, failure));
            } catch (RetryBudgetExhaustedException refused) {
                outcome.completeExceptionally(refused);
            } catch (Throwable t) {
                if (chosen != null) {
                    cluster.finished(chosen, null, t);
                }
                if (budgeted) {
                    inFlight.retryFinished();
                }
                next(null, t);
            }
        }

        private void ended(Host chosen, boolean budgeted, R response, Throwable failure) {
            Attempt<R> attempt = null;
            Throwable cause = failure == null ? null : unwrap(failure);
            if (cause == null) {
                try {
                    attempt = timed(attemptOf(response, exchange, deadline), started);
                } catch (Throwable t) {
                    cause = t;
                }
            }
            cluster.finished(chosen, attempt, cause);
            if (budgeted) {
                inFlight.retryFinished();
            }
            next(attempt, cause);
        }

        /** After an attempt: schedules the retry, or completes {@link #outcome}. */
        private void next(final Attempt<R> response, final Throwable failure) {
            try {
                if (retries && made < retry.maxAttempts && retry.retries(response, failure)) {
                    scheduler.schedule(() -> start(response, failure), retry.delayNanos(made, response, deadline),
                            TimeUnit.NANOSECONDS);
                    return;
                }
            } catch (RuntimeException e) {
                // the scheduler refused the retry (the engine is shutting down): the call ends with what it has
            }
            if (failure != null) {
                outcome.completeExceptionally(failure);
            } else {
                outcome.complete(response);
            }
        }
    }

    private <R> Attempt<R> attemptOf(R response, Exchange<R> exchange, long deadline) {
        Attempt<R> attempt = new Attempt<R>(response, exchange);
        return retry.honorRetryAfter ? attempt.readRetryAfter(deadline, System.currentTimeMillis()) : attempt;
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Before a retry: asks the budget (refused: the call ends with what the previous attempt produced) and releases
     * the response the retry replaces. Returns whether a budgeted retry was started, which must be finished once.
     */
    private boolean startRetry(Attempt<?> previous, Throwable previousFailure) throws RetryBudgetExhaustedException {
        boolean budgeted = false;
        if (retry.budget != null) {
            if (!inFlight.tryStartRetry(retry.budget)) {
                throw new RetryBudgetExhaustedException(previous, previousFailure);
            }
            budgeted = true;
        }
        if (previous != null) {
            previous.discard();
        }
        return budgeted;
    }

    /**
     * What the application gets for the call: the last response, or its library's exception for the call's failure
     * (timeout, open breaker, the last attempt's own failure).
     */
    @SuppressWarnings("unchecked")
    private <R> R respond(Attempt<R> response, Throwable failure, Exchange<R> exchange, CallRecord record,
                          boolean wouldRetry) throws Exception {
        if (failure == null) {
            return succeeded(response, record, false, wouldRetry);
        }
        Throwable cause = unwrap(failure);
        if (cause instanceof RetryBudgetExhaustedException) {
            RetryBudgetExhaustedException refusedRetry = (RetryBudgetExhaustedException) cause;
            if (refusedRetry.lastFailure == null) {
                return succeeded((Attempt<R>) refusedRetry.lastResult, record, true, false);
            }
            throw failed(unwrap(refusedRetry.lastFailure), exchange, record, true, false);
        }
        throw failed(cause, exchange, record, false, wouldRetry);
    }

    /** The rate limit: null when the call may go on, else the exception the app gets. */
    private Exception throttle(Exchange<?> exchange, CallRecord record) {
        if (rateLimiter != null && !rateLimiter.tryAcquire()) {
            if (!rateLimitShadow) {
                return refuse(exchange, record, ResponseFlags.RATE_LIMITED, rateLimitMessage);
            }
            record.flag(ResponseFlags.SHADOW_RATE_LIMITED);
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
        record.flag(flag);
        Exception rejected = exchange.rejectedException(message);
        record.outcome(-1, rejected);
        return rejected;
    }

    /** Marks a response that arrived later than {@code slowCallDuration} after the call started. */
    private <R> Attempt<R> timed(Attempt<R> attempt, long started) {
        attempt.slow = countsSlowCalls() && breakers.isSlow(ticker.getAsLong() - started);
        return attempt;
    }

    // ---- shared -----------------------------------------------------------------------------------

    private boolean countsSlowCalls() {
        return breakers != null && breakers.countsSlowCalls();
    }

    /** Which breakers let the call through (all of its attempts), to tell them its outcome: see {@link Breakers}. */
    private int breakerPermits(CallRecord record) throws Breakers.Open {
        return breakers == null ? 0 : breakers.permits(record);
    }

    /** Tells the breakers that let the call through what it came to: what the application gets. */
    private void recordBreakers(int permits, Attempt<?> response, Throwable failure) {
        if (permits == 0) {
            return;
        }
        if (failure instanceof RetryBudgetExhaustedException) {
            RetryBudgetExhaustedException refusedRetry = (RetryBudgetExhaustedException) failure;
            response = (Attempt<?>) refusedRetry.lastResult;
            failure = refusedRetry.lastFailure;
        }
        boolean failed = failure != null || response.status >= 500;
        breakers.record(permits, failed, failure == null && response.slow);
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
        long timeout = retry.perTryMillis;
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
     * @param wouldRetry a retry policy in shadow mode would have retried a retryable outcome
     */
    private <R> R succeeded(Attempt<R> attempt, CallRecord record, boolean retryStopped, boolean wouldRetry) {
        record.outcome(attempt.status, null);
        if (retry.isRetryableStatus(attempt.status)) {
            if (record.attempts() > 1 || retryStopped) {
                record.flag(ResponseFlags.RETRIES_EXHAUSTED);
            } else if (wouldRetry) {
                record.flag(ResponseFlags.SHADOW_RETRY);
            }
        }
        return attempt.response;
    }

    private Exception failed(Throwable cause, Exchange<?> exchange, CallRecord record, boolean retryStopped,
                             boolean wouldRetry) {
        Throwable appFacing = cause;
        if (cause instanceof DeadlineExceededException) {
            record.flag(ResponseFlags.TIMEOUT);
            appFacing = exchange.timeoutException("jmesh: service '" + name + "' timed out after "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos(record.call())) + "ms (" + record.attempts()
                    + " attempts)");
        } else {
            Failure kind = Failure.of(cause);
            if (kind.flag != null) {
                record.flag(kind.flag);
            }
            if (retry.isRetryable(cause)) {
                if (record.attempts() > 1 || retryStopped) {
                    record.flag(ResponseFlags.RETRIES_EXHAUSTED);
                } else if (wouldRetry) {
                    record.flag(ResponseFlags.SHADOW_RETRY);
                }
            }
        }
        record.outcome(-1, appFacing);
        if (appFacing instanceof Exception) {
            return (Exception) appFacing;
        }
        throw (Error) appFacing;
    }

    private Exception rejectedByBreaker(Exchange<?> exchange, CallRecord record, Breakers.Open open) {
        record.flag(ResponseFlags.CIRCUIT_OPEN);
        Exception rejected = exchange.rejectedException("jmesh: circuit breaker open for service '" + name
                + "' (" + open.reason + "); failing fast without calling the upstream");
        record.outcome(-1, rejected);
        return rejected;
    }
}
