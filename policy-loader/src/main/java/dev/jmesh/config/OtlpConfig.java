package dev.jmesh.config;

/** An OTLP/HTTP exporter ({@code telemetry.metrics.otlp}, {@code telemetry.tracing.otlp}). */
public final class OtlpConfig extends ConfigValue {

    public static final String DEFAULT_ENDPOINT = "http://127.0.0.1:4318";

    private final String endpoint;

    OtlpConfig(String endpoint) {
        this.endpoint = endpoint;
    }

    /** The collector's base URL ({@value #DEFAULT_ENDPOINT} unless configured); the signal's path is added. */
    public String endpoint() {
        return endpoint;
    }

    @Override
    Object[] fields() {
        return new Object[] {"endpoint", endpoint};
    }
}
