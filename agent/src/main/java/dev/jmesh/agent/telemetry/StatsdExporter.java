package dev.jmesh.agent.telemetry;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.StatsdConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.data.SumData;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Sends the metrics that changed since the last export as StatsD lines over UDP, from the export thread:
 * counters as {@code name:delta|c}, gauges as {@code name:value|g}, and each duration histogram as
 * {@code name.count} and {@code name.sum} counters (seconds) plus {@code name.max} as a gauge; StatsD
 * timers need every single value, which an aggregating SDK no longer has. With {@code dogstatsd: true}
 * the attributes go as DogStatsD tags ({@code |#server.address:inventory,...}); plain StatsD has no tags,
 * so their values are appended to the name, Graphite style, in attribute-name order. The channel is
 * non-blocking: a packet the kernel cannot take is dropped (UDP would lose it anyway).
 */
final class StatsdExporter {
    /** Fits an Ethernet MTU with IP and UDP headers, as StatsD clients commonly do. */
    static final int MAX_PACKET = 1432;

    private final StatsdConfig config;
    /** Opened by the first export, on the export thread: resolving the host must not hold up the config thread. */
    private volatile DatagramChannel channel;
    private volatile boolean closed;

    StatsdExporter(StatsdConfig config) {
        this.config = config;
    }

    StatsdConfig config() {
        return config;
    }

    void export(Collection<MetricData> metrics) {
        List<String> lines = lines(metrics, config.dogstatsd());
        StringBuilder packet = new StringBuilder(MAX_PACKET);
        for (String line : lines) {
            if (packet.length() > 0 && packet.length() + 1 + line.length() > MAX_PACKET) {
                send(packet);
                packet.setLength(0);
            }
            if (packet.length() > 0) {
                packet.append('\n');
            }
            packet.append(line);
        }
        if (packet.length() > 0) {
            send(packet);
        }
    }

    private void send(StringBuilder packet) {
        if (closed) {
            return; // replaced by a reload
        }
        try {
            DatagramChannel c = channel;
            if (c == null) {
                c = DatagramChannel.open();
                c.configureBlocking(false);
                c.connect(new InetSocketAddress(config.host(), config.port()));
                channel = c;
                if (closed) {
                    c.close();
                    return;
                }
            }
            c.write(ByteBuffer.wrap(packet.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            if (closed) {
                return;
            }
            AgentLog.warnOnce("statsd-send", "cannot send StatsD metrics to " + config.host() + ":" + config.port()
                    + " (" + e + "); trying again at each export");
        }
    }

    /** Called on the config thread after the exporter was replaced; the export thread no longer uses it. */
    void close() {
        closed = true;
        DatagramChannel c = channel;
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing was promised about a closing UDP socket
        }
    }

    static List<String> lines(Collection<MetricData> metrics, boolean dogstatsd) {
        List<String> lines = new ArrayList<String>();
        for (MetricData metric : metrics) {
            String name = metric.getName();
            switch (metric.getType()) {
                case LONG_SUM:
                    sum(name, metric.getLongSumData(), dogstatsd, lines);
                    break;
                case DOUBLE_SUM:
                    sum(name, metric.getDoubleSumData(), dogstatsd, lines);
                    break;
                case LONG_GAUGE:
                    for (LongPointData p : metric.getLongGaugeData().getPoints()) {
                        lines.add(line(name, Long.toString(p.getValue()), "g", p.getAttributes(), dogstatsd));
                    }
                    break;
                case DOUBLE_GAUGE:
                    for (DoublePointData p : metric.getDoubleGaugeData().getPoints()) {
                        lines.add(line(name, number(p.getValue()), "g", p.getAttributes(), dogstatsd));
                    }
                    break;
                case HISTOGRAM:
                    for (HistogramPointData p : metric.getHistogramData().getPoints()) {
                        if (p.getCount() == 0) {
                            continue;
                        }
                        lines.add(line(name + ".count", Long.toString(p.getCount()), "c", p.getAttributes(), dogstatsd));
                        lines.add(line(name + ".sum", number(p.getSum()), "c", p.getAttributes(), dogstatsd));
                        if (p.hasMax()) {
                            lines.add(line(name + ".max", number(p.getMax()), "g", p.getAttributes(), dogstatsd));
                        }
                    }
                    break;
                default:
                    break;
            }
        }
        return lines;
    }

    private static void sum(String name, SumData<? extends PointData> data, boolean dogstatsd, List<String> lines) {
        for (PointData p : data.getPoints()) {
            boolean isLong = p instanceof LongPointData;
            double value = isLong ? ((LongPointData) p).getValue() : ((DoublePointData) p).getValue();
            if (data.isMonotonic() && value == 0) {
                continue; // nothing happened in this interval
            }
            String text = isLong ? Long.toString(((LongPointData) p).getValue()) : number(value);
            lines.add(line(name, text, data.isMonotonic() ? "c" : "g", p.getAttributes(), dogstatsd));
        }
    }

    private static String line(String name, String value, String type, Attributes attributes, boolean dogstatsd) {
        StringBuilder b = new StringBuilder(64).append(clean(name));
        if (!dogstatsd) {
            for (Map.Entry<AttributeKey<?>, Object> e : attributes.asMap().entrySet()) {
                b.append('.').append(clean(String.valueOf(e.getValue())).replace('.', '_'));
            }
        }
        b.append(':').append(value).append('|').append(type);
        if (dogstatsd && !attributes.isEmpty()) {
            b.append("|#");
            boolean first = true;
            for (Map.Entry<AttributeKey<?>, Object> e : attributes.asMap().entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                b.append(clean(e.getKey().getKey())).append(':').append(clean(String.valueOf(e.getValue())));
            }
        }
        return b.toString();
    }

    /** StatsD's separators (':', '|', '@', '#', ',') and whitespace cannot appear in names or tags. */
    private static String clean(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c == ':' || c == '|' || c == '@' || c == '#' || c == ',' || Character.isWhitespace(c) ? '_' : c);
        }
        return b.toString();
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
