package dev.jmesh.agent.telemetry;

import dev.jmesh.agent.AgentThreads;
import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.agent.engine.ClusterView;
import dev.jmesh.agent.engine.EngineEvents;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.AccessLogConfig;
import dev.jmesh.config.MetricsConfig;
import dev.jmesh.config.StatsdConfig;
import dev.jmesh.config.OtlpConfig;
import dev.jmesh.config.TelemetryConfig;
import io.opentelemetry.sdk.metrics.data.MetricData;

import java.io.IOException;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The sinks every call record goes to, as the current config describes them: the access log, and the
 * metrics ({@link MeshMetrics}, fed through {@link MetricsSink}) with their exporters (Prometheus text for
 * the admin endpoint, StatsD, OTLP), and the spans ({@link SpanSink}, OTLP). A reload swaps a sink or an exporter atomically (the old one writes what
 * it holds, then closes); at JVM exit the current sinks flush.
 */
public final class Telemetry implements Consumer<CallRecord> {
    /** How often StatsD and OTLP get metrics; {@code -Djmesh.agent.metricsExportMillis} changes it (tests). */
    static final long EXPORT_MILLIS = Long.getLong("jmesh.agent.metricsExportMillis", 10_000L);
    private static final int EXIT_EXPORT_TIMEOUT_MILLIS = 2000;
    private static final long AGENT_READY_WAIT_MILLIS = 15_000;

    private volatile AccessLog accessLog;
    private AccessLogConfig accessLogConfig;
    private final AtomicLong droppedByClosedLogs = new AtomicLong();

    /** Built on the metrics thread; null until then and while metrics are off. */
    private volatile MeshMetrics metrics;
    private boolean metricsRunning;
    private volatile MetricsSink metricsSink;
    private volatile StatsdExporter statsd;
    private volatile OtlpHttpExporter otlp;
    private ScheduledExecutorService exportThread;
    private volatile Supplier<List<ClusterView>> clusters = Collections::emptyList;
    private volatile SpanSink spans;
    private final AtomicLong droppedByClosedSpanSinks = new AtomicLong();

    public Telemetry() {
        Runtime.getRuntime().addShutdownHook(new AgentThreads("telemetry-flush").newThread(this::close));
    }

    /** Opens, replaces or closes sinks so that they match {@code config}. Not for the hot path. */
    public synchronized void configure(TelemetryConfig config) {
        configureAccessLog(config.accessLog());
        configureMetrics(config);
        configureSpans(config.tracing().otlp());
    }

    /** Span export runs while {@code telemetry.tracing.otlp} is set; a changed endpoint gets a new sink. */
    private void configureSpans(OtlpConfig wanted) {
        SpanSink previous = spans;
        if (Objects.equals(wanted, previous == null ? null : previous.config())) {
            return;
        }
        spans = wanted == null ? null : SpanSink.start(OtlpHttpExporter.traces(wanted));
        if (previous != null) {
            previous.close();
            droppedByClosedSpanSinks.addAndGet(previous.dropped());
        }
    }

    /** Where breaker states and endpoints come from: the engine, once it exists. */
    public void clusters(Supplier<List<ClusterView>> source) {
        clusters = source;
        MeshMetrics m = metrics;
        if (m != null) {
            m.clusters(source);
        }
    }

    /** The metrics, or null while no metrics exporter and no admin endpoint is configured. */
    public MeshMetrics metrics() {
        return metrics;
    }

    private void configureAccessLog(AccessLogConfig wanted) {
        if (wanted == null ? accessLogConfig == null : wanted.equals(accessLogConfig)) {
            return;
        }
        AccessLog previous = accessLog;
        AccessLog next = null;
        if (wanted != null) {
            try {
                next = AccessLog.start(wanted);
            } catch (IOException e) {
                AgentLog.warn("cannot open the access log " + wanted.path() + " (" + e + "); calls are not logged");
            }
        }
        accessLog = next;
        accessLogConfig = wanted;
        if (previous != null) {
            previous.close();
            droppedByClosedLogs.addAndGet(previous.dropped());
        }
    }

