package dev.jmesh.config;

import java.util.Collections;
import java.util.LinkedHashMap;
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
    private final TelemetryConfig telemetry;

    MeshConfig(String service, Map<String, ServiceConfig> services, TelemetryConfig telemetry) {
        this.service = service;
        this.services = Collections.unmodifiableMap(new LinkedHashMap<String, ServiceConfig>(services));
        this.telemetry = telemetry;
    }

    /** No service name, no upstream services, no access log: the agent passes calls through. */
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

    /** Never null. */
    public TelemetryConfig telemetry() {
        return telemetry;
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
        return Objects.equals(service, m.service) && services.equals(m.services) && telemetry.equals(m.telemetry);
    }

    @Override
    public int hashCode() {
        return Objects.hash(service, services, telemetry);
    }

    @Override
    public String toString() {
        return "MeshConfig{service=" + service + ", services=" + services.values() + ", telemetry=" + telemetry + "}";
    }
}
