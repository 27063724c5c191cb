package dev.jmesh.config;

import java.time.Duration;

/** Formats durations the way the config writes them: 250ms, 2s, 1m, 1h. */
final class Durations {

    private static final long MS = 1000000L;
    private static final long S = 1000 * MS;
    private static final long M = 60 * S;
    private static final long H = 60 * M;

    private Durations() {
    }

    static String format(Duration d) {
        if (d == null) {
            return "null";
        }
        long nanos;
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException e) {
            return d.toString();
        }
        if (nanos == 0 || nanos % MS != 0) {
            return d.toString();
        }
        if (nanos % H == 0) {
            return nanos / H + "h";
        }
        if (nanos % M == 0) {
            return nanos / M + "m";
        }
        if (nanos % S == 0) {
            return nanos / S + "s";
        }
        return nanos / MS + "ms";
    }
}
