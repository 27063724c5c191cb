package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.RequestHeaders;
import dev.jmesh.config.Propagator;
import dev.jmesh.config.TracingConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads and writes trace context in the formats of {@code telemetry.tracing.propagators}, and makes the
 * sampling decision of {@code telemetry.tracing.sampling} for traces that start here. Built once per config
 * snapshot; immutable.
 *
 * <ul>
 *   <li>{@code tracecontext}: W3C {@code traceparent: 00-<trace id>-<span id>-<flags>}, and
 *       {@code tracestate}, passed on unchanged.</li>
 *   <li>{@code baggage}: W3C {@code baggage}, passed on unchanged from the inbound request to the calls made
 *       while handling it.</li>
 *   <li>{@code b3}: Zipkin's single header {@code b3: <trace id>-<span id>-<1|0|d>[-<parent span id>]}.</li>
 *   <li>{@code b3multi}: {@code X-B3-TraceId}, {@code X-B3-SpanId}, {@code X-B3-ParentSpanId},
 *       {@code X-B3-Sampled} (and {@code X-B3-Flags: 1}, debug, read as sampled).</li>
 *   <li>{@code xray}: {@code X-Amzn-Trace-Id: Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<span id>;Sampled=<1|0>}.
 *       The Root's 32 hex digits are the W3C trace id, as OpenTelemetry maps them; with {@code xray}
 *       configured, traces that start here take the current time as their first 8 digits, as X-Ray
 *       requires.</li>
 * </ul>
 *
 * <p>Extraction tries the configured formats in the order written; the first valid context wins. A 64-bit
 * B3 trace id is widened with leading zeros. Injection writes every configured format, except a format
 * whose header the application's own request already carries (its own tracing stands).
 */
public final class Propagation {
    static final String TRACEPARENT = "traceparent";
    static final String TRACESTATE = "tracestate";
    static final String BAGGAGE = "baggage";
    static final String B3 = "b3";
    static final String B3_TRACE_ID = "X-B3-TraceId";
    static final String B3_SPAN_ID = "X-B3-SpanId";
    static final String B3_PARENT_SPAN_ID = "X-B3-ParentSpanId";
    static final String B3_SAMPLED = "X-B3-Sampled";
    static final String B3_FLAGS = "X-B3-Flags";
    static final String XRAY = "X-Amzn-Trace-Id";

    static final Propagation DEFAULT = new Propagation(TracingConfig.DEFAULT_PROPAGATORS, TracingConfig.DEFAULT_SAMPLING,
            false);

    private final Propagator[] formats;
    private final boolean baggage;
    private final boolean xrayIds;
    private final double sampling;
    /** Sampled when the trace id's low 63 bits are below this (as OpenTelemetry's ratio sampler). */
    private final long samplingBound;
    /** {@code telemetry.tracing.otlp} is set: sampled calls keep what their spans need. */
    private final boolean exportsSpans;

    Propagation(List<Propagator> propagators, double sampling) {
        this(propagators, sampling, false);
    }

    Propagation(List<Propagator> propagators, double sampling, boolean exportsSpans) {
        List<Propagator> contexts = new ArrayList<Propagator>();
        for (Propagator p : propagators) {
            if (p != Propagator.BAGGAGE) {
                contexts.add(p);
            }
        }
        this.formats = contexts.toArray(new Propagator[0]);
        this.baggage = propagators.contains(Propagator.BAGGAGE);
        this.xrayIds = propagators.contains(Propagator.XRAY);
        this.sampling = sampling;
        this.samplingBound = sampling >= 1 ? Long.MAX_VALUE : (long) (sampling * Long.MAX_VALUE);
        this.exportsSpans = exportsSpans;
    }

    public static Propagation of(TracingConfig config) {
        return new Propagation(config.propagators(), config.sampling(), config.otlp() != null);
    }

    boolean exportsSpans() {
        return exportsSpans;
    }

    // ---------------------------------------------------------------- spans

    /**
     * The server span of an inbound request: a child of the OpenTelemetry agent's span when that agent already
     * serves the request on this thread, else of the caller's context, else a new trace.
     */
    TraceContext serverSpan(RequestHeaders headers) {
        TraceContext otel = OtelAgentContext.current(baggageOf(headers));
        if (otel != null) {
            return otel.child();
        }
        TraceContext remote = extract(headers);
        return remote != null ? remote.child() : root(baggageOf(headers));
    }

    /**
     * The client span of an outbound call: a child of the context the application's request carries (its own
     * tracing), else of the OpenTelemetry agent's current span on this thread, else of the inbound request this
     * thread serves, else a new trace.
     */
    TraceContext clientSpan(RequestHeaders applicationHeaders, TraceContext serving) {
        TraceContext own = extract(applicationHeaders);
        if (own != null) {
            return own.child();
        }
        TraceContext otel = OtelAgentContext.current(serving != null ? serving.baggage : baggageOf(applicationHeaders));
        if (otel != null) {
            return otel.child();
        }
        return serving != null ? serving.child() : root(baggageOf(applicationHeaders));
    }

