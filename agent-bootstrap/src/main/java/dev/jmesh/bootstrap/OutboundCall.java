package dev.jmesh.bootstrap;

/**
 * A protocol-neutral description of one logical outbound call, as an instrumentation sees it before
 * anything leaves the JVM. Immutable.
 */
public final class OutboundCall {
    private final String protocol;
    private final String scheme;
    private final String host;
    private final int port;
    private final String method;
    private final String path;
    private final boolean replayable;
    private final RequestHeaders headers;
    private final String caller;

    /**
     * @param port       the port the application asked for, or -1 for the scheme's default
     * @param path       the path without query string
     * @param replayable whether the request (including its body) can be sent again on a retry
     */
    public OutboundCall(String protocol, String scheme, String host, int port, String method, String path,
                        boolean replayable) {
        this(protocol, scheme, host, port, method, path, replayable, RequestHeaders.NONE);
    }

    /** @param headers the application's request headers, for protocols that have them */
    public OutboundCall(String protocol, String scheme, String host, int port, String method, String path,
                        boolean replayable, RequestHeaders headers) {
        this(protocol, scheme, host, port, method, path, replayable, headers, null);
    }

    private OutboundCall(String protocol, String scheme, String host, int port, String method, String path,
                         boolean replayable, RequestHeaders headers, String caller) {
        this.protocol = protocol;
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.method = method;
        this.path = path;
        this.replayable = replayable;
        this.headers = headers;
        this.caller = caller;
    }

    /** This call with its calling frame already known (see {@link CallSite}); null leaves it to the engine. */
    public OutboundCall withCaller(String callingFrame) {
        return new OutboundCall(protocol, scheme, host, port, method, path, replayable, headers, callingFrame);
    }

    public String protocol() { return protocol; }
    public String scheme() { return scheme; }
    public String host() { return host; }
    public int port() { return port; }
    public String method() { return method; }
    public String path() { return path; }
    public boolean replayable() { return replayable; }
    public RequestHeaders headers() { return headers; }
    /** The calling application frame when the instrumentation captured it, else null. */
    public String caller() { return caller; }

    /** host[:port] as the application addressed it. */
    public String authority() {
        return port < 0 ? host : host + ":" + port;
    }

    @Override
    public String toString() {
        return method + " " + scheme + "://" + authority() + path;
    }
}
