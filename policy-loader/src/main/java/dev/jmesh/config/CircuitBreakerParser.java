package dev.jmesh.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 20, window: 10s, openDuration: 30s,
 * halfOpenCalls: 5 }}.
 */
final class CircuitBreakerParser {

    static final List<String> KEYS =
            Fields.keys("failureRateThreshold", "minimumCalls", "window", "openDuration", "halfOpenCalls");
    static final List<String> NOT_YET = Fields.keys("maxConcurrentRequests");

    private static final Pattern PERCENT = Pattern.compile("(-?\\d+(?:\\.\\d+)?)\\s*%");
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private CircuitBreakerParser() {
    }

    static CircuitBreakerConfig parse(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, KEYS, NOT_YET);
        if (f == null) {
            return null;
        }
        Double threshold = f.has("failureRateThreshold")
                ? percent(f.get("failureRateThreshold"), problems)
                : Double.valueOf(CircuitBreakerConfig.DEFAULT_FAILURE_RATE_THRESHOLD);
        Integer minimumCalls = f.has("minimumCalls")
                ? Values.integer(f.get("minimumCalls"), 1, problems)
                : Integer.valueOf(CircuitBreakerConfig.DEFAULT_MINIMUM_CALLS);
        Duration window = f.has("window")
                ? Values.duration(f.get("window"), problems)
                : CircuitBreakerConfig.DEFAULT_WINDOW;
        Duration openDuration = f.has("openDuration")
                ? Values.duration(f.get("openDuration"), problems)
                : CircuitBreakerConfig.DEFAULT_OPEN_DURATION;
        Integer halfOpenCalls = f.has("halfOpenCalls")
                ? Values.integer(f.get("halfOpenCalls"), 1, problems)
                : Integer.valueOf(CircuitBreakerConfig.DEFAULT_HALF_OPEN_CALLS);
        if (threshold == null || minimumCalls == null || window == null || openDuration == null
                || halfOpenCalls == null) {
            return null;
        }
        return new CircuitBreakerConfig(threshold, minimumCalls, window, openDuration, halfOpenCalls);
    }

    /** "50%" or 50 (a number is a percentage too) as a fraction in (0, 1]. */
    static Double percent(Node n, Problems problems) {
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
        if (percent.signum() <= 0 || percent.compareTo(HUNDRED) > 0) {
            problems.error(n, n.where() + ": must be more than 0% and at most 100%, got " + n.text());
            return null;
        }
        if (n.is(Node.Kind.NUMBER) && percent.compareTo(BigDecimal.ONE) < 0) {
            problems.warn(n, n.where() + ": " + n.text() + " means " + n.text() + "%; write "
                    + percent.multiply(HUNDRED).stripTrailingZeros().toPlainString()
                    + "% if you meant a fraction of the calls");
        }
        return percent.divide(HUNDRED).doubleValue();
    }
}
