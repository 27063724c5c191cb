package dev.jmesh.config;

/** {@code telemetry.metrics.statsd}: metrics sent over UDP in StatsD (or DogStatsD, with tags) lines. */
public final class StatsdConfig extends ConfigValue {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8125;

    private final String host;
    private final int port;
    private final boolean dogstatsd;

    StatsdConfig(String host, int port, boolean dogstatsd) {
        this.host = host;
        this.port = port;
        this.dogstatsd = dogstatsd;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Whether to write DogStatsD tags ({@code |#key:value}). */
    public boolean dogstatsd() {
        return dogstatsd;
    }

    @Override
    Object[] fields() {
        return new Object[] {"host", host, "port", port, "dogstatsd", dogstatsd};
    }
}
