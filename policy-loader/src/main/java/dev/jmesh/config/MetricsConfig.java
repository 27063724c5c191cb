package dev.jmesh.config;

/** {@code telemetry.metrics}: where metrics go; each sink is off (null) unless configured. */
public final class MetricsConfig extends ConfigValue {

    static final MetricsConfig NONE = new MetricsConfig(null, null, null);

    private final PrometheusConfig prometheus;
    private final StatsdConfig statsd;
    private final OtlpConfig otlp;

    MetricsConfig(PrometheusConfig prometheus, StatsdConfig statsd, OtlpConfig otlp) {
        this.prometheus = prometheus;
        this.statsd = statsd;
        this.otlp = otlp;
    }

    public PrometheusConfig prometheus() {
        return prometheus;
    }

    public StatsdConfig statsd() {
        return statsd;
    }

    public OtlpConfig otlp() {
        return otlp;
    }

    @Override
    Object[] fields() {
        return new Object[] {"prometheus", prometheus, "statsd", statsd, "otlp", otlp};
    }
}
