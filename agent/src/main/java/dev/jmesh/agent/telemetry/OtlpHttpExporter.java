package dev.jmesh.agent.telemetry;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.config.OtlpConfig;
import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.sdk.metrics.data.MetricData;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.util.Collection;

/**
 * OTLP/HTTP metrics export: the SDK's metric data as an OTLP protobuf request (OpenTelemetry's own
 * marshaller), POSTed to {@code <endpoint>/v1/metrics} from the export thread with the JDK's
 * {@code HttpURLConnection}. OpenTelemetry's OTLP exporter would bring OkHttp, Okio and Kotlin (several
 * megabytes) for one POST every few seconds; its JDK sender needs Java 11.
 *
 * <p>The request is the agent's own: it runs inside {@link CallDepth}, so the mesh's own HTTP
 * instrumentation passes it through, unrouted and unrecorded.
 */
final class OtlpHttpExporter {
    static final int TIMEOUT_MILLIS = 10_000;

    private final OtlpConfig config;
    private final String url;

    /**
     * Makes no {@code java.net.URL} here: that would load the JDK's http handler, which the agent weaves, on the
     * config thread that the weaver is waiting for.
     */
    OtlpHttpExporter(OtlpConfig config) {
        this.config = config;
        String base = config.endpoint();
        this.url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/metrics";
    }

    OtlpConfig config() {
        return config;
    }

    void export(Collection<MetricData> metrics, int timeoutMillis) {
        if (metrics.isEmpty()) {
            return;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(4096);
        CallDepth.enter();
        try {
            MetricsRequestMarshaler.create(metrics).writeBinaryTo(body);
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
                AgentLog.warnOnce("otlp-metrics-status:" + status, "the OTLP endpoint " + url + " answered "
                        + status + " to a metrics export; trying again at each export");
            }
        } catch (IOException | RuntimeException e) {
            AgentLog.warnOnce("otlp-metrics-send", "cannot export metrics to " + url + " (" + e
                    + "); trying again at each export");
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
