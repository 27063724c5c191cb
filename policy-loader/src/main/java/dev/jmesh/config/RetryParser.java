package dev.jmesh.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code retry: { maxAttempts: 3, perTryTimeout: 500ms, backoff: { base: 25ms, max: 250ms },
 * retryOn: [connect-failure, reset, 5xx, "429"] }}.
 */
final class RetryParser {

    static final List<String> KEYS = Fields.keys("maxAttempts", "perTryTimeout", "backoff", "retryOn");
    static final List<String> BACKOFF_KEYS = Fields.keys("base", "max");
    private static final List<String> NONE = Collections.emptyList();
    private static final Pattern STATUS = Pattern.compile("\\d+");
    private static final BigDecimal MIN_STATUS = BigDecimal.valueOf(100);
    private static final BigDecimal MAX_STATUS = BigDecimal.valueOf(599);

    private RetryParser() {
    }

    static RetryConfig parse(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, KEYS, NONE);
        if (f == null) {
            return null;
        }
        Node maxAttemptsNode = f.require("maxAttempts");
        Integer maxAttempts = maxAttemptsNode == null ? null : Values.integer(maxAttemptsNode, 1, problems);
        Duration perTryTimeout = f.has("perTryTimeout") ? Values.duration(f.get("perTryTimeout"), problems) : null;
        Duration[] backoff = f.has("backoff")
                ? backoff(f.get("backoff"), problems)
                : new Duration[] {RetryConfig.DEFAULT_BACKOFF_BASE, RetryConfig.DEFAULT_BACKOFF_MAX};

        Set<RetryOn> retryOn = RetryConfig.DEFAULT_RETRY_ON;
        Set<Integer> statusCodes = Collections.emptySet();
        boolean retryOnOk = true;
        Node retryOnNode = f.get("retryOn");
        if (retryOnNode != null) {
            retryOn = EnumSet.noneOf(RetryOn.class);
            statusCodes = new LinkedHashSet<Integer>();
            retryOnOk = retryOn(retryOnNode, retryOn, statusCodes, problems);
        }
        if (maxAttempts == null || backoff == null || !retryOnOk) {
            return null;
        }
        return new RetryConfig(maxAttempts, perTryTimeout, backoff[0], backoff[1], retryOn, statusCodes);
    }

    /** {base, max}, or null after reporting problems. */
    private static Duration[] backoff(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, BACKOFF_KEYS, NONE);
        if (f == null) {
            return null;
        }
        Duration base = f.has("base") ? Values.duration(f.get("base"), problems) : RetryConfig.DEFAULT_BACKOFF_BASE;
        Duration max = f.has("max") ? Values.duration(f.get("max"), problems) : RetryConfig.DEFAULT_BACKOFF_MAX;
        if (base == null || max == null) {
            return null;
        }
        if (max.compareTo(base) < 0) {
            if (f.has("max")) {
                Node at = f.get("max");
                problems.error(at, at.where() + ": must be at least base (" + Durations.format(base) + "), got "
                        + Durations.format(max));
            } else {
                Node at = f.get("base");
                problems.error(at, at.where() + ": " + Durations.format(base) + " is more than the default max ("
                        + Durations.format(max) + "); set backoff.max as well");
            }
            return null;
        }
        return new Duration[] {base, max};
    }

    /** Fills {@code kinds} and {@code statusCodes}; false after reporting problems. */
    private static boolean retryOn(Node node, Set<RetryOn> kinds, Set<Integer> statusCodes, Problems problems) {
        String allowed = Fields.join(new ArrayList<String>(RetryOn.BY_NAME.keySet()))
                + ", or a status code like \"429\"";
        if (!node.is(Node.Kind.LIST)) {
            problems.error(node, node.where() + ": expected a list like [connect-failure, reset, 5xx, \"429\"], got "
                    + node.describe());
            return false;
        }
        boolean ok = true;
        for (Node item : node.items()) {
            boolean numeric = item.is(Node.Kind.NUMBER)
                    || (item.is(Node.Kind.STRING) && STATUS.matcher(item.text()).matches());
            if (numeric) {
                Integer code = statusCode(item, problems);
                ok &= code != null;
                if (code != null) {
                    statusCodes.add(code);
                }
            } else if (item.is(Node.Kind.STRING)) {
                RetryOn kind = RetryOn.BY_NAME.get(item.text());
                if (kind != null) {
                    kinds.add(kind);
                } else {
                    String suggestion = Suggestions.closest(item.text(), RetryOn.BY_NAME.keySet());
                    problems.error(item, item.where() + ": unknown value '" + item.text() + "'; "
                            + (suggestion != null ? "did you mean '" + suggestion + "'? " : "")
                            + "allowed values: " + allowed);
                    ok = false;
                }
            } else {
                problems.error(item, item.where() + ": expected one of " + allowed + ", got " + item.describe());
                ok = false;
            }
        }
        if (ok && kinds.isEmpty() && statusCodes.isEmpty()) {
            problems.warn(node, node.where() + ": the list is empty, so nothing is retried");
        }
        return ok;
    }

    private static Integer statusCode(Node item, Problems problems) {
        BigDecimal v = item.is(Node.Kind.NUMBER) ? item.number() : new BigDecimal(item.text());
        if (v == null || !Values.isWhole(v) || v.compareTo(MIN_STATUS) < 0 || v.compareTo(MAX_STATUS) > 0) {
            problems.error(item, item.where() + ": status code must be a whole number between 100 and 599, got "
                    + item.text());
            return null;
        }
        return v.intValue();
    }
}
