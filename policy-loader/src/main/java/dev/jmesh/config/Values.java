package dev.jmesh.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads scalar values from nodes. Every method reports a located problem and returns null when the
 * value is not acceptable, so that the caller can go on and find the next problem.
 */
final class Values {

    private static final Pattern DURATION = Pattern.compile("(-?)(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
    private static final Pattern BARE_NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?");
    private static final BigDecimal MAX_INT = BigDecimal.valueOf(Integer.MAX_VALUE);

    private Values() {
    }

    /** A non-blank string. */
    static String string(Node n, Problems problems) {
        if (!n.is(Node.Kind.STRING)) {
            problems.error(n, n.where() + ": expected a string, got " + n.describe());
            return null;
        }
        if (n.text().trim().isEmpty()) {
            problems.error(n, n.where() + ": must not be empty");
            return null;
        }
        return n.text();
    }

    /** A whole number, at least {@code min}. */
    static Integer integer(Node n, int min, Problems problems) {
        BigDecimal v = n.number();
        if (v == null || !isWhole(v)) {
            problems.error(n, n.where() + ": expected a whole number, got " + n.describe());
            return null;
        }
        if (v.compareTo(BigDecimal.valueOf(min)) < 0) {
            problems.error(n, n.where() + ": must be at least " + min + ", got " + n.text());
            return null;
        }
        if (v.compareTo(MAX_INT) > 0) {
            problems.error(n, n.where() + ": must be at most " + Integer.MAX_VALUE + ", got " + n.text());
            return null;
        }
        return v.intValue();
    }

    static boolean isWhole(BigDecimal v) {
        return v.signum() == 0 || v.stripTrailingZeros().scale() <= 0;
    }

    /** A positive duration written with a unit: 250ms, 2s, 1.5s, 1m, 1h. */
    static Duration duration(Node n, Problems problems) {
        String text = n.text();
        BigDecimal bare = n.is(Node.Kind.NUMBER) ? n.number()
                : n.is(Node.Kind.STRING) && BARE_NUMBER.matcher(text).matches() ? new BigDecimal(text) : null;
        if (bare != null && bare.signum() <= 0) {
            problems.error(n, n.where() + ": must be greater than 0, got " + text);
            return null;
        }
        if (bare != null) {
            String unit = isWhole(bare) && bare.compareTo(BigDecimal.TEN) >= 0 ? "ms" : "s";
            problems.error(n, n.where() + ": " + text + " has no unit; did you mean " + text + unit + "?");
            return null;
        }
        if (!n.is(Node.Kind.STRING)) {
            problems.error(n, n.where() + ": expected a duration like 250ms, got " + n.describe());
            return null;
        }
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            problems.error(n, n.where() + ": invalid duration '" + text
                    + "'; write a number and a unit (ms, s, m or h), like 250ms or 2s");
            return null;
        }
        BigDecimal amount = new BigDecimal(m.group(2));
        if (!m.group(1).isEmpty() || amount.signum() == 0) {
            problems.error(n, n.where() + ": must be greater than 0, got " + text);
            return null;
        }
        long nanosPerUnit = unitNanos(m.group(3));
        try {
            long nanos = amount.multiply(BigDecimal.valueOf(nanosPerUnit))
                    .setScale(0, RoundingMode.DOWN).longValueExact();
            if (nanos == 0) {
                problems.error(n, n.where() + ": must be at least 1ns, got " + text);
                return null;
            }
            return Duration.ofNanos(nanos);
        } catch (ArithmeticException e) {
            problems.error(n, n.where() + ": duration " + text + " is too long");
            return null;
        }
    }

    private static long unitNanos(String unit) {
        if (unit.equals("ms")) {
            return 1000000L;
        }
        if (unit.equals("s")) {
            return 1000000000L;
        }
        if (unit.equals("m")) {
            return 60L * 1000000000L;
        }
        return 3600L * 1000000000L;
    }

    /** One of the names in {@code allowed} (in the order they should be listed). */
    static <E> E choice(Node n, Map<String, E> allowed, Problems problems) {
        String list = Fields.join(new ArrayList<String>(allowed.keySet()));
        if (!n.is(Node.Kind.STRING)) {
            problems.error(n, n.where() + ": expected one of " + list + ", got " + n.describe());
            return null;
        }
        E value = allowed.get(n.text());
        if (value == null) {
            String suggestion = Suggestions.closest(n.text(), allowed.keySet());
            problems.error(n, n.where() + ": unknown value '" + n.text() + "'; "
                    + (suggestion != null ? "did you mean '" + suggestion + "'? " : "")
                    + "allowed values: " + list);
        }
        return value;
    }
}
