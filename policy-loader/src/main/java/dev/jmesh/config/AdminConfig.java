package dev.jmesh.config;

/**
 * {@code telemetry.admin}: the admin endpoint ({@code /healthz}, {@code /config}, {@code /clusters}). When
 * it has the same host and port as {@code telemetry.metrics.prometheus}, one server serves both.
 */
public final class AdminConfig extends ConfigValue {

    public static final String DEFAULT_HOST = "127.0.0.1";

    private final String host;
    private final int port;

    AdminConfig(String host, int port) {
        this.host = host;
        this.port = port;
    }

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
