package dev.jmesh.agent.engine;

/**
 * One attempt of an outbound HTTP call that carried trace headers: a child span of the call's span, with the
 * span id the attempt's headers named as the parent of whatever served it. Kept only when the call's spans are
 * exported ({@code telemetry.tracing.otlp}, sampled trace). Filled by the thread that makes the attempt; read
 * by the span exporter after the call's record was handed over.
 */
public final class AttemptSpan {
    private final long spanId;
    private final int number;
    private final String upstream;
    private final long startEpochNanos;
    private volatile long endEpochNanos;
    private volatile int status = -1;
    private volatile Throwable failure;

    AttemptSpan(long spanId, int number, String upstream, long startEpochNanos) {
        this.spanId = spanId;
        this.number = number;
        this.upstream = upstream;
        this.startEpochNanos = startEpochNanos;
    }

    void end(long epochNanos, int statusCode, Throwable error) {
        this.status = statusCode;
        this.failure = error;
        this.endEpochNanos = epochNanos;
    }

    public String spanId() { return TraceContext.hex16(spanId); }
    /** 1 for the first attempt. */
    public int number() { return number; }
    /** The endpoint tried ({@code host:port}), or null. */
    public String upstream() { return upstream; }
    public long startEpochNanos() { return startEpochNanos; }
    /** 0 while the attempt has not ended (its response head not received, nor a failure). */
    public long endEpochNanos() { return endEpochNanos; }
    /** The response status, or -1 when the attempt failed (or has not ended). */
    public int status() { return status; }
    public Throwable failure() { return failure; }
}
