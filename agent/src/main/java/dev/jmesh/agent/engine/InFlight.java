package dev.jmesh.agent.engine;

import dev.jmesh.config.RetryBudgetConfig;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The calls and retries a service has in flight: enforces {@code maxConcurrentRequests} (Envoy: max_requests)
 * and decides the retry budget (Envoy: retry_budget). Shared by every route to the service.
 *
 * <p>Why not Failsafe's {@code Bulkhead} (max wait 0 would fit {@code maxConcurrentRequests}): the retry budget
 * needs the number of requests in flight, which the bulkhead does not expose, and its permits are taken under a
 * lock. One atomic counter serves both, lock-free and without allocation.
 *
 * <p>{@code maxPendingRequests} (Envoy: max_pending_requests) lets that many calls wait for a slot when all are
 * taken, instead of failing at once. A released slot passes straight to the oldest waiter. Only a full service
 * pays for the queue; below the limit a call costs one atomic increment, as without it.
 */
final class InFlight {
    private final int maxRequests;
    private final int maxPending;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<Waiter>();
    private final AtomicInteger retries = new AtomicInteger();

    /**
     * @param maxRequests the most calls in flight; 0 for no limit (the calls are still counted, for budgets)
     * @param maxPending  the most calls waiting for a slot when {@code maxRequests} are in flight; 0 for none
     */
    InFlight(int maxRequests, int maxPending) {
        this.maxRequests = maxRequests;
        this.maxPending = maxRequests > 0 ? maxPending : 0;
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

    /** Releases a slot: to the oldest waiter if there is one, else back to the service. */
    void exit() {
        if (maxPending == 0) {
            requests.decrementAndGet();
            return;
        }
        if (handOver()) {
            return;
        }
        requests.decrementAndGet();
        // A call that queued while this slot was being released must not wait for the next release.
        while (!waiters.isEmpty() && tryEnter()) {
            if (!handOver()) {
                requests.decrementAndGet();
                return;
            }
        }
    }

    /** Passes the slot the caller holds to the oldest call still waiting; false when none is. */
    private boolean handOver() {
        for (Waiter waiter = waiters.poll(); waiter != null; waiter = waiters.poll()) {
            if (waiter.grant()) {
                return true;
            }
        }
        return false;
    }

    int maxPending() {
        return maxPending;
    }

    /**
     * Queues a call that {@link #tryEnter()} refused; null when {@code maxPending} calls are already waiting. The
     * waiter's future completes with true once it holds a slot (which it must {@link #exit()} once), or false
     * when it {@link Waiter#giveUp gave up}.
     */
    Waiter enqueue() {
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            return null;
        }
        Waiter waiter = new Waiter();
        waiters.add(waiter);
        if (tryEnter()) { // a slot freed between the refusal and the queueing
            if (waiter.withdraw()) {
                waiter.granted.complete(Boolean.TRUE);
            } else {
                exit(); // granted meanwhile: it holds a slot already, give this one back
            }
        }
        return waiter;
    }

    /** Waits up to {@code nanos} for a slot; true when the calling thread then holds one. */
    boolean awaitSlot(Waiter waiter, long nanos) throws InterruptedException {
        try {
            return waiter.granted.get(nanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException e) {
            if (waiter.giveUp()) {
                if (e instanceof InterruptedException) {
                    throw (InterruptedException) e;
                }
                return false;
            }
            return true; // granted as the wait ended: the slot is this call's
        } catch (ExecutionException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    int pending() {
        return pending.get();
    }

    /** A call waiting for a slot: granted one exactly once, or gives up (deadline) exactly once. */
    final class Waiter {
        private static final int WAITING = 0;
        private static final int GRANTED = 1;
        private static final int GAVE_UP = 2;
        private final AtomicInteger state = new AtomicInteger(WAITING);
        final CompletableFuture<Boolean> granted = new CompletableFuture<Boolean>();

        private boolean grant() {
            if (!state.compareAndSet(WAITING, GRANTED)) {
                return false;
            }
            pending.decrementAndGet();
            granted.complete(Boolean.TRUE);
            return true;
        }

        /** Leaves the queue holding a slot of its own. */
        private boolean withdraw() {
            if (!state.compareAndSet(WAITING, GRANTED)) {
                return false;
            }
            pending.decrementAndGet();
            waiters.remove(this);
            return true;
        }

        /** Stops waiting; false when a slot was granted first (the caller then holds it). */
        boolean giveUp() {
            if (!state.compareAndSet(WAITING, GAVE_UP)) {
                return false;
            }
            pending.decrementAndGet();
            waiters.remove(this);
            granted.complete(Boolean.FALSE);
            return true;
        }
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