    private TraceContext root(String baggageValue) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = random.nextLong();
        if (xrayIds) {
            high = (System.currentTimeMillis() / 1000) << 32 | (high & 0xFFFFFFFFL);
        }
        long low;
        do {
            low = random.nextLong();
        } while (low == 0 && high == 0);
        return new TraceContext(high, low, TraceContext.randomSpanId(), 0, sample(low), null, baggageValue);
    }

    private boolean sample(long traceIdLow) {
        if (sampling >= 1) {
            return true;
        }
        return sampling > 0 && (traceIdLow & Long.MAX_VALUE) < samplingBound;
    }

    // ---------------------------------------------------------------- extract

    /** The context a request carries in the first configured format that has a valid one, or null. */
    TraceContext extract(RequestHeaders headers) {
        for (Propagator format : formats) {
            TraceContext found;
            switch (format) {
                case TRACECONTEXT: found = traceparent(headers.get(TRACEPARENT), headers); break;
                case B3: found = b3Single(headers.get(B3), headers); break;
                case B3MULTI: found = b3Multi(headers); break;
                case XRAY: found = xray(headers.get(XRAY), headers); break;
                default: found = null;
            }
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private String baggageOf(RequestHeaders headers) {
        return baggage ? headers.get(BAGGAGE) : null;
    }

    /** {@code 00-<32 hex>-<16 hex>-<2 hex>}; a later version may append fields after a '-'. */
    private TraceContext traceparent(String value, RequestHeaders headers) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (v.length() < 55 || v.charAt(2) != '-' || v.charAt(35) != '-' || v.charAt(52) != '-'
                || !isLowerHex(v, 0, 2) || v.startsWith("ff") || (v.startsWith("00") && v.length() != 55)
                || (v.length() > 55 && v.charAt(55) != '-')
                || !isLowerHex(v, 3, 35) || !isLowerHex(v, 36, 52) || !isLowerHex(v, 53, 55)) {
            return null;
        }
        long high = parseHex(v, 3, 19);
        long low = parseHex(v, 19, 35);
        long span = parseHex(v, 36, 52);
        if ((high == 0 && low == 0) || span == 0) {
            return null;
        }
        boolean sampled = (hexValue(v.charAt(54)) & 1) == 1;
        return new TraceContext(high, low, span, 0, sampled, headers.get(TRACESTATE), baggageOf(headers));
    }

    /** {@code <16|32 hex>-<16 hex>[-<1|0|d>[-<16 hex>]]}; a sampling-only value carries no context. */
    private TraceContext b3Single(String value, RequestHeaders headers) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        int first = v.indexOf('-');
        if (first != 16 && first != 32) {
            return null;
        }
        int spanEnd = first + 17;
        if (v.length() < spanEnd || (v.length() > spanEnd && v.charAt(spanEnd) != '-')) {
            return null;
        }
        Boolean sampled = null;
        if (v.length() > spanEnd) {
            int flagEnd = v.indexOf('-', spanEnd + 1);
            String flag = v.substring(spanEnd + 1, flagEnd < 0 ? v.length() : flagEnd);
            sampled = b3Sampled(flag, false);
            if (sampled == null) {
                return null;
            }
            if (flagEnd >= 0 && (v.length() != flagEnd + 17 || !isHex(v, flagEnd + 1, v.length()))) {
                return null;
            }
        }
        return b3Context(v, 0, first, v, first + 1, spanEnd, sampled, headers);
    }

    private TraceContext b3Multi(RequestHeaders headers) {
        String traceId = headers.get(B3_TRACE_ID);
        String spanId = headers.get(B3_SPAN_ID);
        if (traceId == null || spanId == null) {
            return null;
        }
        traceId = traceId.trim();
        spanId = spanId.trim();
        if ((traceId.length() != 16 && traceId.length() != 32) || spanId.length() != 16) {
            return null;
        }
        Boolean sampled = null;
        if ("1".equals(headers.get(B3_FLAGS))) {
            sampled = Boolean.TRUE; // debug implies sampled
        } else {
            String flag = headers.get(B3_SAMPLED);
            if (flag != null) {
                sampled = b3Sampled(flag.trim(), true);
                if (sampled == null) {
                    return null;
                }
            }
        }
        return b3Context(traceId, 0, traceId.length(), spanId, 0, 16, sampled, headers);
    }

    private TraceContext b3Context(String trace, int traceFrom, int traceTo, String span, int spanFrom, int spanTo,
                                   Boolean sampled, RequestHeaders headers) {
        if (!isHex(trace, traceFrom, traceTo) || !isHex(span, spanFrom, spanTo)) {
            return null;
        }
        long high = traceTo - traceFrom == 32 ? parseHex(trace, traceFrom, traceFrom + 16) : 0;
        long low = parseHex(trace, traceTo - 16, traceTo);
        long spanId = parseHex(span, spanFrom, spanTo);
        if ((high == 0 && low == 0) || spanId == 0) {
            return null;
        }
        return new TraceContext(high, low, spanId, 0, sampled != null ? sampled : sample(low), null,
                baggageOf(headers));
    }

    /** 1/0/d (and, in the multi-header form, the legacy true/false); null when invalid. */
    private static Boolean b3Sampled(String flag, boolean legacyWords) {
        if (flag.equals("1") || flag.equals("d") || (legacyWords && flag.equalsIgnoreCase("true"))) {
            return Boolean.TRUE;
        }
        if (flag.equals("0") || (legacyWords && flag.equalsIgnoreCase("false"))) {
            return Boolean.FALSE;
        }
        return null;
    }

    /** {@code Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1}, in any order. */
    private TraceContext xray(String value, RequestHeaders headers) {
        if (value == null) {
            return null;
        }
        long high = 0;
        long low = 0;
        long parent = 0;
        boolean root = false;
        Boolean sampled = null;
        int at = 0;
        int length = value.length();
        while (at < length) {
            int end = value.indexOf(';', at);
            if (end < 0) {
                end = length;
            }
            int from = at;
            int to = end;
            while (from < to && value.charAt(from) == ' ') {
                from++;
            }
            while (to > from && value.charAt(to - 1) == ' ') {
                to--;
            }
            int equals = value.indexOf('=', from);
            if (equals > from && equals < to) {
                int valueFrom = equals + 1;
                int valueLength = to - valueFrom;
                if (value.regionMatches(from, "Root", 0, 4) && equals - from == 4) {
                    // 1-<8 hex>-<24 hex>
                    if (valueLength != 35 || value.charAt(valueFrom) != '1' || value.charAt(valueFrom + 1) != '-'
                            || value.charAt(valueFrom + 10) != '-' || !isHex(value, valueFrom + 2, valueFrom + 10)
                            || !isHex(value, valueFrom + 11, to)) {
                        return null;
                    }
                    high = parseHex(value, valueFrom + 2, valueFrom + 10) << 32
                            | parseHex(value, valueFrom + 11, valueFrom + 19);
                    low = parseHex(value, valueFrom + 19, to);
                    root = true;
                } else if (value.regionMatches(from, "Parent", 0, 6) && equals - from == 6) {
                    if (valueLength != 16 || !isHex(value, valueFrom, to)) {
                        return null;
                    }
                    parent = parseHex(value, valueFrom, to);
                } else if (value.regionMatches(from, "Sampled", 0, 7) && equals - from == 7 && valueLength == 1) {
                    char c = value.charAt(valueFrom);
                    sampled = c == '1' ? Boolean.TRUE : c == '0' ? Boolean.FALSE : null; // '?': not decided
                }
            }
            at = end + 1;
        }
        if (!root || parent == 0 || (high == 0 && low == 0)) {
            return null;
        }
        return new TraceContext(high, low, parent, 0, sampled != null ? sampled : sample(low), null,
                baggageOf(headers));
    }

    // ---------------------------------------------------------------- inject

    /**
     * The headers one attempt of {@code call} carries: a new span id (child of the call's span) in every
     * configured format the application's request does not already carry, plus tracestate and baggage passed
     * on. Null when there is nothing to add.
     */
    String[] attemptHeaders(TraceContext call, RequestHeaders applicationHeaders) {
        return attemptHeaders(call, applicationHeaders, TraceContext.randomSpanId());
    }

    /** As {@link #attemptHeaders(TraceContext, RequestHeaders)}, with the attempt's span id given. */
    String[] attemptHeaders(TraceContext call, RequestHeaders applicationHeaders, long span) {
        // First which formats to write (the application's own headers stand), then exactly that many headers.
        int write = 0;
        int count = 0;
        for (int i = 0; i < formats.length; i++) {
            Propagator format = formats[i];
            if (applicationHeaders.get(headerOf(format)) == null) {
                write |= 1 << i;
                count += format == Propagator.B3MULTI ? 4
                        : format == Propagator.TRACECONTEXT && call.traceState != null
                                && applicationHeaders.get(TRACESTATE) == null ? 2 : 1;
            }
        }
        boolean withBaggage = baggage && call.baggage != null && applicationHeaders.get(BAGGAGE) == null;
        if (withBaggage) {
            count++;
        }
        if (count == 0) {
            return null;
        }
        String[] out = new String[2 * count];
        int n = 0;
        for (int i = 0; i < formats.length; i++) {
            if ((write & 1 << i) == 0) {
                continue;
            }
            switch (formats[i]) {
                case TRACECONTEXT:
                    out[n++] = TRACEPARENT;
                    out[n++] = traceparent(call, span);
                    if (call.traceState != null && applicationHeaders.get(TRACESTATE) == null) {
                        out[n++] = TRACESTATE;
                        out[n++] = call.traceState;
                    }
                    break;
                case B3:
                    out[n++] = B3;
                    out[n++] = b3Single(call, span);
                    break;
                case B3MULTI:
                    out[n++] = B3_TRACE_ID;
                    out[n++] = call.traceId();
                    out[n++] = B3_SPAN_ID;
                    out[n++] = TraceContext.hex16(span);
                    out[n++] = B3_PARENT_SPAN_ID;
                    out[n++] = TraceContext.hex16(call.spanId);
                    out[n++] = B3_SAMPLED;
                    out[n++] = call.sampled ? "1" : "0";
                    break;
                case XRAY:
                    out[n++] = XRAY;
                    out[n++] = xray(call, span);
                    break;
                default:
                    break;
            }
        }
        if (withBaggage) {
            out[n++] = BAGGAGE;
            out[n] = call.baggage;
        }
        return out;
    }

    /** The header whose presence in the application's request means it propagates this format itself. */
    private static String headerOf(Propagator format) {
        switch (format) {
            case TRACECONTEXT: return TRACEPARENT;
            case B3: return B3;
            case B3MULTI: return B3_TRACE_ID;
            case XRAY: return XRAY;
            default: return BAGGAGE;
        }
    }

    /**
     * Per thread, the characters a header value is written into before it becomes a String: the String copies them
     * anyway (compacted to bytes), so a fresh array per attempt would be garbage at once. Java 8 has no way to
     * build a String from bytes without a copy either.
     */
    private static final ThreadLocal<char[]> SCRATCH = new ThreadLocal<char[]>() {
        @Override
        protected char[] initialValue() {
            return new char[80];
        }
    };

    private static String traceparent(TraceContext call, long span) {
        char[] out = SCRATCH.get();
        out[0] = '0';
        out[1] = '0';
        out[2] = '-';
        TraceContext.hex(call.traceIdHigh, out, 3);
        TraceContext.hex(call.traceIdLow, out, 19);
        out[35] = '-';
        TraceContext.hex(span, out, 36);
        out[52] = '-';
        out[53] = '0';
        out[54] = call.sampled ? '1' : '0';
        return new String(out, 0, 55);
    }

    /** Trace id, span id, sampled and the parent (the call's span), so Zipkin sees the whole tree. */
    private static String b3Single(TraceContext call, long span) {
        char[] out = SCRATCH.get();
        TraceContext.hex(call.traceIdHigh, out, 0);
        TraceContext.hex(call.traceIdLow, out, 16);
        int at = 32;
        out[at++] = '-';
        TraceContext.hex(span, out, at);
        at += 16;
        out[at++] = '-';
        out[at++] = call.sampled ? '1' : '0';
        out[at++] = '-';
        TraceContext.hex(call.spanId, out, at);
        return new String(out, 0, at + 16);
    }

    private static String xray(TraceContext call, long span) {
        // Root=1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy;Parent=zzzzzzzzzzzzzzzz;Sampled=1
        char[] out = SCRATCH.get(); // 5 + 35 + 8 + 16 + 9 + 1 of them
        int at = TraceContext.put("Root=1-", out, 0);
        // the trace id's first 8 hex digits, '-', the other 24
        TraceContext.hex(call.traceIdHigh, out, at);
        System.arraycopy(out, at + 8, out, at + 9, 8);
        out[at + 8] = '-';
        TraceContext.hex(call.traceIdLow, out, at + 17);
        at += 33;
        at = TraceContext.put(";Parent=", out, at);
        TraceContext.hex(span, out, at);
        at += 16;
        at = TraceContext.put(";Sampled=", out, at);
        out[at] = call.sampled ? '1' : '0';
        return new String(out, 0, at + 1);
    }

    // ---------------------------------------------------------------- hex

    private static boolean isLowerHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** B3 and X-Ray ids: hex, either case. */
    private static boolean isHex(String s, int from, int to) {
        if (to > s.length()) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (hexValue(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** At most 16 hex digits, already validated. */
    private static long parseHex(String s, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            value = value << 4 | hexValue(s.charAt(i));
        }
        return value;
    }

    /** 0-15 for an ASCII hex digit of either case, else -1 ({@code Character.digit} also takes non-ASCII digits). */
    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
