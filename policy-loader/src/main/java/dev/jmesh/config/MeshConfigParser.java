package dev.jmesh.config;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/** The top level of the document: {@code service}, {@code services}, {@code telemetry}. */
final class MeshConfigParser {

    static final List<String> KEYS = Fields.keys("service", "services", "telemetry");
    static final List<String> NOT_YET = Fields.keys("routes", "databases", "egress", "controlPlane");

    private MeshConfigParser() {
    }

    /** Null root (empty document) gives {@link MeshConfig#empty()}. */
    static MeshConfig parse(Node root, Problems problems) {
        if (root == null || root.is(Node.Kind.NULL)) {
            return MeshConfig.empty();
        }
        Fields f = Fields.open(root, problems, KEYS, NOT_YET);
        if (f == null) {
            return null;
        }
        String service = f.has("service") ? Values.string(f.get("service"), problems) : null;
        Map<String, ServiceConfig> services = f.has("services")
                ? ServiceParser.parseAll(f.get("services"), problems)
                : Collections.<String, ServiceConfig>emptyMap();
        TelemetryConfig telemetry = f.has("telemetry") ? TelemetryParser.parse(f.get("telemetry"), problems) : null;
        return new MeshConfig(service, services, telemetry == null ? TelemetryConfig.NONE : telemetry);
    }
}
