package dev.jmesh.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Failure kinds that a retry policy retries ({@code retry.retryOn}); names follow Envoy's retry_on. */
public enum RetryOn {
    /** The connection to the endpoint could not be established. */
    CONNECT_FAILURE("connect-failure"),
    /** The connection was reset or closed before a response arrived. */
    RESET("reset"),
    /** The response status was 500..599. */
    STATUS_5XX("5xx"),
    /** The response status was 502, 503 or 504. */
    GATEWAY_ERROR("gateway-error");

    static final Map<String, RetryOn> BY_NAME;

    static {
        Map<String, RetryOn> m = new LinkedHashMap<String, RetryOn>();
        for (RetryOn r : values()) {
            m.put(r.configName, r);
        }
        BY_NAME = Collections.unmodifiableMap(m);
    }

    private final String configName;

    RetryOn(String configName) {
        this.configName = configName;
    }

    /** The name used in config documents, e.g. {@code connect-failure}. */
    public String configName() {
        return configName;
    }
}
