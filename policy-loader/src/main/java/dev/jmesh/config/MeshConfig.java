package dev.jmesh.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One immutable snapshot of the mesh config. Safe to share between threads; a reload produces a new
 * snapshot rather than changing this one.
 */
public final class MeshConfig {

    private static final MeshConfig EMPTY =
            new MeshConfig(null, Collections.<String, ServiceConfig>emptyMap(), TelemetryConfig.NONE);

    private final String service;
    private final Map<String, ServiceConfig> services;
    private final List<RouteConfig> routes;
    private final Map<String, DatabaseConfig> databases;
    private final EgressConfig egress;
    private final InboundConfig inbound;
    private final TelemetryConfig telemetry;
    private final ControlPlaneConfig controlPlane;
    private final Map<String, AwsPolicy> aws;

    MeshConfig(String service, Map<String, ServiceConfig> services, TelemetryConfig telemetry) {
        this(service, services, Collections.<RouteConfig>emptyList(), Collections.<String, DatabaseConfig>emptyMap(),
                EgressConfig.DEFAULT, InboundConfig.DEFAULT, telemetry, null);
    }

    MeshConfig(String service, Map<String, ServiceConfig> services, List<RouteConfig> routes,
            Map<String, DatabaseConfig> databases, EgressConfig egress, InboundConfig inbound,
            TelemetryConfig telemetry, ControlPlaneConfig controlPlane) {
        this(service, services, routes, databases, egress, inbound, telemetry, controlPlane,
                Collections.<String, AwsPolicy>emptyMap());
    }

    private MeshConfig(String service, Map<String, ServiceConfig> services, List<RouteConfig> routes,
            Map<String, DatabaseConfig> databases, EgressConfig egress, InboundConfig inbound,
            TelemetryConfig telemetry, ControlPlaneConfig controlPlane, Map<String, AwsPolicy> aws) {
        this.service = service;
        this.services = Collections.unmodifiableMap(new LinkedHashMap<String, ServiceConfig>(services));
        this.routes = Collections.unmodifiableList(new ArrayList<RouteConfig>(routes));
        this.databases = Collections.unmodifiableMap(new LinkedHashMap<String, DatabaseConfig>(databases));
        this.egress = egress;
        this.inbound = inbound;
        this.telemetry = telemetry;
        this.controlPlane = controlPlane;
        this.aws = Collections.unmodifiableMap(new LinkedHashMap<String, AwsPolicy>(aws));
    }

    /** This config with {@code policies} as its {@code aws} map. */
    MeshConfig withAws(Map<String, AwsPolicy> policies) {
        return new MeshConfig(service, services, routes, databases, egress, inbound, telemetry, controlPlane,
                policies);
    }

    /**
     * This config with the services and routes of {@code other} instead of its own, everything else kept: how
     * an xDS control plane's clusters and routes combine with the local config.
     */
    public MeshConfig withServicesAndRoutesOf(MeshConfig other) {
        return new MeshConfig(service, other.services, other.routes, databases, egress, inbound, telemetry,
                controlPlane, aws);
    }

    /** No service name, no upstream services, no routes, no access log: the agent passes calls through. */
    public static MeshConfig empty() {
        return EMPTY;
    }

    /** This application's own name in the mesh, or null when not configured. */
    public String service() {
        return service;
    }

    /** Upstream services by name, in the order written. */
    public Map<String, ServiceConfig> services() {
        return services;
    }

    /** The upstream service with this name, or null when there is none. */
    public ServiceConfig service(String name) {
        return services.get(name);
    }

    /** Routes in the order written: the first that matches a call wins. Empty when none are configured. */
    public List<RouteConfig> routes() {
        return routes;
    }

    /** Logical databases by name, in the order written: the first whose match fits a JDBC URL wins. */
    public Map<String, DatabaseConfig> databases() {
        return databases;
    }

    /** The database with this name, or null when there is none. */
    public DatabaseConfig database(String name) {
        return databases.get(name);
    }

    /**
     * Policies for AWS SDK calls by {@code Service} or {@code Service.Operation} (e.g. {@code S3.GetObject}), in
     * the order written; a call takes its operation's entry, else its service's. Empty when none are configured.
     */
    public Map<String, AwsPolicy> aws() {
        return aws;
    }

    /** Never null: {@code allow_all} unless configured. */
    public EgressConfig egress() {
        return egress;
    }

    /** Never null: no inbound policies unless configured. */
    public InboundConfig inbound() {
        return inbound;
    }

    /** Never null. */
    public TelemetryConfig telemetry() {
        return telemetry;
    }

    /** The control plane, or null when the config comes only from the file (and overrides). */
    public ControlPlaneConfig controlPlane() {
        return controlPlane;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MeshConfig)) {
            return false;
        }
        MeshConfig m = (MeshConfig) o;
        return Objects.equals(service, m.service) && services.equals(m.services) && routes.equals(m.routes)
                && databases.equals(m.databases) && egress.equals(m.egress) && inbound.equals(m.inbound) && telemetry.equals(m.telemetry)
                && Objects.equals(controlPlane, m.controlPlane) && aws.equals(m.aws);
    }

    @Override
    public int hashCode() {
        return Objects.hash(service, services, routes, databases, egress, inbound, telemetry, controlPlane, aws);
    }

    @Override
    public String toString() {
        return "MeshConfig{service=" + service + ", services=" + services.values()
                + (routes.isEmpty() ? "" : ", routes=" + routes)
                + (databases.isEmpty() ? "" : ", databases=" + databases.values())
                + (egress.equals(EgressConfig.DEFAULT) ? "" : ", egress=" + egress)
                + (inbound.equals(InboundConfig.DEFAULT) ? "" : ", inbound=" + inbound)
                + ", telemetry=" + telemetry
                + (controlPlane == null ? "" : ", controlPlane=" + controlPlane)
                + (aws.isEmpty() ? "" : ", aws=" + aws.values()) + "}";
    }
}
