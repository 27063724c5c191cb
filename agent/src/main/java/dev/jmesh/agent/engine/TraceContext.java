package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.RequestHeaders;

import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C trace context for one logical call. If the application's request already carries a valid
 * {@code traceparent} (its own tracing, or the OpenTelemetry agent), the call joins that trace and the
 * header is left as it is. Otherwise the call starts a trace and each attempt sends a
 * {@code traceparent} with the call's trace id and a span id of its own, so the upstream's records
 * (and its jmesh access log) carry the same trace id.
 */
final class TraceContext {
    static final String TRACEPARENT = "traceparent";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final String traceId;
    private final boolean joined;

    private TraceContext(String traceId, boolean joined) {
        this.traceId = traceId;
        this.joined = joined;
    }

    static TraceContext of(RequestHeaders headers) {
        String incoming = headers.get(TRACEPARENT);
        String joinedId = traceIdOf(incoming);
        return joinedId != null ? new TraceContext(joinedId, true) : new TraceContext(randomHex(32), false);
    }

    String traceId() {
        return traceId;
    }

    /** The headers to add to one attempt, or null when the application's own header stands. */
    String[] attemptHeaders() {
        return joined ? null : new String[] {TRACEPARENT, "00-" + traceId + "-" + randomHex(16) + "-01"};
    }

    /** The trace id of a valid version-00 traceparent, else null. */
    static String traceIdOf(String traceparent) {
        if (traceparent == null) {
            return null;
        }
        String value = traceparent.trim();
        if (value.length() < 55 || value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-'
                || !isHex(value, 0, 2) || value.startsWith("ff") || !isHex(value, 3, 35) || !isHex(value, 36, 52)
                || !isHex(value, 53, 55)) {
            return null;
        }
        String traceId = value.substring(3, 35);
        return isZero(traceId) || isZero(value.substring(36, 52)) ? null : traceId;
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isZero(String hex) {
        for (int i = 0; i < hex.length(); i++) {
            if (hex.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    private static String randomHex(int digits) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[digits];
        long bits = 0;
        for (int i = 0; i < digits; i++) {
            if (i % 16 == 0) {
                bits = random.nextLong();
            }
            out[i] = HEX[(int) (bits & 0xF)];
            bits >>>= 4;
        }
        return new String(out);
    }
}
