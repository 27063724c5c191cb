package dev.jmesh.agent.engine;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The wait a {@code Retry-After} response header asks for (RFC 9110 section 10.2.3): either delay-seconds or an
 * HTTP-date. Only 429 and 503 responses are read, and only when {@code retry.honorRetryAfter} is set.
 */
final class RetryAfter {
    static final String HEADER = "Retry-After";
    /** Longer waits are read as this: no overall timeout in a sane config is longer than a day. */
    private static final long MAX_MILLIS = 24L * 60 * 60 * 1000;

    private RetryAfter() {
    }

    /** Whether a response with this status may carry a Retry-After the retry honours. */
    static boolean applies(int status) {
        return status == 429 || status == 503;
    }

    /**
     * The wait in milliseconds that {@code value} asks for, measured from {@code nowMillis} (wall clock) for an
     * HTTP-date; 0 for a date in the past; -1 when the value is missing or malformed (then only the back-off applies).
     */
    static long millis(String value, long nowMillis) {
        if (value == null) {
            return -1;
        }
        String v = value.trim();
        if (v.isEmpty()) {
            return -1;
        }
        if (isDigits(v)) {
            return v.length() > 6 ? MAX_MILLIS : Math.min(MAX_MILLIS, Long.parseLong(v) * 1000);
        }
        try {
            long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
            return Math.max(0, Math.min(MAX_MILLIS, at - nowMillis));
        } catch (DateTimeParseException e) {
            return -1;
        }
    }

    private static boolean isDigits(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
