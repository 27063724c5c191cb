package dev.jmesh.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** How a service's endpoints share the calls ({@code services.<name>.loadBalancer}). */
public enum LoadBalancerPolicy {
    ROUND_ROBIN("round_robin"),
    LEAST_REQUEST("least_request"),
    RANDOM("random");

    static final Map<String, LoadBalancerPolicy> BY_NAME;

    static {
        Map<String, LoadBalancerPolicy> m = new LinkedHashMap<String, LoadBalancerPolicy>();
        for (LoadBalancerPolicy p : values()) {
            m.put(p.configName, p);
        }
        BY_NAME = Collections.unmodifiableMap(m);
    }

    private final String configName;

    LoadBalancerPolicy(String configName) {
        this.configName = configName;
    }

    /** The name used in config documents, e.g. {@code round_robin}. */
    public String configName() {
        return configName;
    }
}
