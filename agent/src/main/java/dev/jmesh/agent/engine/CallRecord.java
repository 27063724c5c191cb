package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Everything that happened in one logical call, filled in as the call runs and handed to the
 * telemetry sinks once it ends. One record per logical call, however many attempts it took.
 */
public final class CallRecord {
    public static final String DIRECTION_OUTBOUND = "outbound";

    private final OutboundCall call;
    private final String caller;
    private final long startEpochMillis;
    private final long startNanos;
    private final String traceId;
    private String service;
    private int attempts;
    private String upstream;
    private int status = -1;
    private Throwable failure;
    private final ResponseFlags flags = new ResponseFlags();
    private long durationNanos;

    CallRecord(OutboundCall call, String caller) {
        this.call = call;
        this.caller = caller;
        this.startEpochMillis = System.currentTimeMillis();
        this.startNanos = System.nanoTime();
        this.traceId = newTraceId();
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** 32 lower-case hex digits, as a W3C trace id. */
    private static String newTraceId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] id = new char[32];
        hex(random.nextLong(), id, 0);
        hex(random.nextLong(), id, 16);
        return new String(id);
    }

    private static void hex(long value, char[] into, int offset) {
        for (int i = 15; i >= 0; i--) {
            into[offset + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }

    void service(String name) {
        this.service = name;
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
    public String traceId() { return traceId; }
    public String direction() { return DIRECTION_OUTBOUND; }
    public String service() { return service; }
    public synchronized int attempts() { return attempts; }
    public synchronized String upstream() { return upstream; }
    /** The status code of the response the application got, or -1 when it got an exception. */
    public synchronized int status() { return status; }
    public synchronized Throwable failure() { return failure; }
    public String flagsText() { return flags.toString(); }
    public long durationNanos() { return durationNanos; }
}
