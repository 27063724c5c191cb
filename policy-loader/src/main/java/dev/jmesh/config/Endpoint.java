package dev.jmesh.config;

/**
 * One upstream address. {@link #host()} is a host name or an IP address (IPv6 without brackets);
 * {@link #toString()} is {@code host:port}, with brackets around IPv6 addresses ({@code [::1]:8080}).
 */
public final class Endpoint {

    private final String host;
    private final int port;

    public Endpoint(String host, int port) {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host is required");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
        }
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
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Endpoint)) {
            return false;
        }
        Endpoint e = (Endpoint) o;
        return port == e.port && host.equals(e.host);
    }

    @Override
    public int hashCode() {
        return host.hashCode() * 31 + port;
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
