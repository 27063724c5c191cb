package dev.jmesh.config;

import java.time.Duration;
import java.util.List;

/**
 * {@code outlierDetection: { consecutive5xx: 5, consecutiveGatewayErrors: 0, consecutiveConnectFailures: 5,
 * interval: 10s, baseEjectionTime: 30s, maxEjectionTime: 300s, maxEjectionPercent: 10%, mode: enforce }}.
 */
final class OutlierDetectionParser {

    static final List<String> KEYS = Fields.keys("consecutive5xx", "consecutiveGatewayErrors",
            "consecutiveConnectFailures", "interval", "baseEjectionTime", "maxEjectionTime", "maxEjectionPercent",
            "mode");

    private OutlierDetectionParser() {
    }

    static OutlierDetectionConfig parse(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, KEYS);
        if (f == null) {
            return null;
        }
        Integer consecutive5xx = f.integer("consecutive5xx", 0, OutlierDetectionConfig.DEFAULT_CONSECUTIVE_5XX);
        Integer gateway = f.integer("consecutiveGatewayErrors", 0,
                OutlierDetectionConfig.DEFAULT_CONSECUTIVE_GATEWAY_ERRORS);
        Integer connect = f.integer("consecutiveConnectFailures", 0,
                OutlierDetectionConfig.DEFAULT_CONSECUTIVE_CONNECT_FAILURES);
        Duration interval = f.duration("interval", OutlierDetectionConfig.DEFAULT_INTERVAL);
        Duration base = f.duration("baseEjectionTime", OutlierDetectionConfig.DEFAULT_BASE_EJECTION_TIME);
        Duration max = f.duration("maxEjectionTime", OutlierDetectionConfig.DEFAULT_MAX_EJECTION_TIME);
        Double maxPercent = f.percent("maxEjectionPercent", false, OutlierDetectionConfig.DEFAULT_MAX_EJECTION_PERCENT);
        Mode mode = f.mode(Mode.ENFORCE);
        if (!f.ok()) {
            return null;
        }
        if (max.compareTo(base) < 0) {
            if (f.has("maxEjectionTime")) {
                Node at = f.get("maxEjectionTime");
                problems.error(at, at.where() + ": must be at least baseEjectionTime (" + Durations.format(base)
                        + "), got " + Durations.format(max));
            } else {
                Node at = f.get("baseEjectionTime");
                problems.error(at, at.where() + ": " + Durations.format(base) + " is more than the default"
                        + " maxEjectionTime (" + Durations.format(max) + "); set maxEjectionTime as well");
            }
            return null;
        }
        if (consecutive5xx == 0 && gateway == 0 && connect == 0) {
            problems.warn(node, node.where() + ": consecutive5xx, consecutiveGatewayErrors and"
                    + " consecutiveConnectFailures are all 0, so no endpoint is ever ejected");
        }
        return new OutlierDetectionConfig(consecutive5xx, gateway, connect, interval, base, max, maxPercent, mode);
    }
}
