package dev.jmesh.agent.engine;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rate limiter's token bucket, on a clock the test moves. */
class TokenBucketTest {
    private final AtomicLong now = new AtomicLong(-5_000_000_000L); // nanoTime may be negative

    private void advanceMillis(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private static int take(TokenBucket bucket, int max) {
        int taken = 0;
        while (taken < max && bucket.tryAcquire()) {
            taken++;
        }
        return taken;
    }

    @Test
    void aFullBucketAllowsABurstThenRefusesUntilItRefills() {
        TokenBucket bucket = new TokenBucket(10, 3, now::get);
        assertEquals(3, take(bucket, 100), "burst");
        assertFalse(bucket.tryAcquire());
        advanceMillis(99);
        assertFalse(bucket.tryAcquire(), "a token takes 100ms at 10/s");
        advanceMillis(1);
        assertTrue(bucket.tryAcquire());
        assertFalse(bucket.tryAcquire());
    }

    @Test
    void aQuietPeriodRefillsNoMoreThanTheBurst() {
        TokenBucket bucket = new TokenBucket(100, 5, now::get);
        take(bucket, 100);
        advanceMillis(60_000);
        assertEquals(5, take(bucket, 100));
    }

    @Test
    void aFractionalRateRefillsSlowly() {
        TokenBucket bucket = new TokenBucket(0.5, 1, now::get);
        assertTrue(bucket.tryAcquire());
        advanceMillis(1999);
        assertFalse(bucket.tryAcquire());
        advanceMillis(1);
        assertTrue(bucket.tryAcquire());
    }

    @Test
    void theSustainedRateIsTheConfiguredRate() {
        TokenBucket bucket = new TokenBucket(50, 10, now::get);
        int allowed = take(bucket, 1000);
        for (int ms = 0; ms < 10_000; ms++) {
            advanceMillis(1);
            allowed += take(bucket, 1000);
        }
        assertEquals(10 + 50 * 10, allowed, "burst plus 10 s at 50/s");
    }

    @Test
    void concurrentTakersNeverGetMoreThanTheBucketHolds() throws Exception {
        TokenBucket bucket = new TokenBucket(1, 1000, now::get); // frozen clock: exactly 1000 tokens
        AtomicLong granted = new AtomicLong();
        Thread[] threads = new Thread[4];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                for (int j = 0; j < 1000; j++) {
                    if (bucket.tryAcquire()) {
                        granted.incrementAndGet();
                    }
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(1000, granted.get());
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, now::get));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, now::get));
    }
}
