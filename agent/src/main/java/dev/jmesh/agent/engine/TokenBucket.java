package dev.jmesh.agent.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A lock-free token bucket ({@code rateLimit}): {@code burst} tokens, refilled at {@code requestsPerSecond};
 * a call takes one token or is refused, never waits.
 *
 * <p>Why not Failsafe's {@code RateLimiter}: its bursty limiter is a fixed window (all permits come back at
 * once each period), its smooth limiter allows no burst, it takes a lock per call, and its clock cannot be
 * replaced in tests. This is the token bucket written as one "theoretical arrival time" (GCRA): the bucket is
 * full when {@code tat <= now}; taking a token moves {@code tat} one interval later; a call is refused when
 * that would put {@code tat} more than {@code burst} intervals ahead of now. One CAS per call, no allocation.
 */
final class TokenBucket {
    private final long intervalNanos;
    private final long toleranceNanos;
    private final LongSupplier ticker;
    private final AtomicLong tat;

    /** @param ticker nanoseconds, monotonic ({@code System::nanoTime} outside tests) */
    TokenBucket(double requestsPerSecond, int burst, LongSupplier ticker) {
        if (!(requestsPerSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("requestsPerSecond must be > 0 and burst >= 1");
        }
        double interval = Math.max(1, TimeUnit.SECONDS.toNanos(1) / requestsPerSecond);
        // capped so that tat arithmetic never overflows (about 73 years of tolerance)
        this.intervalNanos = (long) Math.min(interval, Long.MAX_VALUE / 8);
        this.toleranceNanos = (long) Math.min(interval * burst, Long.MAX_VALUE / 4);
        this.ticker = ticker;
        this.tat = new AtomicLong(ticker.getAsLong()); // starts full
    }

    /** Takes one token if there is one. */
    boolean tryAcquire() {
        long now = ticker.getAsLong();
        while (true) {
            long current = tat.get();
            long next = (current - now > 0 ? current : now) + intervalNanos;
            if (next - now > toleranceNanos) {
                return false;
            }
            if (tat.compareAndSet(current, next)) {
                return true;
            }
        }
    }
}
