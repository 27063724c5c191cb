package dev.jmesh.agent.engine;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.Policy;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.Exchange;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.CircuitBreakerConfig;
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
import java.util.concurrent.TimeUnit;

/**
 * One upstream service (Envoy: cluster) as the engine runs it: its endpoints and balancer, and its
 * resilience pipeline, built once per config snapshot from Failsafe policies:
 * circuit breaker( retry( attempt with per-try timeout ) ), all within the overall timeout.
 *
 * <p>The breaker sits outside the retries on purpose: it counts logical calls that failed even after
 * retries, i.e. what the application experiences, and it stops a call before any attempt is made.
 */
final class ServiceRuntime {
    private final ServiceConfig config;
    private final String name;
    private final Cluster cluster;
    private final long timeoutNanos;
    private final long perTryMillis;
    private final RetryConfig retry;
    private final CircuitBreaker<Object> breaker;
    private final String breakerDescription;
    private final ScheduledExecutorService scheduler;
    /** Breaker and retries: for idempotent methods with a replayable request. */
    private final FailsafeExecutor<Object> retrying;
    /** Breaker only: every other call gets exactly one attempt. */
    private final FailsafeExecutor<Object> single;

    ServiceRuntime(ServiceConfig config, ScheduledExecutorService scheduler) {
        this.config = config;
        this.name = config.name();
        this.cluster = new Cluster(config, scheduler);
        CircuitBreakerConfig breaker = config.circuitBreaker();
        this.breaker = breaker == null ? null : circuitBreaker(breaker);
        this.breakerDescription = breaker == null ? null : "failure rate of at least "
                + Math.round(breaker.failureRateThreshold() * 100) + "% over " + breaker.window().toMillis() + "ms";
        this.scheduler = scheduler;
        this.timeoutNanos = config.timeout() == null ? 0 : config.timeout().toNanos();
        this.retry = config.retry();
        this.perTryMillis = perTryMillis(retry);
        this.single = executor(null);
        this.retrying = retry != null && retry.maxAttempts() > 1 ? executor(retryPolicy(retry, config.timeout())) : single;
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
        this.breakerDescription = service.breakerDescription;
        this.scheduler = service.scheduler;
        Duration timeout = routeTimeout != null ? routeTimeout : service.config.timeout();
        this.timeoutNanos = timeout == null ? 0 : timeout.toNanos();
        this.retry = routeRetry != null ? routeRetry : service.retry;
        this.perTryMillis = perTryMillis(retry);
        this.single = service.single;
        this.retrying = retry != null && retry.maxAttempts() > 1 ? executor(retryPolicy(retry, timeout)) : single;
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
        final long deadline = deadline();
        FailureDrill.POLICY.check();
        final Host[] previous = new Host[1]; // the host of the previous attempt: a retry goes elsewhere
        try {
            Object outcome = executorFor(call).get(() -> {
                int timeout = attemptTimeoutMillis(deadline);
                FailureDrill.BALANCING.check();
                Host chosen = cluster.pick(previous[0]);
                previous[0] = chosen;
                cluster.started(chosen);
                try {
                    Attempt<R> attempt = new Attempt<R>(Attempts.blocking(exchange, record, chosen.host(),
                            chosen.port(), chosen.name, timeout), exchange);
                    cluster.finished(chosen, attempt, null);
                    return attempt;
                } catch (Throwable t) {
                    cluster.finished(chosen, null, t);
                    throw t;
                }
            });
            return succeeded(outcome, record);
        } catch (CircuitBreakerOpenException open) {
            throw rejectedByBreaker(exchange, record);
        } catch (FailsafeException wrapped) {
            throw failed(wrapped.getCause() != null ? wrapped.getCause() : wrapped, exchange, record);
        } catch (Exception e) {
            throw failed(e, exchange, record);
        }
    }

    // ---- asynchronous -----------------------------------------------------------------------------

