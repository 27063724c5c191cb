package dev.jmesh.agent.telemetry;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the config comes from and how its last reload went, for {@code /healthz} and the
 * {@code jmesh.config.reloads} metric. One per agent; written by the config thread, read by anyone.
 */
public final class ConfigStatus {
    public static final ConfigStatus INSTANCE = new ConfigStatus();

    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile String source = "none (pass-through)";
    private final CountDownLatch readyLatch = new CountDownLatch(1);
    private volatile boolean starting;
    private volatile boolean ready;
    private volatile long lastReloadEpochMillis;
    private volatile String lastReloadResult;

    private ConfigStatus() {
    }

    public void source(String description) {
        source = description;
    }

    /** The agent has begun to start (premain): {@link #awaitReady} waits from now on. */
    public void starting() {
        starting = true;
    }

    /** The agent is ready: calls go through the mesh from now on. */
    public void ready() {
        ready = true;
        readyLatch.countDown();
    }

    /**
     * Waits (at most {@code millis}) until the agent is ready, if it is starting: work that the first call does
     * not need (the metrics SDK) waits, so that it does not compete with start-up for the CPU.
     */
    public void awaitReady(long millis) throws InterruptedException {
        if (starting) {
            readyLatch.await(millis, TimeUnit.MILLISECONDS);
        }
    }

    public void reloadApplied() {
        applied.incrementAndGet();
        lastReloadEpochMillis = System.currentTimeMillis();
        lastReloadResult = "applied";
    }

    public void reloadRejected(String reason) {
        rejected.incrementAndGet();
        lastReloadEpochMillis = System.currentTimeMillis();
        lastReloadResult = "rejected: " + reason;
    }

    public String source() { return source; }
    public boolean isReady() { return ready; }
    public long applied() { return applied.get(); }
    public long rejected() { return rejected.get(); }
    /** 0 when the config was never reloaded. */
    public long lastReloadEpochMillis() { return lastReloadEpochMillis; }
    /** {@code applied}, {@code rejected: <problems>}, or null when the config was never reloaded. */
    public String lastReloadResult() { return lastReloadResult; }
}