    /** Metrics are kept while anything can read them: an exporter, or the admin endpoint's /metrics. */
    private void configureMetrics(TelemetryConfig config) {
        MetricsConfig wanted = config.metrics();
        boolean on = wanted.prometheus() != null || wanted.statsd() != null || wanted.otlp() != null
                || config.admin() != null;
        if (!on) {
            stopMetrics();
            return;
        }
        if (!metricsRunning) {
            startMetrics();
        }
        StatsdExporter currentStatsd = statsd;
        if (!Objects.equals(wanted.statsd(), currentStatsd == null ? null : currentStatsd.config())) {
            statsd = wanted.statsd() == null ? null : new StatsdExporter(wanted.statsd());
            if (currentStatsd != null) {
                currentStatsd.close();
            }
        }
        OtlpHttpExporter currentOtlp = otlp;
        if (!Objects.equals(wanted.otlp(), currentOtlp == null ? null : currentOtlp.config())) {
            otlp = wanted.otlp() == null ? null : OtlpHttpExporter.metrics(wanted.otlp());
        }
    }

    private void startMetrics() {
        Map<String, LongSupplier> dropped = new LinkedHashMap<String, LongSupplier>();
        dropped.put("access_log", () -> {
            AccessLog log = accessLog;
            return droppedByClosedLogs.get() + (log == null ? 0 : log.dropped());
        });
        dropped.put("metrics", () -> {
            MetricsSink sink = metricsSink;
            return sink == null ? 0 : sink.dropped();
        });
        dropped.put("spans", () -> {
            SpanSink sink = spans;
            return droppedByClosedSpanSinks.get() + (sink == null ? 0 : sink.dropped());
        });
        metricsSink = new MetricsSink(() -> {
            awaitAgentReady();
            MeshMetrics m = new MeshMetrics(null, MeshMetrics.DEFAULT_SERIES_LIMIT, MeshMetrics.DEFAULT_VALUE_LIMIT,
                    dropped);
            m.clusters(clusters);
            metrics = m;
            EngineEvents.listen(m);
            return m::record;
        });
        metricsRunning = true;
        exportThread = Executors.newSingleThreadScheduledExecutor(new AgentThreads("metrics-export"));
        exportThread.scheduleWithFixedDelay(this::exportSafely, EXPORT_MILLIS, EXPORT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Calls reach the engine only once the agent is ready, so no record waits for this. */
    private static void awaitAgentReady() {
        try {
            ConfigStatus.INSTANCE.awaitReady(AGENT_READY_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopMetrics() {
        if (!metricsRunning) {
            return;
        }
        metricsRunning = false;
        EngineEvents.listen(null);
        MetricsSink sink = metricsSink;
        metricsSink = null;
        sink.close(); // the metrics thread has built the metrics by now (or failed to)
        exportThread.shutdownNow();
        exportThread = null;
        if (statsd != null) {
            statsd.close();
            statsd = null;
        }
        otlp = null;
        MeshMetrics m = metrics;
        metrics = null;
        if (m != null) {
            m.close();
        }
    }

    private void exportSafely() {
        exportSafely(OtlpHttpExporter.TIMEOUT_MILLIS);
    }

    private void exportSafely(int otlpTimeoutMillis) {
        try {
            export(otlpTimeoutMillis);
        } catch (Throwable t) {
            AgentLog.warnOnce("metrics-export:" + t.getClass().getName(), "metrics export failed (" + t
                    + "); calls are unaffected, it runs again next interval");
        }
    }

    /** One export to StatsD and OTLP, on the export thread (and once more at exit, with a short timeout). */
    private void export(int otlpTimeoutMillis) {
        MeshMetrics m = metrics;
        if (m == null) {
            return;
        }
        // collected even without StatsD, so that a StatsD exporter added later starts from "now"
        Collection<MetricData> changes = m.collectDelta();
        StatsdExporter s = statsd;
        if (s != null) {
            s.export(changes);
        }
        OtlpHttpExporter o = otlp;
        if (o != null) {
            o.export(m.collectCumulative(), otlpTimeoutMillis);
        }
    }

    @Override
    public void accept(CallRecord record) {
        AccessLog log = accessLog;
        if (log != null) {
            log.accept(record);
        }
        MetricsSink sink = metricsSink;
        if (sink != null) {
            sink.accept(record);
        }
        SpanSink spanSink = spans;
        if (spanSink != null) {
            spanSink.accept(record);
        }
    }

    private synchronized void close() {
        if (accessLog != null) {
            accessLog.close();
        }
        if (spans != null) {
            spans.close(); // exports what is queued, waiting about 2 s at most
        }
        if (metricsSink != null) {
            metricsSink.close(); // records what is queued, so that the last export has it
            exportSafely(EXIT_EXPORT_TIMEOUT_MILLIS); // an unreachable collector must not hold up the exit for long
        }
    }
}
