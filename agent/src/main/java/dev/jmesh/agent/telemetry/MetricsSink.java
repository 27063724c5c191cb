package dev.jmesh.agent.telemetry;

import dev.jmesh.agent.AgentThreads;
import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.bootstrap.AgentLog;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Hands call records to the metrics ({@link MeshMetrics#record}) on one {@code jmesh-metrics} thread, which also
 * builds the metrics first, so that loading the OpenTelemetry SDK is not on the agent's start-up path (records of
 * calls made meanwhile wait in the queue). The application thread
 * does one lock-free enqueue (or, when {@value #CAPACITY} records are already waiting, one counted drop):
 * no lock, no wait, no aggregation on the caller's time. The metrics thread wakes every few milliseconds
 * and drains the queue; nothing wakes it per record, so a busy application pays nothing for waking it.
 */
final class MetricsSink implements Consumer<CallRecord> {
    static final int CAPACITY = 8192;
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Queue<CallRecord> queue = new ConcurrentLinkedQueue<CallRecord>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final Supplier<Consumer<CallRecord>> recorderFactory;
    private final Thread worker;
    private volatile boolean closed;
    /** The metrics are built: from now on draining the queue is quick. */
    private volatile boolean built;
    /** How long {@link #close} waits for the thread once the metrics are built, and while they are still being built. */
    private static final long CLOSE_WAIT_MILLIS = 1000;
    private static final long CLOSE_WAIT_WHILE_BUILDING_MILLIS = 5000;

    /** @param recorderFactory run once on the metrics thread: what it does with each record */
    MetricsSink(Supplier<Consumer<CallRecord>> recorderFactory) {
        this.recorderFactory = recorderFactory;
        this.worker = new AgentThreads("metrics").newThread(this::drainUntilClosed);
        worker.start();
    }

    @Override
    public void accept(CallRecord record) {
        if (size.incrementAndGet() > CAPACITY) {
            size.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.offer(record);
    }

    long dropped() {
        return dropped.get();
    }

    /**
     * Records what is queued, then stops the thread. Waits at most a second, or five while the metrics are still
     * being built: a short-lived application (a batch job) can exit before loading the OpenTelemetry SDK has
     * finished on a busy machine, and giving up then would lose every one of its metrics.
     */
    void close() {
        closed = true;
        LockSupport.unpark(worker);
        try {
            worker.join(built ? CLOSE_WAIT_MILLIS : CLOSE_WAIT_WHILE_BUILDING_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drainUntilClosed() {
        Consumer<CallRecord> recorder;
        try {
            recorder = recorderFactory.get();
        } catch (Throwable t) {
            AgentLog.warn("metrics could not be started (" + t + "); calls are unaffected, metrics are off");
            recorder = record -> { };
        }
        built = true;
        while (true) {
            boolean stopping = closed;
            CallRecord record;
            while ((record = queue.poll()) != null) {
                size.decrementAndGet();
                try {
                    recorder.accept(record);
                } catch (Throwable t) {
                    AgentLog.warnOnce("metrics-record:" + t.getClass().getName(),
                            "a call could not be measured (" + t + "); calls are unaffected");
                }
            }
            if (stopping) {
                return;
            }
            LockSupport.parkNanos(this, IDLE_PARK_NANOS);
        }
    }
}
