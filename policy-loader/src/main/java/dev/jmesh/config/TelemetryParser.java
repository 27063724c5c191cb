package dev.jmesh.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code telemetry: { accessLog: { format, path, caller }, metrics: { prometheus: { host, port }, statsd: { host, port,
 * dogstatsd }, otlp: { endpoint } }, tracing: { propagators, sampling, otlp: { endpoint } }, admin: { host, port } }}.
 */
final class TelemetryParser {

    static final List<String> KEYS = Fields.keys("accessLog", "metrics", "tracing", "admin");
    static final List<String> ACCESS_LOG_KEYS = Fields.keys("format", "path", "caller");
    static final List<String> METRICS_KEYS = Fields.keys("prometheus", "statsd", "otlp");
    static final List<String> PROMETHEUS_KEYS = Fields.keys("host", "port");
    static final List<String> STATSD_KEYS = Fields.keys("host", "port", "dogstatsd");
    static final List<String> OTLP_KEYS = Fields.keys("endpoint");
    static final List<String> TRACING_KEYS = Fields.keys("propagators", "sampling", "otlp");
    static final List<String> ADMIN_KEYS = Fields.keys("host", "port");

    private static final Map<String, String> FORMATS;

    static {
        Map<String, String> m = new LinkedHashMap<String, String>();
        m.put(AccessLogConfig.FORMAT_JSON, AccessLogConfig.FORMAT_JSON);
        m.put(AccessLogConfig.FORMAT_TEXT, AccessLogConfig.FORMAT_TEXT);
        FORMATS = Collections.unmodifiableMap(m);
    }

    private TelemetryParser() {
    }

    static TelemetryConfig parse(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, KEYS);
        if (f == null) {
            return null;
        }
        AccessLogConfig accessLog = f.has("accessLog") ? f.track(accessLog(f.get("accessLog"), problems)) : null;
        MetricsConfig metrics = f.has("metrics") ? f.track(metrics(f.get("metrics"), problems)) : MetricsConfig.NONE;
        TracingConfig tracing = f.has("tracing") ? f.track(tracing(f.get("tracing"), problems)) : TracingConfig.DEFAULT;
        AdminConfig admin = f.has("admin") ? f.track(admin(f.get("admin"), problems)) : null;
        return f.ok() ? new TelemetryConfig(accessLog, metrics, tracing, admin) : null;
    }

    static AccessLogConfig accessLog(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, ACCESS_LOG_KEYS);
        if (f == null) {
            return null;
        }
        String format = f.choice("format", FORMATS, AccessLogConfig.FORMAT_JSON);
        Node pathNode = f.require("path");
        String path = pathNode == null ? null : f.track(Values.string(pathNode, problems));
        Boolean caller = f.bool("caller", true);
        return f.ok() ? new AccessLogConfig(format, path, caller) : null;
    }

    private static MetricsConfig metrics(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, METRICS_KEYS);
        if (f == null) {
            return null;
        }
        PrometheusConfig prometheus = null;
        if (f.has("prometheus")) {
            Fields p = Fields.open(f.get("prometheus"), problems, PROMETHEUS_KEYS);
            if (p == null) {
                f.fail();
            } else {
                String host = p.has("host") ? p.track(Values.host(p.get("host"), problems)) : PrometheusConfig.DEFAULT_HOST;
                Integer port = p.has("port") ? p.track(Values.port(p.get("port"), problems)) : PrometheusConfig.DEFAULT_PORT;
                prometheus = p.ok() ? new PrometheusConfig(host, port) : f.<PrometheusConfig>track(null);
            }
        }
        StatsdConfig statsd = null;
        if (f.has("statsd")) {
            Fields s = Fields.open(f.get("statsd"), problems, STATSD_KEYS);
            if (s == null) {
                f.fail();
            } else {
                String host = s.has("host") ? s.track(Values.host(s.get("host"), problems)) : StatsdConfig.DEFAULT_HOST;
                Integer port = s.has("port") ? s.track(Values.port(s.get("port"), problems)) : StatsdConfig.DEFAULT_PORT;
                Boolean dogstatsd = s.bool("dogstatsd", false);
                statsd = s.ok() ? new StatsdConfig(host, port, dogstatsd) : f.<StatsdConfig>track(null);
            }
        }
        OtlpConfig otlp = f.has("otlp") ? f.track(otlp(f.get("otlp"), problems)) : null;
        return f.ok() ? new MetricsConfig(prometheus, statsd, otlp) : null;
    }

    private static OtlpConfig otlp(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, OTLP_KEYS);
        if (f == null) {
            return null;
        }
        String endpoint = f.has("endpoint") ? f.track(Values.url(f.get("endpoint"), problems)) : OtlpConfig.DEFAULT_ENDPOINT;
        return f.ok() ? new OtlpConfig(endpoint) : null;
    }

    private static TracingConfig tracing(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, TRACING_KEYS);
        if (f == null) {
            return null;
        }
        List<Propagator> propagators = TracingConfig.DEFAULT_PROPAGATORS;
        if (f.has("propagators")) {
            propagators = f.track(propagators(f.get("propagators"), problems));
        }
        Double sampling = f.has("sampling") ? f.track(Values.fraction(f.get("sampling"), problems))
                : Double.valueOf(TracingConfig.DEFAULT_SAMPLING);
        OtlpConfig otlp = f.has("otlp") ? f.track(otlp(f.get("otlp"), problems)) : null;
        return f.ok() ? new TracingConfig(propagators, sampling, otlp) : null;
    }

    private static List<Propagator> propagators(Node node, Problems problems) {
        if (!node.is(Node.Kind.LIST)) {
            problems.error(node, node.where() + ": expected a list like [tracecontext, baggage], got "
                    + node.describe());
            return null;
        }
        List<Propagator> result = new ArrayList<Propagator>();
        boolean ok = true;
        for (Node item : node.items()) {
            Propagator p = Values.choice(item, Propagator.BY_NAME, problems);
            if (p == null) {
                ok = false;
            } else if (result.contains(p)) {
                problems.warn(item, item.where() + ": " + p + " is listed more than once; the duplicate is ignored");
            } else {
                result.add(p);
            }
        }
        return ok ? result : null;
    }

    private static AdminConfig admin(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, ADMIN_KEYS);
        if (f == null) {
            return null;
        }
        String host = f.has("host") ? f.track(Values.host(f.get("host"), problems)) : AdminConfig.DEFAULT_HOST;
        Node portNode = f.require("port");
        Integer port = portNode == null ? null : f.track(Values.port(portNode, problems));
        return f.ok() ? new AdminConfig(host, port) : null;
    }
}
