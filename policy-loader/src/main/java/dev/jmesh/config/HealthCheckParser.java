package dev.jmesh.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code healthCheck: { path: /healthz, interval: 10s, timeout: 1s, healthyThreshold: 2, unhealthyThreshold: 3,
 * expectedStatuses: [200-299] }}.
 */
final class HealthCheckParser {

    static final List<String> KEYS = Fields.keys("path", "interval", "timeout", "healthyThreshold",
            "unhealthyThreshold", "expectedStatuses");
    private static final Pattern RANGE = Pattern.compile("(\\d{3})\\s*-\\s*(\\d{3})");

    private HealthCheckParser() {
    }

    static HealthCheckConfig parse(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, KEYS);
        if (f == null) {
            return null;
        }
        Node pathNode = f.require("path");
        String path = pathNode == null ? null : f.track(Values.string(pathNode, problems));
        if (path != null && !path.startsWith("/")) {
            problems.error(pathNode, pathNode.where() + ": must start with '/', like /healthz, got '" + path + "'");
            f.fail();
        }
        Duration interval = f.duration("interval", HealthCheckConfig.DEFAULT_INTERVAL);
        Duration timeout = f.duration("timeout", HealthCheckConfig.DEFAULT_TIMEOUT);
        Integer healthy = f.integer("healthyThreshold", 1, HealthCheckConfig.DEFAULT_HEALTHY_THRESHOLD);
        Integer unhealthy = f.integer("unhealthyThreshold", 1, HealthCheckConfig.DEFAULT_UNHEALTHY_THRESHOLD);
        List<StatusRange> statuses = f.has("expectedStatuses")
                ? f.track(statuses(f.get("expectedStatuses"), problems))
                : HealthCheckConfig.DEFAULT_EXPECTED_STATUSES;
        if (interval != null && timeout != null && timeout.compareTo(interval) >= 0) {
            Node at = f.has("timeout") ? f.get("timeout") : f.get("interval");
            problems.error(at, node.where() + ": timeout (" + Durations.format(timeout)
                    + ") must be shorter than interval (" + Durations.format(interval) + ")");
            f.fail();
        }
        if (!f.ok()) {
            return null;
        }
        return new HealthCheckConfig(path, interval, timeout, healthy, unhealthy, statuses);
    }

    /** {@code [200, "204", 300-399]}: codes and ranges of codes, 100..599. */
    private static List<StatusRange> statuses(Node node, Problems problems) {
        if (!node.is(Node.Kind.LIST) || node.items().isEmpty()) {
            problems.error(node, node.where() + ": expected a non-empty list of status codes and ranges like"
                    + " [200, 300-399], got " + (node.is(Node.Kind.LIST) ? "an empty list" : node.describe()));
            return null;
        }
        List<StatusRange> result = new ArrayList<StatusRange>();
        boolean ok = true;
        for (Node item : node.items()) {
            Matcher m = item.is(Node.Kind.STRING) ? RANGE.matcher(item.text().trim()) : null;
            if (m != null && m.matches()) {
                int from = Integer.parseInt(m.group(1));
                int to = Integer.parseInt(m.group(2));
                if (from < 100 || to > 599 || from > to) {
                    problems.error(item, item.where() + ": invalid status range '" + item.text()
                            + "'; write FROM-TO with 100 <= FROM <= TO <= 599, like 200-299");
                    ok = false;
                } else {
                    result.add(new StatusRange(from, to));
                }
            } else {
                Integer code = Values.status(item, 100, 599, problems);
                if (code == null) {
                    ok = false;
                } else {
                    result.add(new StatusRange(code, code));
                }
            }
        }
        return ok ? result : null;
    }
}
