package dev.jmesh.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Egress policy ({@code egress.mode}): {@code allow_all} lets calls to any host through;
 * {@code registry_only} lets through only calls to the mesh's services and databases and to the hosts of
 * {@code egress.allow}, and fails every other call fast (flag {@code NR}).
 */
public enum EgressMode {
    ALLOW_ALL("allow_all"),
    REGISTRY_ONLY("registry_only");

    static final Map<String, EgressMode> BY_NAME;

    static {
        Map<String, EgressMode> m = new LinkedHashMap<String, EgressMode>();
        for (EgressMode v : values()) {
            m.put(v.configName, v);
        }
        BY_NAME = Collections.unmodifiableMap(m);
    }

    private final String configName;

    EgressMode(String configName) {
        this.configName = configName;
    }

    /** The name used in config documents, e.g. {@code registry_only}. */
    public String configName() {
        return configName;
    }

    @Override
    public String toString() {
        return configName;
    }
}
