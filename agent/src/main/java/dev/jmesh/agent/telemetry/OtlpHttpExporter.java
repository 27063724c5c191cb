package dev.jmesh.agent.telemetry;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.config.OtlpConfig;
import io.opentelemetry.exporter.internal.marshal.Marshaler;
import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.SpanData;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.util.Collection;

/**
 * OTLP/HTTP export of one signal: metrics (the SDK's metric data) to {@code <endpoint>/v1/metrics}, or spans to
 * {@code <endpoint>/v1/traces}, as an OTLP protobuf request (OpenTelemetry's own marshallers), POSTed from an
 * export thread with the JDK's
 * {@code HttpURLConnection}. OpenTelemetry's OTLP exporter would bring OkHttp, Okio and Kotlin (several
 * megabytes) for one POST every few seconds; its JDK sender needs Java 11.
 *
 * <p>The request is the agent's own: it runs inside {@link CallDepth}, so the mesh's own HTTP
 * instrumentation passes it through, unrouted and unrecorded.
 */
final class OtlpHttpExporter {
    static final int TIMEOUT_MILLIS = 10_000;

    private final OtlpConfig config;
    /** {@code metrics} or {@code traces}: the path's last segment, and the word the warnings use. */
    private final String signal;
    private final String url;

    /**
     * Makes no {@code java.net.URL} here: that would load the JDK's http handler, which the agent weaves, on the
     * config thread that the weaver is waiting for.
     */
    private OtlpHttpExporter(OtlpConfig config, String signal) {
        this.config = config;
        this.signal = signal;
        String base = config.endpoint();
        this.url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/" + signal;
    }

    static OtlpHttpExporter metrics(OtlpConfig config) {
        return new OtlpHttpExporter(config, "metrics");
    }

    static OtlpHttpExporter traces(OtlpConfig config) {
        return new OtlpHttpExporter(config, "traces");
    }

    OtlpConfig config() {
        return config;
    }

    void export(Collection<MetricData> metrics, int timeoutMillis) {
        if (!metrics.isEmpty()) {
            send(MetricsRequestMarshaler.create(metrics), timeoutMillis);
        }
    }

    /** Sends the spans; false when they did not reach the collector (the caller counts them as dropped). */
    boolean exportSpans(Collection<SpanData> spans, int timeoutMillis) {
        return spans.isEmpty() || send(TraceRequestMarshaler.create(spans), timeoutMillis);
    }

    /** One POST of {@code request}; true when the collector accepted it (2xx). */
    private boolean send(Marshaler request, int timeoutMillis) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(4096);
        CallDepth.enter();
        try {
            request.writeBinaryTo(body);
            HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection(Proxy.NO_PROXY);
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setConnectTimeout(timeoutMillis);
            connection.setReadTimeout(timeoutMillis);
            connection.setRequestProperty("Content-Type", "application/x-protobuf");
            connection.setFixedLengthStreamingMode(body.size());
            try (OutputStream out = connection.getOutputStream()) {
                body.writeTo(out);
            }
            int status = connection.getResponseCode();
            drain(status >= 400 ? connection.getErrorStream() : connection.getInputStream());
            if (status >= 300) {
                AgentLog.warnOnce("otlp-" + signal + "-status:" + status, "the OTLP endpoint " + url + " answered "
                        + status + " to a " + signal + " export; trying again at each export");
                return false;
            }
            return true;
        } catch (IOException | RuntimeException e) {
            AgentLog.warnOnce("otlp-" + signal + "-send", "cannot export " + signal + " to " + url + " (" + e
                    + "); trying again at each export");
            return false;
        } finally {
            CallDepth.exit();
        }
    }

    /** Reads the answer to its end so that the JDK can keep the connection alive. */
    private static void drain(InputStream in) throws IOException {
        if (in == null) {
            return;
        }
        try (InputStream body = in) {
            byte[] buffer = new byte[1024];
            while (body.read(buffer) >= 0) {
                // discard
            }
        }
    }
}
