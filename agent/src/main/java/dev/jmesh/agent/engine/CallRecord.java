package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;

/**
 * Everything that happened in one logical call, filled in as the call runs and handed to the
 * telemetry sinks once it ends. One record per logical call, however many attempts it took.
 */
public final class CallRecord {
    public static final String DIRECTION_OUTBOUND = "outbound";
    public static final String DIRECTION_INBOUND = "inbound";

    private final OutboundCall call;
    private final String direction;
    private final String caller;
    private final long startEpochMillis;
    private final long startNanos;
    private final TraceContext trace;
    private String service;
    private String route;
    private int attempts;
    private String upstream;
    private int status = -1;
    private Throwable failure;
    private final ResponseFlags flags = new ResponseFlags();
    private long durationNanos;

    CallRecord(OutboundCall call, String caller) {
        this(call, caller, DIRECTION_OUTBOUND);
    }

    CallRecord(OutboundCall call, String caller, String direction) {
        this.call = call;
        this.direction = direction;
        this.caller = caller;
        this.startEpochMillis = System.currentTimeMillis();
        this.startNanos = System.nanoTime();
        this.trace = TraceContext.of(call.headers());
    }

    void service(String name) {
        this.service = name;
    }

    void route(String label) {
        this.route = label;
    }

    synchronized void attemptStarted(String endpoint) {
        attempts++;
        upstream = endpoint;
    }

    synchronized void outcome(int statusCode, Throwable error) {
        this.status = statusCode;
        this.failure = error;
    }

    ResponseFlags flags() {
        return flags;
    }

    void finish() {
        durationNanos = System.nanoTime() - startNanos;
    }

    public OutboundCall call() { return call; }
    public String caller() { return caller; }
    public long startEpochMillis() { return startEpochMillis; }
    public String traceId() { return trace.traceId(); }

    TraceContext trace() { return trace; }
    public String direction() { return direction; }
    public String service() { return service; }
    /** The route that took the call (its name, or routes[i]), or null. */
    public String route() { return route; }
    public synchronized int attempts() { return attempts; }
    public synchronized String upstream() { return upstream; }
    /** The status code of the response the application got, or -1 when it got an exception. */
    public synchronized int status() { return status; }
    public synchronized Throwable failure() { return failure; }
    public String flagsText() { return flags.toString(); }
    public long durationNanos() { return durationNanos; }
}
