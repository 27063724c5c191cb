package dev.jmesh.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Trace context formats ({@code telemetry.tracing.propagators}); names as OpenTelemetry's OTEL_PROPAGATORS. */
public enum Propagator {
    /** W3C Trace Context ({@code traceparent}, {@code tracestate}). */
    TRACECONTEXT("tracecontext"),
    /** W3C Baggage ({@code baggage}). */
    BAGGAGE("baggage"),
    /** Zipkin B3, single header ({@code b3}). */
    B3("b3"),
    /** Zipkin B3, one header per field ({@code X-B3-TraceId}, ...). */
    B3MULTI("b3multi"),
    /** AWS X-Ray ({@code X-Amzn-Trace-Id}). */
    XRAY("xray");

    static final Map<String, Propagator> BY_NAME;

    static {
        Map<String, Propagator> m = new LinkedHashMap<String, Propagator>();
        for (Propagator v : values()) {
            m.put(v.configName, v);
        }
        BY_NAME = Collections.unmodifiableMap(m);
    }

    private final String configName;

    Propagator(String configName) {
        this.configName = configName;
    }

    /** The name used in config documents, e.g. {@code b3multi}. */
    public String configName() {
        return configName;
    }

    @Override
    public String toString() {
        return configName;
    }
}
