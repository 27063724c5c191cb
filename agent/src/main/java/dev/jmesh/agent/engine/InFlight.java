package dev.jmesh.agent.engine;

import dev.jmesh.config.RetryBudgetConfig;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The calls and retries a service has in flight: enforces {@code maxConcurrentRequests} (Envoy: max_requests)
 * and decides the retry budget (Envoy: retry_budget). Shared by every route to the service.
 *
 * <p>Why not Failsafe's {@code Bulkhead} (max wait 0 would fit {@code maxConcurrentRequests}): the retry budget
 * needs the number of requests in flight, which the bulkhead does not expose, and its permits are taken under a
 * lock. One atomic counter serves both, lock-free and without allocation.
 */
final class InFlight {
    private final int maxRequests;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();

    /** @param maxRequests the most calls in flight; 0 for no limit (the calls are still counted, for budgets) */
    InFlight(int maxRequests) {
        this.maxRequests = maxRequests;
    }

    int maxRequests() {
        return maxRequests;
    }

    /** Admits one call, or refuses it when {@code maxRequests} are in flight. An admitted call must {@link #exit()} once. */
    boolean tryEnter() {
        int now = requests.incrementAndGet();
        if (maxRequests > 0 && now > maxRequests) {
            requests.decrementAndGet();
            return false;
        }
        return true;
    }

    void exit() {
        requests.decrementAndGet();
    }

    /**
     * Starts one retry if the budget allows it: retries in flight stay within {@code percent} of the calls in
     * flight, and {@code minConcurrency} retries are always allowed (as Envoy). A started retry must
     * {@link #retryFinished()} once.
     */
    boolean tryStartRetry(RetryBudgetConfig budget) {
        int allowed = Math.max(budget.minConcurrency(), (int) (budget.percent() * requests.get()));
        int now = retries.incrementAndGet();
        if (now > allowed) {
            retries.decrementAndGet();
            return false;
        }
        return true;
    }

    void retryFinished() {
        retries.decrementAndGet();
    }

    int requests() {
        return requests.get();
    }

    int retries() {
        return retries.get();
    }
}
