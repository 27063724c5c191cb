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
    private final Database database;
    private final String query;
    private final long bodyBytes;
    private final long timeoutMillis;

    /**
     * What a database call adds to the neutral description (protocol {@code jdbc}), named as OpenTelemetry's
     * database conventions name them. For such a call {@link #scheme()} is {@code db.system} (e.g.
     * {@code postgresql}), {@link #method()} is {@code db.operation.name} (the SQL verb, or CONNECT, COMMIT,
     * ROLLBACK) and host/port are the database server's. Immutable.
     */
    public static final class Database {
        private final String namespace;
        private final String collection;
        private final String statement;

        /**
         * @param namespace  {@code db.namespace}: the database name, or null
         * @param collection {@code db.collection.name}: the main table the statement touches, or null
         * @param statement  the statement with every literal replaced by {@code ?}, or null; never values
         */
        public Database(String namespace, String collection, String statement) {
            this.namespace = namespace;
            this.collection = collection;
            this.statement = statement;
        }

        public String namespace() { return namespace; }
        public String collection() { return collection; }
        public String statement() { return statement; }
    }

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
        this(protocol, scheme, host, port, method, path, replayable, headers, null, null, null, 0, 0);
    }

    private OutboundCall(String protocol, String scheme, String host, int port, String method, String path,
                         boolean replayable, RequestHeaders headers, String caller, Database database, String query,
                         long bodyBytes, long timeoutMillis) {
        this.protocol = protocol;
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.method = method;
        this.path = path;
        this.replayable = replayable;
        this.headers = headers;
        this.caller = caller;
        this.database = database;
        this.query = query;
        this.bodyBytes = bodyBytes;
        this.timeoutMillis = timeoutMillis;
    }

    /** This call with its calling frame already known (see {@link CallSite}); null leaves it to the engine. */
    public OutboundCall withCaller(String callingFrame) {
        return new OutboundCall(protocol, scheme, host, port, method, path, replayable, headers, callingFrame,
                database, query, bodyBytes, timeoutMillis);
    }

    /** This call described as a database call (see {@link Database}). */
    public OutboundCall withDatabase(Database details) {
        return new OutboundCall(protocol, scheme, host, port, method, path, replayable, headers, caller, details,
                query, bodyBytes, timeoutMillis);
    }

    /**
     * This call with the query string of its request target (raw, without '?'), for routes that match on query
     * parameters. Only matching reads it: it never reaches a log, a metric or a span (it may carry secrets).
     */
    public OutboundCall withQuery(String rawQuery) {
        return rawQuery == null ? this : new OutboundCall(protocol, scheme, host, port, method, path, replayable,
                headers, caller, database, rawQuery, bodyBytes, timeoutMillis);
    }

    /**
     * This call with the size of its request body: the engine replays a body on a retry only up to the retry
     * policy's {@code maxReplayBodyBytes}. {@code bytes} is -1 when the size cannot be known before sending (a
     * stream); such a call is never retried.
     */
    public OutboundCall withBodyBytes(long bytes) {
        return new OutboundCall(protocol, scheme, host, port, method, path, replayable, headers, caller, database,
                query, bytes, timeoutMillis);
    }

    /**
     * This call with the timeout the application gave the whole request (e.g. {@code HttpRequest.timeout()}): the
     * engine ends the call, retries included, at the tighter of it and the service's {@code timeout}.
     */
    public OutboundCall withTimeoutMillis(long millis) {
        return new OutboundCall(protocol, scheme, host, port, method, path, replayable, headers, caller, database,
                query, bodyBytes, millis);
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
    /** The raw query string (without '?'), or null when there is none; never for telemetry. */
    public String query() { return query; }
    /** The size of the request body in bytes: 0 for none (or not told), -1 when unknown; see {@link #withBodyBytes}. */
    public long bodyBytes() { return bodyBytes; }
    /** The application's own timeout for the whole call in milliseconds, 0 for none; see {@link #withTimeoutMillis}. */
    public long timeoutMillis() { return timeoutMillis; }
    /** The database details of a {@code jdbc} call, else null. */
    public Database database() { return database; }

    /** host[:port] as the application addressed it. */
    public String authority() {
        return port < 0 ? host : host + ":" + port;
    }

    @Override
    public String toString() {
        return method + " " + scheme + "://" + authority() + path;
    }
}
