package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.Exchange;
import dev.jmesh.bootstrap.OutboundCall;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Everything that happened in one logical call, filled in as the call runs and handed to the
 * telemetry sinks once it ends. One record per logical call, however many attempts it took.
 *
 * <p>An inbound request (one the application's server received) is a record too, with
 * {@link #direction()} {@value #DIRECTION_INBOUND}: {@link #call()} then describes the request received
 * (host and port: what the client addressed), {@link #service()} is this application's own service name,
 * {@link #attempts()} is 1 when the application handled it and 0 when the mesh answered for it.
 */
public final class CallRecord {
    public static final String DIRECTION_OUTBOUND = "outbound";
    public static final String DIRECTION_INBOUND = "inbound";

    private final boolean inbound;
    private final OutboundCall call;
    private final String caller;
    private final long startEpochMillis;
    private final long startNanos;
    private final TraceContext trace;
    private final Propagation propagation;
    private String localService;
    private String service;
    private String route;
    // attempts and status are shorts (a status code, a count of attempts), so that the record stays at 96 bytes
    private short attempts;
    private String upstream;
    /** Every endpoint the attempts went to, in order, comma-separated, once there was a second attempt; else null. */
    private String endpointsTried;
    private short status = -1;
    private Throwable failure;
    /** Envoy's response flags ({@link ResponseFlags}), comma-separated; null until the first (most calls have none). */
    private String flags;
    private long durationNanos;
    /** This call's spans are exported (telemetry.tracing.otlp, sampled trace): its attempts are kept as spans. */
    private final boolean keepsAttemptSpans;
    /** The attempts that carried trace headers, when {@link #keepsAttemptSpans}; else null. */
    private List<AttemptSpan> attemptSpans;
    /** For an RPC-style call (protocol {@code aws}) only; else null, so that HTTP calls do not carry its fields. */
    private Rpc rpc;

    /** What an RPC-style call adds: rpc.system, rpc.service, rpc.method and the server's request id. */
    private static final class Rpc {
        String system;
        String service;
        String method;
        String requestId;
    }

    /** An outbound call with the default propagation and no inbound request around it (tests). */
    CallRecord(OutboundCall call, String caller) {
        this(call, caller, Propagation.DEFAULT, null);
    }

    /** An outbound call; {@code serving} is the server span of the inbound request this thread serves, or null. */
    CallRecord(OutboundCall call, String caller, Propagation propagation, TraceContext serving) {
        this(false, call, caller, propagation, propagation.clientSpan(call.headers(), serving));
    }

    private CallRecord(boolean inbound, OutboundCall call, String caller, Propagation propagation,
                       TraceContext trace) {
        this.inbound = inbound;
        this.call = call;
        this.caller = caller;
        this.startEpochMillis = System.currentTimeMillis();
        this.startNanos = System.nanoTime();
        this.propagation = propagation;
        this.trace = trace;
        this.keepsAttemptSpans = trace.sampled && propagation.exportsSpans();
    }

    /** An inbound request, described as {@code request}, in the server span {@code trace}. */
    static CallRecord inbound(OutboundCall request, Propagation propagation, TraceContext trace) {
        return new CallRecord(true, request, null, propagation, trace);
    }

    void localService(String name) {
        this.localService = name;
    }

    void service(String name) {
        this.service = name;
    }

    void route(String label) {
        this.route = label;
    }

    synchronized void attemptStarted(String endpoint) {
        attempts = (short) Math.min(Short.MAX_VALUE, attempts + 1);
        if (upstream != null && endpoint != null) {
            endpointsTried = (endpointsTried == null ? upstream : endpointsTried) + "," + endpoint;
        }
        upstream = endpoint;
    }

    /** {@code count} requests sent to {@code endpoint} (null: keep the last known) by a library's own retries. */
    synchronized void attemptsMade(int count, String endpoint) {
        attempts = (short) Math.min(Short.MAX_VALUE, attempts + count);
        if (endpoint != null) {
            upstream = endpoint;
        }
    }

    synchronized void rpc(String system, String service, String method) {
        Rpc details = rpcDetails();
        details.system = system;
        details.service = service;
        details.method = method;
    }

    synchronized void requestId(String id) {
        rpcDetails().requestId = id;
    }

    private Rpc rpcDetails() {
        if (rpc == null) {
            rpc = new Rpc();
        }
        return rpc;
    }

    synchronized void outcome(int statusCode, Throwable error) {
        this.status = (short) Math.max(-1, Math.min(Short.MAX_VALUE, statusCode));
        this.failure = error;
    }

    synchronized void flag(String flag) {
        flags = flags == null ? flag : flags + "," + flag;
    }

    void finish() {
        durationNanos = System.nanoTime() - startNanos;
    }

    public OutboundCall call() { return call; }
    public String caller() { return caller; }
    public long startEpochMillis() { return startEpochMillis; }
    public String traceId() { return trace.traceId(); }

    /** The span id of this call (client span) or request (server span), 16 hex digits. */
    public String spanId() { return trace.spanIdHex(); }
    /** The parent span id, or null when this call started the trace. */
    public String parentSpanId() { return trace.parentSpanIdHex(); }
    /** The trace's sampling decision (telemetry.tracing.sampling, or the caller's). */
    public boolean sampled() { return trace.sampled; }

    TraceContext trace() { return trace; }

    /**
     * The trace headers for one attempt of this call (null when none are to be added), under a new span id that
     * is kept as an {@link AttemptSpan} when this call's spans are exported.
     */
    String[] attemptHeaders() {
        long span = TraceContext.randomSpanId();
        if (keepsAttemptSpans) {
            synchronized (this) {
                if (attemptSpans == null) {
                    attemptSpans = new ArrayList<AttemptSpan>(2);
                }
                attemptSpans.add(new AttemptSpan(span, attempts, upstream, epochNanos(System.nanoTime())));
            }
        }
        return propagation.attemptHeaders(trace, call.headers(), span);
    }

    /** Ends the latest attempt span (if spans are kept) with the response the attempt got. */
    <R> void attemptEnded(R response, Exchange<R> exchange) {
        if (!keepsAttemptSpans) {
            return;
        }
        AttemptSpan last = lastAttemptSpan();
        if (last != null) {
            int status;
            try {
                status = exchange.statusOf(response);
            } catch (RuntimeException e) {
                status = -1; // a span detail must never fail the call
            }
            last.end(epochNanos(System.nanoTime()), status, null);
        }
    }

    /** Ends the latest attempt span (if spans are kept) with the failure the attempt got. */
    void attemptFailed(Throwable failure) {
        if (!keepsAttemptSpans) {
            return;
        }
        AttemptSpan last = lastAttemptSpan();
        if (last != null) {
            last.end(epochNanos(System.nanoTime()), -1, failure);
        }
    }

    /** Whether attempts are kept as spans (then their ends are worth observing). */
    boolean keepsAttemptSpans() {
        return keepsAttemptSpans;
    }

    private synchronized AttemptSpan lastAttemptSpan() {
        return attemptSpans == null ? null : attemptSpans.get(attemptSpans.size() - 1);
    }

    /** The attempts of this call as child spans, in order; empty unless this call's spans are exported. */
    public synchronized List<AttemptSpan> attemptSpans() {
        return attemptSpans == null ? Collections.<AttemptSpan>emptyList()
                : new ArrayList<AttemptSpan>(attemptSpans);
    }

    /** Wall-clock time in nanoseconds of a {@link System#nanoTime()} reading taken during this call. */
    private long epochNanos(long nanoTime) {
        return startEpochMillis * 1_000_000L + (nanoTime - startNanos);
    }

    /** When the call started, in nanoseconds since the epoch (millisecond precision). */
    public long startEpochNanos() {
        return startEpochMillis * 1_000_000L;
    }

    /** {@value #DIRECTION_OUTBOUND} or {@value #DIRECTION_INBOUND}. */
    public String direction() { return inbound ? DIRECTION_INBOUND : DIRECTION_OUTBOUND; }
    /** This application's own service name (config {@code service}), or null. */
    public String localService() { return localService; }
    /** Outbound: the upstream service, or null for a host outside the mesh. Inbound: this application's service. */
    public String service() { return service; }
    /** The route that took the call (its name, or routes[i]), or null. */
    public String route() { return route; }
    public synchronized int attempts() { return attempts; }
    /** The endpoint of the last attempt, or null when none was made. */
    public synchronized String upstream() { return upstream; }
    /** The endpoint of every attempt, in order, comma-separated (as {@link #upstream()} for one attempt); null for none. */
    public synchronized String endpointsTried() { return endpointsTried != null ? endpointsTried : upstream; }
    /** The status code of the response the application got, or -1 when it got an exception. */
    public synchronized int status() { return status; }
    public synchronized Throwable failure() { return failure; }
    /** The response flags, comma-separated, or "-" when there are none (as Envoy prints it). */
    public synchronized String flagsText() { return flags == null ? "-" : flags; }
    /** {@code rpc.system} of an RPC-style call ({@code aws-api}), else null. */
    public synchronized String rpcSystem() { return rpc == null ? null : rpc.system; }
    /** {@code rpc.service} of an RPC-style call ({@code S3}), else null. */
    public synchronized String rpcService() { return rpc == null ? null : rpc.service; }
    /** {@code rpc.method} of an RPC-style call ({@code GetObject}), else null. */
    public synchronized String rpcMethod() { return rpc == null ? null : rpc.method; }
    /** The request id the server gave the call's last answer (AWS: x-amz-request-id), or null. */
    public synchronized String requestId() { return rpc == null ? null : rpc.requestId; }
    public long durationNanos() { return durationNanos; }
}
