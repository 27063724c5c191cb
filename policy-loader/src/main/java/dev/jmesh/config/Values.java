package dev.jmesh.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads scalar values from nodes. Every method reports a located problem and returns null when the
 * value is not acceptable, so that the caller can go on and find the next problem.
 */
final class Values {

    private static final Pattern DURATION = Pattern.compile("(-?)(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
    private static final Pattern BARE_NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?");
    private static final BigDecimal MAX_INT = BigDecimal.valueOf(Integer.MAX_VALUE);
    private static final Pattern PERCENT = Pattern.compile("(-?\\d+(?:\\.\\d+)?)\\s*%");
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    /** An HTTP header (or cookie, or query parameter) name: RFC 9110 token characters. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

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

    /** A whole number between {@code min} and {@code max}. */
    static Integer integer(Node n, int min, int max, Problems problems) {
        BigDecimal v = n.number();
        if (v == null || !isWhole(v)) {
            problems.error(n, n.where() + ": expected a whole number, got " + n.describe());
            return null;
        }
        if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
            problems.error(n, n.where() + ": must be between " + min + " and " + max + ", got " + n.text());
            return null;
        }
        return v.intValue();
    }

    /** A TCP or UDP port, 1..65535. */
    static Integer port(Node n, Problems problems) {
        return integer(n, 1, 65535, problems);
    }

    /** A number greater than 0 (fractions allowed). */
    static Double positive(Node n, Problems problems) {
        BigDecimal v = n.number();
        if (v == null) {
            problems.error(n, n.where() + ": expected a number, got " + n.describe());
            return null;
        }
        if (v.signum() <= 0) {
            problems.error(n, n.where() + ": must be greater than 0, got " + n.text());
            return null;
        }
        return v.doubleValue();
    }

    static Boolean bool(Node n, Problems problems) {
        if (!n.is(Node.Kind.BOOLEAN)) {
            problems.error(n, n.where() + ": expected true or false, got " + n.describe());
            return null;
        }
        return Boolean.valueOf(n.text());
    }

    /**
     * A percentage, {@code 50%} or a number (which is a percentage too: {@code 50} is 50%), as a fraction:
     * 50% is 0.5. At most 100%; more than 0% unless {@code allowZero}.
     *
     * @param warnSmallNumber warn that a bare number below 1 is a percentage, not a fraction (for
     *        thresholds, where {@code 0.5} is almost certainly meant as 50%)
     */
    static Double percent(Node n, boolean allowZero, boolean warnSmallNumber, Problems problems) {
        BigDecimal percent = null;
        if (n.is(Node.Kind.NUMBER)) {
            percent = n.number();
        } else if (n.is(Node.Kind.STRING)) {
            Matcher m = PERCENT.matcher(n.text().trim());
            if (m.matches()) {
                percent = new BigDecimal(m.group(1));
            }
        }
        if (percent == null) {
            problems.error(n, n.where() + ": expected a percentage like 50%, got " + n.describe());
            return null;
        }
        if (percent.signum() < 0 || (!allowZero && percent.signum() == 0) || percent.compareTo(HUNDRED) > 0) {
            problems.error(n, n.where() + (allowZero ? ": must be between 0% and 100%, got "
                    : ": must be more than 0% and at most 100%, got ") + n.text());
            return null;
        }
        if (warnSmallNumber && n.is(Node.Kind.NUMBER) && percent.compareTo(BigDecimal.ONE) < 0) {
            problems.warn(n, n.where() + ": " + n.text() + " means " + n.text() + "%; write "
                    + percent.multiply(HUNDRED).stripTrailingZeros().toPlainString()
                    + "% if you meant a fraction of the calls");
        }
        return percent.divide(HUNDRED).doubleValue();
    }

