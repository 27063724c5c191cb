package dev.jmesh.agent.telemetry;

import dev.jmesh.agent.AgentThreads;
import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.bootstrap.AgentLog;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiPredicate;

/**
 * Span export ({@code telemetry.tracing.otlp}): sampled call records wait in a bounded queue and one
 * {@code jmesh-spans} thread turns them into spans ({@link CallSpans}) and sends them in batches of at most
 * {@value #BATCH} through {@link OtlpHttpExporter#exportSpans}, every {@link #EXPORT_MILLIS} ms or as soon as a
 * batch is full. The application thread does what {@link MetricsSink} does: one lock-free enqueue, or, when
 * {@value #CAPACITY} records are already waiting, one counted drop. Spans of an export the collector did not
 * accept are counted as dropped too ({@code jmesh.telemetry.dropped{jmesh.sink="spans"}}).
 */
final class SpanSink {
    static final int CAPACITY = 2048;
    static final int BATCH = 512;
    /** How long spans may wait for an export; {@code -Djmesh.agent.spanExportMillis} changes it (tests). */
    static final long EXPORT_MILLIS = Long.getLong("jmesh.agent.spanExportMillis", 2000L);
    private static final int TIMEOUT_MILLIS = 10_000;
    private static final int EXIT_TIMEOUT_MILLIS = 2000;

    private final Queue<CallRecord> queue = new ConcurrentLinkedQueue<CallRecord>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final BiPredicate<List<SpanData>, Integer> exporter;
    private final Object config;
    private final int capacity;
    private final long exportNanos;
    private final Map<String, Resource> resources = new HashMap<String, Resource>();
    private final Thread worker;
    private volatile boolean closed;

    /** Exports to {@code otlp}'s endpoint. */
    static SpanSink start(OtlpHttpExporter otlp) {
        return new SpanSink(otlp.config(), (spans, timeout) -> otlp.exportSpans(spans, timeout), CAPACITY,
                EXPORT_MILLIS);
    }

    /**
     * @param config   what this sink was made for (a reload that keeps it keeps the sink)
     * @param exporter sends one batch within the given timeout (ms); false when the spans were lost
     */
    SpanSink(Object config, BiPredicate<List<SpanData>, Integer> exporter, int capacity, long exportMillis) {
        this.config = config;
        this.exporter = exporter;
        this.capacity = capacity;
        this.exportNanos = TimeUnit.MILLISECONDS.toNanos(exportMillis);
        this.worker = new AgentThreads("spans").newThread(this::drainUntilClosed);
        worker.start();
    }

    Object config() {
        return config;
    }

    /** Queues a sampled record (unsampled ones are not exported: nothing to do). Never blocks. */
    void accept(CallRecord record) {
        if (!record.sampled()) {
            return;
        }
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.offer(record);
    }

    /** Records lost: the queue was full, or their export failed. */
    long dropped() {
        return dropped.get();
    }

    /** Exports what is queued (waiting at most about {@value #EXIT_TIMEOUT_MILLIS} ms), then stops the thread. */
    void close() {
        closed = true;
        LockSupport.unpark(worker);
        try {
            worker.join(EXIT_TIMEOUT_MILLIS + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drainUntilClosed() {
        List<SpanData> batch = new ArrayList<SpanData>(BATCH + 16);
        int records = 0;
        long due = System.nanoTime() + exportNanos;
        while (true) {
            boolean stopping = closed;
            CallRecord record;
            while ((record = queue.poll()) != null) {
                size.decrementAndGet();
                try {
                    CallSpans.add(record, resource(record.localService()), batch);
                    records++;
                } catch (Throwable t) {
                    dropped.incrementAndGet();
                    AgentLog.warnOnce("span-map:" + t.getClass().getName(),
                            "a call could not be turned into a span (" + t + "); calls are unaffected");
                }
                if (batch.size() >= BATCH) {
                    records = export(batch, records, TIMEOUT_MILLIS);
                }
            }
            if (stopping) {
                export(batch, records, EXIT_TIMEOUT_MILLIS);
                return;
            }
            if (System.nanoTime() - due >= 0) {
                records = export(batch, records, TIMEOUT_MILLIS);
                due = System.nanoTime() + exportNanos;
            }
            LockSupport.parkNanos(this, Math.min(exportNanos, TimeUnit.MILLISECONDS.toNanos(50)));
        }
    }

    /** Sends the batch and empties it; returns 0 (the records now pending). */
    private int export(List<SpanData> batch, int records, int timeoutMillis) {
        if (batch.isEmpty()) {
            return 0;
        }
        boolean sent;
        try {
            sent = exporter.test(batch, timeoutMillis);
        } catch (Throwable t) {
            AgentLog.warnOnce("span-export:" + t.getClass().getName(), "spans could not be exported (" + t
                    + "); calls are unaffected");
            sent = false;
        }
        if (!sent) {
            dropped.addAndGet(records);
        }
        batch.clear();
        return 0;
    }

    /** {@code service.name} is the record's service; few distinct values (config), kept by this thread only. */
    private Resource resource(String service) {
        String key = service == null ? "" : service;
        Resource resource = resources.get(key);
        if (resource == null) {
            resource = CallSpans.resource(service);
            if (resources.size() < 100) {
                resources.put(key, resource);
            }
        }
        return resource;
    }
}
