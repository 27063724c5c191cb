package dev.jmesh.agent.telemetry;

import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.agent.engine.SyntheticRecords;
import dev.jmesh.bootstrap.OutboundCall;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsSinkTest {
    private static final CallRecord RECORD = SyntheticRecords.record(
            new OutboundCall("http", "http", "inventory", -1, "GET", "/", true), CallRecord.DIRECTION_OUTBOUND,
            "inventory", null, 1, 200, null);

    @Test
    void whenTheMetricsThreadIsStuckAFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger recorded = new AtomicInteger();
        MetricsSink sink = new MetricsSink(() -> r -> {
            stuck.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            recorded.incrementAndGet();
        });
        sink.accept(RECORD);
        assertTrue(stuck.await(10, TimeUnit.SECONDS), "the metrics thread took the first record");

        int offered = MetricsSink.CAPACITY + 500;
        for (int i = 0; i < offered; i++) {
            sink.accept(RECORD); // returns at once: the test would hang here if the sink waited
        }
        assertEquals(500, sink.dropped(), "what does not fit is dropped and counted");

        release.countDown();
        sink.close();
        assertEquals(1 + MetricsSink.CAPACITY, recorded.get(), "everything queued is recorded, at the latest on close");
    }

    @Test
    void anAppThatExitsWhileTheMetricsAreStillBeingBuiltKeepsItsCalls() {
        AtomicInteger recorded = new AtomicInteger();
        MetricsSink sink = new MetricsSink(() -> {
            try {
                Thread.sleep(2000); // loading the OpenTelemetry SDK on a busy machine
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return r -> recorded.incrementAndGet();
        });
        sink.accept(RECORD);
        sink.accept(RECORD);

        sink.close(); // the application exits at once

        assertEquals(2, recorded.get(), "the calls made before the metrics were built are recorded before close returns");
    }
}
