package dev.jmesh.config;

/**
 * One upstream address with its load-balancing weight. {@link #host()} is a host name or an IP address
 * (IPv6 without brackets); {@link #toString()} is {@code host:port}, with brackets around IPv6 addresses
 * ({@code [::1]:8080}), and never shows the weight (it is what the access log's {@code upstream} shows).
 */
public final class Endpoint {

    public static final int DEFAULT_WEIGHT = 1;
    public static final int MAX_WEIGHT = 10000;

    private final String host;
    private final int port;
    private final int weight;

    public Endpoint(String host, int port) {
        this(host, port, DEFAULT_WEIGHT);
    }

    public Endpoint(String host, int port, int weight) {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host is required");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
        }
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be between 1 and " + MAX_WEIGHT + ", got " + weight);
        }
        this.host = host;
        this.port = port;
        this.weight = weight;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Relative share of the calls ({@value #DEFAULT_WEIGHT} unless written as {@code { address, weight }}). */
    public int weight() {
        return weight;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Endpoint)) {
            return false;
        }
        Endpoint e = (Endpoint) o;
        return port == e.port && weight == e.weight && host.equals(e.host);
    }

    @Override
    public int hashCode() {
        return (host.hashCode() * 31 + port) * 31 + weight;
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
