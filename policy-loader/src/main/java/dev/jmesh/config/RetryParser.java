package dev.jmesh.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code retry: { maxAttempts: 3, perTryTimeout: 500ms, backoff: { base: 25ms, max: 250ms },
 * retryOn: [connect-failure, reset, 5xx, "429"], budget: { percent: 20%, minConcurrency: 3 },
 * methods: [GET, PUT], honorRetryAfter: true, maxReplayBodyBytes: 65536,
 * mode: enforce }} of a service or a route, and the smaller
 * {@code retry: { maxAttempts, backoff, mode }} of a database (connection attempts only).
 */
final class RetryParser {

    static final List<String> KEYS = Fields.keys("maxAttempts", "perTryTimeout", "backoff", "retryOn", "budget",
            "methods", "honorRetryAfter", "maxReplayBodyBytes", "mode");
    static final List<String> DATABASE_KEYS = Fields.keys("maxAttempts", "backoff", "mode");
    static final List<String> BACKOFF_KEYS = Fields.keys("base", "max");
    static final List<String> BUDGET_KEYS = Fields.keys("percent", "minConcurrency");
    /** Methods whose retry can be allowed: all but CONNECT. */
    static final List<String> METHODS =
            Fields.keys("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE");
    private static final Map<String, String> DATABASE_HINTS;
    private static final Map<String, String> STATEMENT_HINTS;
    private static final Pattern STATUS = Pattern.compile("\\d+");
    private static final BigDecimal MIN_STATUS = BigDecimal.valueOf(100);
    private static final BigDecimal MAX_STATUS = BigDecimal.valueOf(599);

    static {
        Map<String, String> m = new LinkedHashMap<String, String>();
        for (String key : KEYS) {
            if (!DATABASE_KEYS.contains(key)) {
                m.put(key, "a database's retry repeats connection attempts only and takes "
                        + Fields.join(DATABASE_KEYS) + (key.equals("perTryTimeout") ? "; see connectTimeout" : ""));
            }
        }
        DATABASE_HINTS = Collections.unmodifiableMap(m);
        Map<String, String> statement = new LinkedHashMap<String, String>();
        for (String key : KEYS) {
            if (!DATABASE_KEYS.contains(key)) {
                statement.put(key, "a statement's retry repeats reads outside a transaction on transient SQLStates"
                        + " only and takes " + Fields.join(DATABASE_KEYS)
                        + (key.equals("perTryTimeout") ? "; see queryTimeout" : ""));
            }
        }
        STATEMENT_HINTS = Collections.unmodifiableMap(statement);
    }

    private RetryParser() {
    }

    /** A service's retry; {@code mode} defaults to enforce. */
    static RetryConfig parse(Node node, Problems problems) {
        return parse(node, Mode.ENFORCE, problems);
    }

    /** A service's or a route's retry, whose {@code mode} defaults to {@code defaultMode}. */
    static RetryConfig parse(Node node, Mode defaultMode, Problems problems) {
        Fields f = Fields.open(node, problems, KEYS);
        if (f == null) {
            return null;
        }
        Node maxAttemptsNode = f.require("maxAttempts");
        Integer maxAttempts = maxAttemptsNode == null ? null : f.track(Values.integer(maxAttemptsNode, 1, problems));
        Duration perTryTimeout = f.duration("perTryTimeout", null);
        Duration[] backoff = f.has("backoff")
                ? f.track(backoff(f.get("backoff"), problems))
                : new Duration[] {RetryConfig.DEFAULT_BACKOFF_BASE, RetryConfig.DEFAULT_BACKOFF_MAX};

        Set<RetryOn> retryOn = RetryConfig.DEFAULT_RETRY_ON;
        Set<Integer> statusCodes = Collections.emptySet();
        Node retryOnNode = f.get("retryOn");
        if (retryOnNode != null) {
            retryOn = EnumSet.noneOf(RetryOn.class);
            statusCodes = new LinkedHashSet<Integer>();
            if (!retryOn(retryOnNode, retryOn, statusCodes, problems)) {
                f.fail();
            }
        }
        RetryBudgetConfig budget = f.has("budget") ? f.track(budget(f.get("budget"), problems)) : null;
        Set<String> methods = RetryConfig.DEFAULT_METHODS;
        if (f.has("methods")) {
            methods = new LinkedHashSet<String>();
            if (!HttpMethods.parse(f.get("methods"), METHODS, methods, problems)) {
                f.fail();
            }
        }
        Boolean honorRetryAfter = f.bool("honorRetryAfter", false);
        Integer maxReplayBodyBytes = f.integer("maxReplayBodyBytes", 0, RetryConfig.MAX_REPLAY_BODY_BYTES_LIMIT,
                RetryConfig.DEFAULT_MAX_REPLAY_BODY_BYTES);
        Mode mode = f.mode(defaultMode);
        if (!f.ok()) {
            return null;
        }
        return new RetryConfig(maxAttempts, perTryTimeout, backoff[0], backoff[1], retryOn, statusCodes, budget,
                methods, honorRetryAfter, maxReplayBodyBytes, mode);
    }

    /** A database's retry of connection attempts: {@code maxAttempts}, {@code backoff}, {@code mode}. */
    static RetryConfig parseDatabase(Node node, Problems problems) {
        return parseDatabase(node, DATABASE_HINTS, problems);
    }

    /**
     * A statement policy's retry of reads outside a transaction: the same keys as a database's retry; which
     * failures are retried is fixed (transient SQLStates), not configurable.
     */
    static RetryConfig parseStatement(Node node, Problems problems) {
        return parseDatabase(node, STATEMENT_HINTS, problems);
    }

    private static RetryConfig parseDatabase(Node node, Map<String, String> hints, Problems problems) {
        Fields f = Fields.open(node, problems, DATABASE_KEYS, hints);
        if (f == null) {
            return null;
        }
        Node maxAttemptsNode = f.require("maxAttempts");
        Integer maxAttempts = maxAttemptsNode == null ? null : f.track(Values.integer(maxAttemptsNode, 1, problems));
        Duration[] backoff = f.has("backoff")
                ? f.track(backoff(f.get("backoff"), problems))
                : new Duration[] {RetryConfig.DEFAULT_BACKOFF_BASE, RetryConfig.DEFAULT_BACKOFF_MAX};
        Mode mode = f.mode(Mode.ENFORCE);
        if (!f.ok()) {
            return null;
        }
        return new RetryConfig(maxAttempts, null, backoff[0], backoff[1], EnumSet.of(RetryOn.CONNECT_FAILURE),
                Collections.<Integer>emptySet(), null, RetryConfig.DEFAULT_METHODS, false,
                RetryConfig.DEFAULT_MAX_REPLAY_BODY_BYTES, mode);
    }

    /** {base, max}, or null after reporting problems. */
    private static Duration[] backoff(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, BACKOFF_KEYS);
        if (f == null) {
            return null;
        }
        Duration base = f.duration("base", RetryConfig.DEFAULT_BACKOFF_BASE);
        Duration max = f.duration("max", RetryConfig.DEFAULT_BACKOFF_MAX);
        if (!f.ok()) {
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

    private static RetryBudgetConfig budget(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, BUDGET_KEYS);
        if (f == null) {
            return null;
        }
        Double percent = f.percent("percent", false, RetryBudgetConfig.DEFAULT_PERCENT);
        Integer minConcurrency = f.integer("minConcurrency", 0, RetryBudgetConfig.DEFAULT_MIN_CONCURRENCY);
        return f.ok() ? new RetryBudgetConfig(percent, minConcurrency) : null;
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
