package dev.jmesh.agent.telemetry;

import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.agent.engine.TracedRecords;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The span queue: bounded, never blocking the caller, every loss counted; unsampled calls never queued. */
class SpanSinkTest {

    @Test
    void aFullQueueDropsAndCountsWhileTheExportThreadIsStuck() throws Exception {
        CountDownLatch exporting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<SpanData> exported = Collections.synchronizedList(new ArrayList<>());
        BiPredicate<List<SpanData>, Integer> stuckOnce = (spans, timeout) -> {
            exported.addAll(spans);
            exporting.countDown();
            try {
                return release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return false;
            }
        };
        SpanSink sink = new SpanSink("test", stuckOnce, 2, 10);
        try {
            sink.accept(TracedRecords.sampledCall());
            assertTrue(exporting.await(10, TimeUnit.SECONDS), "the first export started");
            for (int i = 0; i < 5; i++) {
                sink.accept(TracedRecords.sampledCall()); // returns at once: the exporter is stuck
            }
            assertEquals(3, sink.dropped(), "two fit in the queue, three are dropped");
            release.countDown();
            awaitSize(exported, 3);
        } finally {
            sink.close();
        }
        assertEquals(3, exported.size());
        assertEquals(3, sink.dropped());
    }

    @Test
    void spansOfAFailedExportAreCountedAsDropped() throws Exception {
        List<SpanData> attempted = Collections.synchronizedList(new ArrayList<>());
        SpanSink sink = new SpanSink("test", (spans, timeout) -> attempted.addAll(spans) && false, 100, 10);
        try {
            CallRecord inbound = TracedRecords.inboundRequest(null);
            sink.accept(inbound);
            sink.accept(TracedRecords.retriedCall(inbound).record()); // one record, three spans
            awaitSize(attempted, 4);
        } finally {
            sink.close();
        }
        assertEquals(2, sink.dropped(), "counted in records, as the other sinks count");
    }

    @Test
    void unsampledCallsAreNeitherExportedNorDropped() throws Exception {
        List<SpanData> exported = Collections.synchronizedList(new ArrayList<>());
        SpanSink sink = new SpanSink("test", (spans, timeout) -> exported.addAll(spans), 1, 10);
        try {
            for (int i = 0; i < 10; i++) {
                sink.accept(TracedRecords.unsampledCall());
            }
            sink.accept(TracedRecords.sampledCall());
            awaitSize(exported, 1);
        } finally {
            sink.close(); // exports anything still queued
        }
        assertEquals(1, exported.size());
        assertEquals(0, sink.dropped());
    }

    @Test
    void closingExportsWhatIsQueued() {
        List<SpanData> exported = Collections.synchronizedList(new ArrayList<>());
        SpanSink sink = new SpanSink("test", (spans, timeout) -> exported.addAll(spans), 100, 60_000);
        for (int i = 0; i < 7; i++) {
            sink.accept(TracedRecords.sampledCall());
        }
        sink.close();
        assertEquals(7, exported.size());
    }

    private static void awaitSize(List<?> list, int size) throws InterruptedException {
        for (int i = 0; i < 500 && list.size() < size; i++) {
            Thread.sleep(20);
        }
        assertEquals(size, list.size(), list.toString());
    }
}
