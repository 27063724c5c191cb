package dev.jmesh.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 20, window: 10s, openDuration: 30s,
 * halfOpenCalls: 5, slowCallRateThreshold: 80%, slowCallDuration: 2s, mode: enforce }} of a service or a
 * database.
 */
final class CircuitBreakerParser {

    static final List<String> KEYS = Fields.keys("failureRateThreshold", "minimumCalls", "window", "openDuration",
            "halfOpenCalls", "slowCallRateThreshold", "slowCallDuration", "mode");
    /** Keys that DESIGN.md's first sketch put here and that belong to the service. */
    static final List<String> SERVICE_KEYS = Fields.keys("maxConcurrentRequests", "maxPendingRequests");

    private CircuitBreakerParser() {
    }

    /**
     * @param ownerPath the service's path when the breaker belongs to a service (for the hint that moves
     *        {@code maxConcurrentRequests} there), null for a database
     */
    static CircuitBreakerConfig parse(Node node, String ownerPath, Problems problems) {
        Map<String, String> hints = new LinkedHashMap<String, String>();
        if (ownerPath != null) {
            for (String key : SERVICE_KEYS) {
                hints.put(key, "it is a key of the service itself: write " + ownerPath + "." + key);
            }
        }
        Fields f = Fields.open(node, problems, KEYS, Collections.unmodifiableMap(hints));
        if (f == null) {
            return null;
        }
        Double threshold = f.has("failureRateThreshold")
                ? f.track(Values.percent(f.get("failureRateThreshold"), false, true, problems))
                : Double.valueOf(CircuitBreakerConfig.DEFAULT_FAILURE_RATE_THRESHOLD);
        Integer minimumCalls = f.integer("minimumCalls", 1, CircuitBreakerConfig.DEFAULT_MINIMUM_CALLS);
        Duration window = f.duration("window", CircuitBreakerConfig.DEFAULT_WINDOW);
        Duration openDuration = f.duration("openDuration", CircuitBreakerConfig.DEFAULT_OPEN_DURATION);
        Integer halfOpenCalls = f.integer("halfOpenCalls", 1, CircuitBreakerConfig.DEFAULT_HALF_OPEN_CALLS);
        Double slowRate = f.has("slowCallRateThreshold")
                ? f.track(Values.percent(f.get("slowCallRateThreshold"), false, true, problems))
                : null;
        Duration slowDuration = f.duration("slowCallDuration", null);
        Mode mode = f.mode(Mode.ENFORCE);
        if (f.has("slowCallRateThreshold") != f.has("slowCallDuration")) {
            String given = f.has("slowCallRateThreshold") ? "slowCallRateThreshold" : "slowCallDuration";
            String missing = f.has("slowCallRateThreshold") ? "slowCallDuration" : "slowCallRateThreshold";
            Node at = node.entries().get(given).key;
            problems.error(at, node.where() + ": " + given + " needs " + missing + " as well");
            f.fail();
        }
        if (!f.ok()) {
            return null;
        }
        return new CircuitBreakerConfig(threshold, minimumCalls, window, openDuration, halfOpenCalls, slowRate,
                slowDuration, mode);
    }
}
