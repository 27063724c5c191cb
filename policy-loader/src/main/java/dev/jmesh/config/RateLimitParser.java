package dev.jmesh.config;

import java.util.List;

/** {@code rateLimit: { requestsPerSecond: 100, burst: 20, mode: enforce }}. */
final class RateLimitParser {

    static final List<String> KEYS = Fields.keys("requestsPerSecond", "burst", "mode");

    private RateLimitParser() {
    }

    static RateLimitConfig parse(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, KEYS);
        if (f == null) {
            return null;
        }
        Node rpsNode = f.require("requestsPerSecond");
        Double rps = rpsNode == null ? null : f.track(Values.positive(rpsNode, problems));
        Integer burst = f.integer("burst", 1, null);
        Mode mode = f.mode(Mode.ENFORCE);
        if (!f.ok()) {
            return null;
        }
        return new RateLimitConfig(rps, burst != null ? burst : (int) Math.max(1, Math.ceil(rps)), mode);
    }
}
