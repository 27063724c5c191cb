package dev.jmesh.agent.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.data.SumData;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Prometheus text exposition format 0.0.4 from the SDK's metric data, named as OpenTelemetry's
 * Prometheus compatibility rules say: dots become underscores, the unit becomes a suffix
 * ({@code s} -> {@code _seconds}; annotations such as {@code {retry}} are dropped), monotonic sums get
 * {@code _total}, histograms are {@code _bucket{le=...}}, {@code _sum} and {@code _count}. So
 * {@code http.client.request.duration} is {@code http_client_request_duration_seconds_bucket}.
 *
 * <p>Written here rather than with OpenTelemetry's Prometheus exporter because that one comes with the
 * Prometheus client library's HTTP server and protobuf exposition, which the agent does not need.
 */
final class PrometheusText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    static String write(Collection<MetricData> metrics) {
        List<MetricData> sorted = new ArrayList<MetricData>(metrics);
        Collections.sort(sorted, Comparator.comparing(MetricData::getName));
        StringBuilder out = new StringBuilder(4096);
        for (MetricData metric : sorted) {
            write(metric, out);
        }
        return out.toString();
    }

    private static void write(MetricData metric, StringBuilder out) {
        String base = baseName(metric.getName(), metric.getUnit());
        switch (metric.getType()) {
            case LONG_SUM:
                writeSum(base, metric, metric.getLongSumData(), out);
                break;
            case DOUBLE_SUM:
                writeSum(base, metric, metric.getDoubleSumData(), out);
                break;
            case LONG_GAUGE:
                header(base, "gauge", metric, out);
                for (LongPointData p : metric.getLongGaugeData().getPoints()) {
                    sample(base, p.getAttributes(), null, null, Long.toString(p.getValue()), out);
                }
                break;
            case DOUBLE_GAUGE:
                header(base, "gauge", metric, out);
                for (DoublePointData p : metric.getDoubleGaugeData().getPoints()) {
                    sample(base, p.getAttributes(), null, null, number(p.getValue()), out);
                }
                break;
            case HISTOGRAM:
                header(base, "histogram", metric, out);
                for (HistogramPointData p : metric.getHistogramData().getPoints()) {
                    List<Double> bounds = p.getBoundaries();
                    List<Long> counts = p.getCounts();
                    long cumulative = 0;
                    for (int i = 0; i < counts.size(); i++) {
                        cumulative += counts.get(i);
                        String le = i < bounds.size() ? number(bounds.get(i)) : "+Inf";
                        sample(base + "_bucket", p.getAttributes(), "le", le, Long.toString(cumulative), out);
                    }
                    sample(base + "_sum", p.getAttributes(), null, null, number(p.getSum()), out);
                    sample(base + "_count", p.getAttributes(), null, null, Long.toString(p.getCount()), out);
                }
                break;
            default:
                break; // summaries and exponential histograms: the agent makes none
        }
    }

    private static void writeSum(String base, MetricData metric, SumData<? extends PointData> data,
                                 StringBuilder out) {
        boolean counter = data.isMonotonic();
        String name = counter && !base.endsWith("_total") ? base + "_total" : base;
        header(name, counter ? "counter" : "gauge", metric, out);
        for (PointData p : data.getPoints()) {
            String value = p instanceof LongPointData ? Long.toString(((LongPointData) p).getValue())
                    : number(((DoublePointData) p).getValue());
            sample(name, p.getAttributes(), null, null, value, out);
        }
    }

    private static void header(String name, String type, MetricData metric, StringBuilder out) {
        if (!metric.getDescription().isEmpty()) {
            out.append("# HELP ").append(name).append(' ');
            escape(metric.getDescription(), false, out);
            out.append('\n');
        }
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(String name, Attributes attributes, String extraKey, String extraValue,
                               String value, StringBuilder out) {
        out.append(name);
        if (!attributes.isEmpty() || extraKey != null) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<AttributeKey<?>, Object> e : attributes.asMap().entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                out.append(labelName(e.getKey().getKey())).append("=\"");
                escape(String.valueOf(e.getValue()), true, out);
                out.append('"');
            }
            if (extraKey != null) {
                out.append(first ? "" : ",").append(extraKey).append("=\"").append(extraValue).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(value).append('\n');
    }

    /** The metric name with its unit suffix, before any {@code _total}. */
    static String baseName(String name, String unit) {
        String base = sanitize(name, true);
        String suffix = unitSuffix(unit);
        if (!suffix.isEmpty() && !base.endsWith("_" + suffix)) {
            base = base + "_" + suffix;
        }
        return base;
    }

    private static String unitSuffix(String unit) {
        if (unit == null) {
            return "";
        }
        String u = unit.replaceAll("\\{[^}]*\\}", "").trim();
        switch (u) {
            case "s": return "seconds";
            case "ms": return "milliseconds";
            case "By": return "bytes";
            case "1":
            case "":
                return "";
            default:
                return sanitize(u, false);
        }
    }

    static String labelName(String key) {
        String name = sanitize(key, false);
        return !name.isEmpty() && Character.isDigit(name.charAt(0)) ? "key_" + name : name;
    }

    /** Characters outside [a-zA-Z0-9_] (and ':' in metric names) become '_', runs of '_' collapse to one. */
    private static String sanitize(String s, boolean metricName) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || (metricName && c == ':');
            char w = ok ? c : '_';
            if (w != '_' || b.length() == 0 || b.charAt(b.length() - 1) != '_') {
                b.append(w);
            }
        }
        return b.toString();
    }

    private static void escape(String s, boolean quoted, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '"' && quoted) {
                out.append("\\\"");
            } else {
                out.append(c);
            }
        }
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v) + ".0";
        }
        return Double.toString(v);
    }
}
