package dev.jmesh.config;

import java.util.Objects;

/** The {@code telemetry} section. */
public final class TelemetryConfig {

    static final TelemetryConfig NONE = new TelemetryConfig(null);

    private final AccessLogConfig accessLog;

    TelemetryConfig(AccessLogConfig accessLog) {
        this.accessLog = accessLog;
    }

    /** The access log, or null when none is configured. */
    public AccessLogConfig accessLog() {
        return accessLog;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof TelemetryConfig && Objects.equals(accessLog, ((TelemetryConfig) o).accessLog));
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(accessLog);
    }

    @Override
    public String toString() {
        return "TelemetryConfig{accessLog=" + accessLog + "}";
    }
}
