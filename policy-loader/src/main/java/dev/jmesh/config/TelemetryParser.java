package dev.jmesh.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code telemetry: { accessLog: { format: json, path: stdout } }}. */
final class TelemetryParser {

    static final List<String> KEYS = Fields.keys("accessLog");
    static final List<String> NOT_YET = Fields.keys("metrics", "tracing");
    static final List<String> ACCESS_LOG_KEYS = Fields.keys("format", "path");

    private static final Map<String, String> FORMATS;

    static {
        Map<String, String> m = new LinkedHashMap<String, String>();
        m.put(AccessLogConfig.FORMAT_JSON, AccessLogConfig.FORMAT_JSON);
        FORMATS = Collections.unmodifiableMap(m);
    }

    private TelemetryParser() {
    }

    static TelemetryConfig parse(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, KEYS, NOT_YET);
        if (f == null) {
            return null;
        }
        AccessLogConfig accessLog = f.has("accessLog") ? accessLog(f.get("accessLog"), problems) : null;
        return new TelemetryConfig(accessLog);
    }

    static AccessLogConfig accessLog(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, ACCESS_LOG_KEYS, Collections.<String>emptyList());
        if (f == null) {
            return null;
        }
        String format = f.has("format")
                ? Values.choice(f.get("format"), FORMATS, problems)
                : AccessLogConfig.FORMAT_JSON;
        Node pathNode = f.require("path");
        String path = pathNode == null ? null : Values.string(pathNode, problems);
        if (format == null || path == null) {
            return null;
        }
        return new AccessLogConfig(format, path);
    }
}
