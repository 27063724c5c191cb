package dev.jmesh.agent.engine;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The trace context of one span: a logical outbound call (client span), an inbound request (server span),
 * or a context read from a request (the remote parent). Ids are kept as numbers and written as hex only
 * where a header or the access log needs them, so that a call allocates little. Immutable.
 *
 * <p>What crosses hops unchanged: the trace id, the sampled flag, W3C {@code tracestate} and
 * {@code baggage} (passed through as received). See {@link Propagation} for the formats.
 */
final class TraceContext {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    final long traceIdHigh;
    final long traceIdLow;
    /** This span's id; for a context read from a request, the sender's span id. */
    final long spanId;
    /** The parent span's id, or 0 for a root span. */
    final long parentSpanId;
    final boolean sampled;
    /** W3C {@code tracestate} as received, or null. */
    final String traceState;
    /** W3C {@code baggage} as received, or null. */
    final String baggage;
    private String traceIdHex;

    TraceContext(long traceIdHigh, long traceIdLow, long spanId, long parentSpanId, boolean sampled,
                 String traceState, String baggage) {
        this.traceIdHigh = traceIdHigh;
        this.traceIdLow = traceIdLow;
        this.spanId = spanId;
        this.parentSpanId = parentSpanId;
        this.sampled = sampled;
        this.traceState = traceState;
        this.baggage = baggage;
    }

    /** A span that is a child of this one: same trace, flags and pass-through state, a new span id. */
    TraceContext child() {
        return new TraceContext(traceIdHigh, traceIdLow, randomSpanId(), spanId, sampled, traceState, baggage);
    }

    /** This context with baggage set (baggage may travel without a trace context). */
    TraceContext withBaggage(String value) {
        return new TraceContext(traceIdHigh, traceIdLow, spanId, parentSpanId, sampled, traceState, value);
    }

    /** 32 lower-case hex digits, as W3C writes it. */
    String traceId() {
        String hex = traceIdHex;
        if (hex == null) {
            char[] out = new char[32];
            hex(traceIdHigh, out, 0);
            hex(traceIdLow, out, 16);
            hex = new String(out);
            traceIdHex = hex;
        }
        return hex;
    }

    String spanIdHex() {
        return hex16(spanId);
    }

    /** The parent span id in hex, or null for a root span. */
    String parentSpanIdHex() {
        return parentSpanId == 0 ? null : hex16(parentSpanId);
    }

    static long randomSpanId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return id;
    }

    static String hex16(long value) {
        char[] out = new char[16];
        hex(value, out, 0);
        return new String(out);
    }

    /** Writes {@code value} as 16 hex digits into {@code out} at {@code at}. */
    static void hex(long value, char[] out, int at) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }

    /** Copies {@code s} into {@code out} at {@code at}; returns the position after it. */
    static int put(String s, char[] out, int at) {
        s.getChars(0, s.length(), out, at);
        return at + s.length();
    }

    @Override
    public String toString() {
        return traceId() + "-" + spanIdHex() + (sampled ? "-01" : "-00");
    }
}
