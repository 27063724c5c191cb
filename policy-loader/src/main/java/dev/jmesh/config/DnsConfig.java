package dev.jmesh.config;

import java.time.Duration;

/**
 * Discovery by DNS ({@code services.<name>.dns}): every A/AAAA record of {@link #host()} is an endpoint on
 * {@link #port()}, re-resolved every {@link #refreshInterval()} (Envoy: a STRICT_DNS cluster and its
 * {@code dns_refresh_rate}).
 */
public final class DnsConfig extends ConfigValue {

    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(30);

    private final Endpoint address;
    private final Duration refreshInterval;

    DnsConfig(Endpoint address, Duration refreshInterval) {
        this.address = address;
        this.refreshInterval = refreshInterval;
    }

    /** The name to resolve and the port, as one endpoint ({@code inventory.internal:8080}). */
    public Endpoint address() {
        return address;
    }

    public String host() {
        return address.host();
    }

    public int port() {
        return address.port();
    }

    public Duration refreshInterval() {
        return refreshInterval;
    }

    @Override
    Object[] fields() {
        return new Object[] {"address", address, "refreshInterval", refreshInterval};
    }
}
