package dev.jmesh.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a policy block ({@code retry}, {@code circuitBreaker}, {@code outlierDetection}, {@code rateLimit}, a
 * route's {@code fault}, a database statement policy) takes effect: {@code enforce} acts; {@code shadow} is
 * evaluated and recorded ("would have retried", "would have opened") but does not act.
 */
public enum Mode {
    ENFORCE("enforce"),
    SHADOW("shadow");

    static final Map<String, Mode> BY_NAME;

    static {
        Map<String, Mode> m = new LinkedHashMap<String, Mode>();
        for (Mode v : values()) {
            m.put(v.configName, v);
        }
        BY_NAME = Collections.unmodifiableMap(m);
    }

    private final String configName;

    Mode(String configName) {
        this.configName = configName;
    }

    /** The name used in config documents, e.g. {@code shadow}. */
    public String configName() {
        return configName;
    }

    @Override
    public String toString() {
        return configName;
    }
}