    <R> CompletableFuture<R> executeAsync(final OutboundCall call, final AsyncExchange<R> exchange,
                                          final CallRecord record) {
        final long deadline = deadline();
        FailureDrill.POLICY.check();
        final CompletableFuture<R> result = new CompletableFuture<R>();
        final Host[] previous = new Host[1]; // the host of the previous attempt: a retry goes elsewhere
        executorFor(call).getStageAsync(() -> {
            int timeout = attemptTimeoutMillis(deadline);
            FailureDrill.BALANCING.check();
            final Host chosen = cluster.pick(previous[0]);
            previous[0] = chosen;
            cluster.started(chosen);
            CompletionStage<Attempt<R>> attempt;
            try {
                attempt = Attempts.async(exchange, record, chosen.host(), chosen.port(), chosen.name, timeout)
                        .thenApply(response -> new Attempt<R>(response, exchange));
            } catch (RuntimeException e) {
                cluster.finished(chosen, null, e);
                throw e;
            }
            return attempt.whenComplete((a, t) -> cluster.finished(chosen, a, t));
        }).whenComplete((outcome, failure) -> {
            if (failure == null) {
                result.complete(succeeded(outcome, record));
                return;
            }
            Throwable cause = unwrap(failure);
            result.completeExceptionally(cause instanceof CircuitBreakerOpenException
                    ? rejectedByBreaker(exchange, record)
                    : failed(cause, exchange, record));
        });
        return result;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || (t instanceof FailsafeException
                && !(t instanceof CircuitBreakerOpenException))) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ---- shared -----------------------------------------------------------------------------------

    private FailsafeExecutor<Object> executorFor(OutboundCall call) {
        return call.replayable() && isIdempotent(call.method()) ? retrying : single;
    }

    /** RFC 9110 idempotent methods: the only ones retried unless a route says otherwise (later). */
    static boolean isIdempotent(String method) {
        return "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method)
                || "TRACE".equals(method) || "PUT".equals(method) || "DELETE".equals(method);
    }

    private long deadline() {
        return timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
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

    @SuppressWarnings("unchecked")
    private <R> R succeeded(Object outcome, CallRecord record) {
        Attempt<R> attempt = (Attempt<R>) outcome;
        record.outcome(attempt.status, null);
        if (record.attempts() > 1 && isRetryableStatus(attempt.status)) {
            record.flags().add(ResponseFlags.RETRIES_EXHAUSTED);
        }
        return attempt.response;
    }

    private Exception failed(Throwable cause, Exchange<?> exchange, CallRecord record) {
        Throwable appFacing = cause;
        if (cause instanceof DeadlineExceededException) {
            record.flags().add(ResponseFlags.TIMEOUT);
            appFacing = exchange.timeoutException("jmesh: service '" + name + "' timed out after "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + "ms (" + record.attempts() + " attempts)");
        } else {
            Failure kind = Failure.of(cause);
            if (kind.flag != null) {
                record.flags().add(kind.flag);
            }
            if (record.attempts() > 1 && isRetryable(cause)) {
                record.flags().add(ResponseFlags.RETRIES_EXHAUSTED);
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
                        : isRetryableStatus(((Attempt<?>) outcome).status))
                .onRetry(event -> {
                    Object last = event.getLastResult();
                    if (last instanceof Attempt) {
                        ((Attempt<?>) last).discard();
                    }
                });
        if (base.compareTo(max) < 0) {
            builder.withBackoff(base, max).withJitter(0.5);
        } else {
            builder.withDelay(base);
        }
        if (overallTimeout != null) {
            builder.withMaxDuration(overallTimeout);
        }
        return builder.build();
    }

    private CircuitBreaker<Object> circuitBreaker(CircuitBreakerConfig config) {
        int percent = (int) Math.max(1, Math.min(100, Math.round(config.failureRateThreshold() * 100)));
        return CircuitBreaker.builder()
                .handleIf((outcome, failure) -> failure != null || ((Attempt<?>) outcome).status >= 500)
                .withFailureRateThreshold(percent, config.minimumCalls(), config.window())
                .withDelay(config.openDuration())
                .withSuccessThreshold(config.halfOpenCalls())
                .onOpen(e -> AgentLog.warn("circuit breaker for service '" + name + "' opened: "
                        + breakerDescription + "; calls fail fast for " + config.openDuration().toMillis() + "ms"))
                .onHalfOpen(e -> AgentLog.info("circuit breaker for service '" + name + "' is half-open: probing"))
                .onClose(e -> AgentLog.info("circuit breaker for service '" + name + "' closed"))
                .build();
    }

    /** The breaker (if any) around {@code retryPolicy} (if any), on the engine's scheduler. */
    private FailsafeExecutor<Object> executor(RetryPolicy<Object> retryPolicy) {
        List<Policy<Object>> policies = new ArrayList<Policy<Object>>(2);
        if (breaker != null) {
            policies.add(breaker);
        }
        if (retryPolicy != null) {
            policies.add(retryPolicy);
        }
        FailsafeExecutor<Object> executor = policies.isEmpty() ? Failsafe.none() : Failsafe.with(policies);
        return executor.with(scheduler);
    }
}
