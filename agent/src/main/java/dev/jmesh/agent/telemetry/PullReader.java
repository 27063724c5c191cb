package dev.jmesh.agent.telemetry;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;

import java.util.Collection;

/**
 * A metric reader that collects only when asked: by a {@code /metrics} scrape, or by the export task that
 * feeds StatsD and OTLP. Having jmesh's own scheduler pull (rather than the SDK's periodic reader push) lets
 * a config reload swap exporters without rebuilding the SDK.
 */
final class PullReader implements MetricReader {
    private final AggregationTemporality temporality;
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    PullReader(AggregationTemporality temporality) {
        this.temporality = temporality;
    }

    Collection<MetricData> collect() {
        return registration.collectAllMetrics();
    }

    @Override
    public void register(CollectionRegistration registration) {
        this.registration = registration;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return temporality;
    }

    @Override
    public CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        registration = CollectionRegistration.noop();
        return CompletableResultCode.ofSuccess();
    }
}
