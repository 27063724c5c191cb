package dev.jmesh.agent.engine;

import dev.jmesh.config.RetryConfig;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The wait before a retry: exponential back-off with full jitter, as Envoy waits (and as "Exponential Backoff And
 * Jitter", AWS Architecture Blog, recommends): retry n waits a uniformly random time between 0 and
 * min(max, base x 2^(n-1)). Full jitter spreads the retries of many callers that failed together, so that they do
 * not hit a recovering upstream in step. Used by the services' and the databases' retries alike.
 */
public final class Backoff {
    private Backoff() {
    }

    /** The wait in nanoseconds before retry {@code retry} (1 for the first retry, that is the second attempt). */
    public static long fullJitterNanos(long baseNanos, long maxNanos, int retry) {
        long ceiling = Math.max(0, baseNanos);
        for (int i = 1; i < retry && ceiling < maxNanos; i++) {
            ceiling *= 2;
        }
        ceiling = Math.min(ceiling, Math.max(maxNanos, baseNanos));
        return ceiling == 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
    }

    /** Waits, on the caller's thread, the back-off of {@code policy} before retry {@code retry}. */
    public static void sleep(RetryConfig policy, int retry) throws InterruptedException {
        long nanos = fullJitterNanos(policy.backoffBase().toNanos(), policy.backoffMax().toNanos(), retry);
        if (nanos > 0) {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    }
}
