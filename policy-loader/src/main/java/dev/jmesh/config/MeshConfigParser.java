package dev.jmesh.config;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The top level of the document: {@code service}, {@code services}, {@code routes}, {@code databases},
 * {@code egress}, {@code inbound}, {@code telemetry}, {@code controlPlane}, {@code aws}.
 */
final class MeshConfigParser {

    static final List<String> KEYS =
            Fields.keys("service", "services", "routes", "databases", "egress", "inbound", "telemetry",
                    "controlPlane", "aws");

    private MeshConfigParser() {
    }

    /** Null root (empty document) gives {@link MeshConfig#empty()}. */
    static MeshConfig parse(Node root, Problems problems) {
        if (root == null || root.is(Node.Kind.NULL)) {
            return MeshConfig.empty();
        }
        Fields f = Fields.open(root, problems, KEYS);
        if (f == null) {
            return null;
        }
        String service = f.string("service", null);
        Map<String, ServiceConfig> services = f.has("services")
                ? ServiceParser.parseAll(f.get("services"), problems)
                : Collections.<String, ServiceConfig>emptyMap();
        // Routes may name every service the document has, also one with problems (reported on its own).
        Collection<String> serviceNames = f.has("services") ? f.get("services").entries().keySet()
                : Collections.<String>emptySet();
        List<RouteConfig> routes = f.has("routes")
                ? RouteParser.parseAll(f.get("routes"), serviceNames, problems)
                : Collections.<RouteConfig>emptyList();
        Map<String, DatabaseConfig> databases = f.has("databases")
                ? DatabaseParser.parseAll(f.get("databases"), problems)
                : Collections.<String, DatabaseConfig>emptyMap();
        EgressConfig egress = f.has("egress") ? EgressParser.parse(f.get("egress"), problems) : EgressConfig.DEFAULT;
        InboundConfig inbound = f.has("inbound") ? InboundParser.parse(f.get("inbound"), problems) : InboundConfig.DEFAULT;
        TelemetryConfig telemetry = f.has("telemetry") ? TelemetryParser.parse(f.get("telemetry"), problems) : null;
        ControlPlaneConfig controlPlane = f.has("controlPlane")
                ? ControlPlaneParser.parse(f.get("controlPlane"), problems)
                : null;
        Map<String, AwsPolicy> aws = f.has("aws")
                ? AwsParser.parseAll(f.get("aws"), problems)
                : Collections.<String, AwsPolicy>emptyMap();
        if (problems.hasErrors()) {
            return null;
        }
        return new MeshConfig(service, services, routes, databases, egress, inbound,
                telemetry == null ? TelemetryConfig.NONE : telemetry, controlPlane).withAws(aws);
    }
}
