package dev.jmesh.demo.bundled;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The app's own OpenTelemetry SDK: one span, exported to memory (no network, no log, no thread). */
final class OpenTelemetryPart {
    private static final AttributeKey<String> SDK_VERSION = AttributeKey.stringKey("telemetry.sdk.version");
    private static final AttributeKey<Long> ITEMS = AttributeKey.longKey("items");

    private OpenTelemetryPart() {
    }

    /** Keeps what it is given. */
    static final class InMemoryExporter implements SpanExporter {
        final List<SpanData> spans = new ArrayList<>();

        @Override
        public synchronized CompletableResultCode export(Collection<SpanData> batch) {
            spans.addAll(batch);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }

        synchronized List<SpanData> spans() {
            return new ArrayList<>(spans);
        }
    }

    static void run(BundledLibraries.Tally tally) {
        InMemoryExporter exporter = new InMemoryExporter();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
        try {
            BundledLibraries.print("otel sdk " + Resource.getDefault().getAttribute(SDK_VERSION));
            Tracer tracer = sdk.getTracer("dev.jmesh.demo.bundled");
            Span span = tracer.spanBuilder("inventory.lookup").setSpanKind(SpanKind.CLIENT).setAttribute(ITEMS, 3L)
                    .startSpan();
            try (Scope ignored = span.makeCurrent()) {
                Span.current().addEvent("looked up");
            } finally {
                span.end();
            }
            provider.forceFlush().join(5, TimeUnit.SECONDS);
            for (SpanData data : exporter.spans()) {
                BundledLibraries.print("otel span " + data.getName() + " kind=" + data.getKind()
                        + " items=" + data.getAttributes().get(ITEMS) + " events=" + data.getEvents().size()
                        + " valid=" + data.getSpanContext().isValid() + " ended=" + data.hasEnded());
            }
            BundledLibraries.print("otel exported " + exporter.spans().size());
        } finally {
            sdk.getSdkTracerProvider().shutdown().join(5, TimeUnit.SECONDS);
        }
    }
}
