package dev.jmesh.config;

import java.util.Objects;

/** The {@code telemetry} section. */
public final class TelemetryConfig {

    static final TelemetryConfig NONE = new TelemetryConfig(null);

    private final AccessLogConfig accessLog;
    private final MetricsConfig metrics;
    private final TracingConfig tracing;
    private final AdminConfig admin;

    TelemetryConfig(AccessLogConfig accessLog) {
        this(accessLog, MetricsConfig.NONE, TracingConfig.DEFAULT, null);
    }

    TelemetryConfig(AccessLogConfig accessLog, MetricsConfig metrics, TracingConfig tracing, AdminConfig admin) {
        this.accessLog = accessLog;
        this.metrics = metrics;
        this.tracing = tracing;
        this.admin = admin;
    }

    /** The access log, or null when none is configured. */
    public AccessLogConfig accessLog() {
        return accessLog;
    }

    /** Never null; each sink is null unless configured. */
    public MetricsConfig metrics() {
        return metrics;
    }

    /** Never null: the defaults unless configured. */
    public TracingConfig tracing() {
        return tracing;
    }

    /** The admin endpoint, or null when none is configured. */
    public AdminConfig admin() {
        return admin;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TelemetryConfig)) {
            return false;
        }
        TelemetryConfig t = (TelemetryConfig) o;
        return Objects.equals(accessLog, t.accessLog) && metrics.equals(t.metrics) && tracing.equals(t.tracing)
                && Objects.equals(admin, t.admin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(accessLog, metrics, tracing, admin);
    }

    @Override
    public String toString() {
        return "TelemetryConfig{accessLog=" + accessLog
                + (metrics.equals(MetricsConfig.NONE) ? "" : ", metrics=" + metrics)
                + (tracing.equals(TracingConfig.DEFAULT) ? "" : ", tracing=" + tracing)
                + (admin == null ? "" : ", admin=" + admin) + "}";
    }
}
