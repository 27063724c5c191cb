package dev.jmesh.bootstrap;

/**
 * A protocol-neutral description of one request this application received, as a server
 * instrumentation (the JDK {@code HttpServer}, a servlet container) sees it before the application's
 * handler runs. Immutable.
 */
public final class InboundCall {
    private final String protocol;
    private final String scheme;
    private final String host;
    private final int port;
    private final String method;
    private final String path;
    private final RequestHeaders headers;

    /**
     * @param host    the host the client addressed (the {@code Host} header without port), or null
     * @param port    the port the client addressed, or -1 when it did not say
     * @param path    the path without query string
     * @param headers the request's headers, where trace context and route conditions are read
     */
    public InboundCall(String protocol, String scheme, String host, int port, String method, String path,
                       RequestHeaders headers) {
        this.protocol = protocol;
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.method = method;
        this.path = path;
        this.headers = headers == null ? RequestHeaders.NONE : headers;
    }

    public String protocol() { return protocol; }
    public String scheme() { return scheme; }
    public String host() { return host; }
    public int port() { return port; }
    public String method() { return method; }
    public String path() { return path; }
    public RequestHeaders headers() { return headers; }

    @Override
    public String toString() {
        return "inbound " + method + " " + path;
    }
}
