package dev.jmesh.smoke;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * A local OTLP/HTTP receiver on 127.0.0.1: {@code POST /v1/traces} bodies decoded with the OTLP protobuf classes
 * (so what is checked is what any collector would read); other signals are accepted and ignored.
 */
final class OtlpReceiver implements AutoCloseable {
    /** One span as received, with its resource's {@code service.name} and its scope. */
    record ReceivedSpan(String service, String scope, String traceId, String spanId, String parentSpanId,
                        String name, Span.SpanKind kind, int statusCode, Map<String, Object> attributes) {
        Object attribute(String key) {
            return attributes.get(key);
        }

        @Override
        public String toString() {
            return service + " " + kind + " '" + name + "' " + traceId + "/" + spanId + " parent " + parentSpanId
                    + " (" + scope + ") status " + statusCode + " " + attributes;
        }
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    static OtlpReceiver start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        OtlpReceiver receiver = new OtlpReceiver(server);
        server.createContext("/", receiver::handle);
        server.start();
        return receiver;
    }

    /** {@code http://127.0.0.1:PORT}: the base URL both jmesh and the OpenTelemetry agent take. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    /** Waits (at most {@code timeout}) until {@code enough} holds for the spans received so far. */
    List<ReceivedSpan> await(Predicate<List<ReceivedSpan>> enough, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!enough.test(spans()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("the receiver could not decode a request: " + problems);
        }
        return spans();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                    ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            byte[] answer = new byte[0];
            if (exchange.getRequestURI().getPath().equals("/v1/traces")) {
                try {
                    receive(ExportTraceServiceRequest.parseFrom(body));
                    answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                } catch (IOException | RuntimeException e) {
                    problems.add(e.toString());
                    exchange.sendResponseHeaders(400, -1);
                    return;
                }
            }
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    private void receive(ExportTraceServiceRequest request) {
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
            String service = String.valueOf(attributes(resourceSpans.getResource().getAttributesList())
                    .get("service.name"));
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                String scope = scopeSpans.getScope().getName();
                for (Span span : scopeSpans.getSpansList()) {
                    spans.add(new ReceivedSpan(service, scope, hex(span.getTraceId()), hex(span.getSpanId()),
                            span.getParentSpanId().isEmpty() ? null : hex(span.getParentSpanId()), span.getName(),
                            span.getKind(), span.getStatus().getCodeValue(), attributes(span.getAttributesList())));
                }
            }
        }
    }

    private static Map<String, Object> attributes(List<KeyValue> list) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (KeyValue kv : list) {
            map.put(kv.getKey(), value(kv.getValue()));
        }
        return map;
    }

    private static Object value(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case INT_VALUE -> v.getIntValue();
            case BOOL_VALUE -> v.getBoolValue();
            case DOUBLE_VALUE -> v.getDoubleValue();
            case ARRAY_VALUE -> {
                List<Object> items = new ArrayList<>();
                v.getArrayValue().getValuesList().forEach(item -> items.add(value(item)));
                yield items;
            }
            default -> v.toString();
        };
    }

    private static String hex(ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
