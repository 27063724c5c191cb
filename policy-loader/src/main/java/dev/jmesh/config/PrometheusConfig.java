package dev.jmesh.config;

/** {@code telemetry.metrics.prometheus}: Prometheus text at {@code http://HOST:PORT/metrics}. */
public final class PrometheusConfig extends ConfigValue {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9464;

    private final String host;
    private final int port;

    PrometheusConfig(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** The address to listen on; {@value #DEFAULT_HOST} unless configured. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    @Override
    Object[] fields() {
        return new Object[] {"host", host, "port", port};
    }
}