    /** A fraction from 0 to 1 ({@code 0.1}), or a percentage ({@code 10%}). */
    static Double fraction(Node n, Problems problems) {
        if (n.is(Node.Kind.STRING) && PERCENT.matcher(n.text().trim()).matches()) {
            return percent(n, true, false, problems);
        }
        BigDecimal v = n.number();
        if (v == null) {
            problems.error(n, n.where() + ": expected a fraction from 0 to 1 like 0.1, or a percentage like 10%, got "
                    + n.describe());
            return null;
        }
        if (v.signum() < 0 || v.compareTo(BigDecimal.ONE) > 0) {
            problems.error(n, n.where() + ": must be between 0 and 1, got " + n.text());
            return null;
        }
        return v.doubleValue();
    }

    /** A regular expression (java.util.regex), compiled. */
    static Pattern regex(Node n, Problems problems) {
        String text = string(n, problems);
        if (text == null) {
            return null;
        }
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            problems.error(n, n.where() + ": invalid regular expression '" + text + "': " + e.getDescription()
                    + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
            return null;
        }
    }

    /** A host name or an IP address (IPv6 without brackets). */
    static String host(Node n, Problems problems) {
        String text = string(n, problems);
        if (text == null) {
            return null;
        }
        if (!EndpointParser.isHost(text)) {
            problems.error(n, n.where() + ": '" + text + "' is not a valid host name or IP address"
                    + (text.indexOf(':') > 0 && !text.contains("::") ? "; write the port as its own key" : ""));
            return null;
        }
        return text;
    }

    /** An absolute http:// or https:// URL with a host. */
    static String url(Node n, Problems problems) {
        String text = string(n, problems);
        if (text == null) {
            return null;
        }
        String reason = null;
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null || !("http".equalsIgnoreCase(uri.getScheme())
                    || "https".equalsIgnoreCase(uri.getScheme()))) {
                reason = "write http:// or https:// and a host";
            } else if (uri.getHost() == null) {
                reason = "no host";
            }
        } catch (URISyntaxException e) {
            reason = e.getReason();
        }
        if (reason != null) {
            problems.error(n, n.where() + ": invalid URL '" + text + "': " + reason + ", like http://127.0.0.1:4318");
            return null;
        }
        return text;
    }

    /** An HTTP header, cookie or query parameter name. */
    static String token(Node n, String what, Problems problems) {
        String text = string(n, problems);
        if (text == null) {
            return null;
        }
        if (!TOKEN.matcher(text).matches()) {
            problems.error(n, n.where() + ": '" + text + "' is not a valid " + what + " name");
            return null;
        }
        return text;
    }

    /** An HTTP status code between {@code min} and {@code max}, as a number or a quoted number. */
    static Integer status(Node n, int min, int max, Problems problems) {
        BigDecimal v = n.is(Node.Kind.NUMBER) ? n.number()
                : n.is(Node.Kind.STRING) && BARE_NUMBER.matcher(n.text()).matches() ? new BigDecimal(n.text()) : null;
        if (v == null || !isWhole(v) || v.compareTo(BigDecimal.valueOf(min)) < 0
                || v.compareTo(BigDecimal.valueOf(max)) > 0) {
            problems.error(n, n.where() + ": status code must be a whole number between " + min + " and " + max
                    + ", got " + (n.is(Node.Kind.NUMBER) || n.is(Node.Kind.STRING) ? n.text() : n.describe()));
            return null;
        }
        return v.intValue();
    }

    /** {@code enforce} or {@code shadow}. */
    static Mode mode(Node n, Problems problems) {
        return choice(n, Mode.BY_NAME, problems);
    }

    /** A scalar's text: strings as written, numbers and booleans as written ({@code x-canary: true}). */
    static String scalarText(Node n, Problems problems) {
        if (n.is(Node.Kind.STRING) || n.is(Node.Kind.NUMBER) || n.is(Node.Kind.BOOLEAN)) {
            return n.text();
        }
        problems.error(n, n.where() + ": expected a string, got " + n.describe());
        return null;
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
