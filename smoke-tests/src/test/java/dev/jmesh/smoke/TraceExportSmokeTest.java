package dev.jmesh.smoke;

import dev.jmesh.smoke.OtlpReceiver.ReceivedSpan;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #7's "done when" for traces: legacy-shop calls the inventory service (JDK HttpServer), which calls a
 * pricing upstream; both JVMs export spans over OTLP/HTTP to a receiver this test runs on 127.0.0.1. Every id
 * the access logs show is the id of a received span, and the spans form one tree per call: the shop's call span,
 * its attempt span (whose id the request's traceparent carried), the inventory's server span under it, the
 * inventory's call to pricing under that. Then the same with the OpenTelemetry Java agent attached to the
 * inventory too: its spans, exported to the same receiver, are in the same trace, its server span's parent is the
 * shop's attempt span.
 */
class TraceExportSmokeTest {
    private static final int CALLS = 4;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile("LISTENING (\\d+)");

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void bothJvmsExportTheSpansTheirAccessLogsName() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start()) {
            Chain chain = runChain(receiver, List.of());
            var spans = receiver.await(all -> byService(all, "inventory").size() >= 3 * CALLS
                    && byService(all, "legacy-shop").size() >= 2 * CALLS, WAIT);

            assertEquals(2 * CALLS, byService(spans, "legacy-shop").size(), "a call and an attempt span per call: "
                    + spans);
            assertEquals(3 * CALLS, byService(spans, "inventory").size(),
                    "a server span, a call span and its attempt's span per request: " + spans);
            Map<String, ReceivedSpan> byId = spans.stream()
                    .collect(Collectors.toMap(ReceivedSpan::spanId, Function.identity()));
            for (AccessLogFile.Entry call : chain.shopCalls) {
                String traceId = call.text("trace_id");
                ReceivedSpan shopSpan = span(byId, call.text("span_id"), "the shop's call " + call, spans);
                assertEquals(traceId, shopSpan.traceId());
                assertEquals("jmesh", scopeOwner(shopSpan));
                assertEquals(SpanKind.SPAN_KIND_CLIENT, shopSpan.kind());
                assertEquals("GET", shopSpan.name());
                assertEquals("GET", shopSpan.attribute("http.request.method"));
                assertEquals("inventory", shopSpan.attribute("server.address"));
                assertEquals(call.path(), shopSpan.attribute("url.path"));
                assertEquals(200L, shopSpan.attribute("http.response.status_code"));
                assertEquals("inventory", shopSpan.attribute("jmesh.service"));
                assertEquals(1L, shopSpan.attribute("jmesh.attempts"));
                assertTrue(String.valueOf(shopSpan.attribute("jmesh.caller")).startsWith("dev.jmesh.demo.shop."),
                        shopSpan.toString());

                var served = chain.inventoryInbound.get(traceId);
                assertNotNull(served, "the inventory served this call in the same trace: " + call);
                ReceivedSpan server = span(byId, served.text("span_id"), "the inventory's server span", spans);
                assertEquals(traceId, server.traceId());
                assertEquals(SpanKind.SPAN_KIND_SERVER, server.kind());
                assertEquals(served.text("parent_span_id"), server.parentSpanId());
                ReceivedSpan attempt = span(byId, server.parentSpanId(), "the shop's attempt span", spans);
                assertEquals("legacy-shop", attempt.service());
                assertEquals(SpanKind.SPAN_KIND_CLIENT, attempt.kind());
                assertEquals(shopSpan.spanId(), attempt.parentSpanId(), "the attempt is a child of the call span");
                assertEquals(traceId, attempt.traceId());
                assertEquals(1L, attempt.attribute("jmesh.attempt"));

                var priced = chain.inventoryOutbound.get(traceId);
                assertNotNull(priced, "the inventory's own call joined the trace");
                ReceivedSpan pricing = span(byId, priced.text("span_id"), "the inventory's call to pricing", spans);
                assertEquals(traceId, pricing.traceId());
                assertEquals(server.spanId(), pricing.parentSpanId());
                assertEquals("pricing", pricing.attribute("jmesh.service"));
                String sent = chain.pricingReceived.get(pricing.attribute("url.path"));
                ReceivedSpan pricingAttempt = span(byId, sent.substring(36, 52), "the attempt pricing saw as parent",
                        spans);
                assertEquals("00-" + traceId + "-" + pricingAttempt.spanId() + "-01", sent);
                assertEquals(pricing.spanId(), pricingAttempt.parentSpanId());
            }
            for (ReceivedSpan span : spans) {
                assertFalse(span.toString().contains("?"), "no query string in a span: " + span);
            }
            System.out.println("[received] " + spans.stream().filter(s -> s.traceId().equals(
                    chain.shopCalls.get(0).text("trace_id"))).map(Object::toString)
                    .collect(Collectors.joining("\n[received] ")));
        }
    }

    /** JDBC (in-memory H2): one client span per access-log line, same ids, db.* attributes, no literal, no password. */
    @Test
    void jdbcStatementsAreClientSpansWithTheAccessLogIds() throws Exception {
        String password = "h2-secret-pw";
        try (OtlpReceiver receiver = OtlpReceiver.start()) {
            Path accessLog = dir.resolve("access.log");
            Path config = MeshYaml.write(dir, "mesh.yaml", """
                    service: jdbc-app
                    databases:
                      inventory-db: { match: "jdbc:h2:mem:*" }
                    telemetry:
                      accessLog: { format: json, path: %s }
                      tracing: { otlp: { endpoint: "%s" } }
                    """.formatted(MeshYaml.quoted(accessLog.toString()), receiver.endpoint()));
            JavaProcess app = processes.javaJar("jdbc-app", List.of("-javaagent:" + SmokeEnv.agentJar(),
                    "-Djmesh.config=" + config), SmokeEnv.jdbcAppJar(), List.of("--url",
                    "jdbc:h2:mem:shop;DB_CLOSE_DELAY=-1", "--user", "sa", "--password", password,
                    "--iterations", "2", "--interval-ms", "1"), dir);
            assertEquals(0, app.awaitExit(WAIT), app.describe());
            List<AccessLogFile.Entry> lines = AccessLogFile.read(accessLog);
            var spans = receiver.await(all -> all.size() >= lines.size(), WAIT);

            assertEquals(lines.size(), spans.size(), "one span per statement: " + spans);
            Map<String, ReceivedSpan> byId = spans.stream()
                    .collect(Collectors.toMap(ReceivedSpan::spanId, Function.identity()));
            for (AccessLogFile.Entry line : lines) {
                ReceivedSpan span = span(byId, line.text("span_id"), "the span of " + line.line(), spans);
                assertEquals(line.text("trace_id"), span.traceId());
                assertEquals(SpanKind.SPAN_KIND_CLIENT, span.kind());
                assertEquals("jdbc-app", span.service());
                assertEquals("h2", span.attribute("db.system"));
                assertEquals(line.method(), span.attribute("db.operation.name"));
                assertEquals("shop", span.attribute("db.namespace"));
                assertEquals(line.text("statement"), span.attribute("db.query.text"));
                assertEquals("inventory-db", span.attribute("jmesh.service"));
            }
            assertTrue(spans.stream().anyMatch(s -> s.name().equals("SELECT orders")
                    && "SELECT count(*) FROM orders WHERE customer = ? OR total > ?".equals(
                            s.attribute("db.query.text"))), spans.toString());
            for (ReceivedSpan span : spans) {
                assertFalse(span.toString().contains("alice"), "no literal: " + span);
                assertFalse(span.toString().contains(password), "no password: " + span);
            }
        }
    }

    /**
     * The OpenTelemetry Java agent on the inventory too, before or after jmesh on the command line. Its HTTP server
     * instrumentation is a filter inside the chain that jmesh weaves, so jmesh sees each request first; both read
     * the same traceparent, so its server span is, like jmesh's, a child of the shop's attempt span. The inventory's
     * call to pricing is made in its context: jmesh's call span joins the agent's current span.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"otel-agent-first", "jmesh-first"})
    void withTheOpenTelemetryAgentOnTheServerSideOneTrace(String order) throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start()) {
            List<String> otel = List.of("-javaagent:" + SmokeEnv.otelJavaagentJar(),
                    "-Dotel.service.name=inventory-otel",
                    "-Dotel.exporter.otlp.endpoint=" + receiver.endpoint(),
                    "-Dotel.exporter.otlp.protocol=http/protobuf",
                    "-Dotel.traces.exporter=otlp", "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none",
                    "-Dotel.bsp.schedule.delay=200");
            Chain chain = runChain(receiver, order.equals("otel-agent-first") ? otel : List.of(), otel,
                    order.equals("jmesh-first"));
            var spans = receiver.await(all -> byService(all, "inventory").size() >= 2 * CALLS
                    && byService(all, "legacy-shop").size() >= 2 * CALLS
                    && byService(all, "inventory-otel").stream().filter(s -> s.kind() == SpanKind.SPAN_KIND_SERVER)
                    .count() >= CALLS, WAIT);
            Map<String, ReceivedSpan> byId = spans.stream()
                    .collect(Collectors.toMap(ReceivedSpan::spanId, Function.identity()));
            List<String> parentsSeenByPricing = new ArrayList<>();
            for (AccessLogFile.Entry call : chain.shopCalls) {
                String traceId = call.text("trace_id");
                List<ReceivedSpan> inTrace = spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
                ReceivedSpan shopSpan = span(byId, call.text("span_id"), "the shop's call " + call, spans);
                ReceivedSpan attempt = inTrace.stream().filter(s -> s.service().equals("legacy-shop")
                        && shopSpan.spanId().equals(s.parentSpanId())).findFirst().orElseThrow(
                                () -> new AssertionError("no attempt span under " + shopSpan + " in " + inTrace));

                List<ReceivedSpan> otelServer = inTrace.stream().filter(s -> s.service().equals("inventory-otel")
                        && s.kind() == SpanKind.SPAN_KIND_SERVER).toList();
                assertEquals(1, otelServer.size(), "the agent's server span is in the shop's trace: " + inTrace
                        + "\nall: " + spans);
                assertEquals(attempt.spanId(), otelServer.get(0).parentSpanId(),
                        "its parent is the shop's attempt span, whose id the traceparent carried");
                assertTrue(otelServer.get(0).scope().startsWith("io.opentelemetry."), otelServer.toString());

                var served = chain.inventoryInbound.get(traceId);
                assertNotNull(served, "jmesh's inbound line is in the same trace: " + call);
                ReceivedSpan jmeshServer = span(byId, served.text("span_id"), "jmesh's server span", spans);
                assertEquals(traceId, jmeshServer.traceId());
                assertTrue(jmeshServer.parentSpanId().equals(attempt.spanId())
                                || jmeshServer.parentSpanId().equals(otelServer.get(0).spanId()),
                        "a child of the shop's attempt or of the agent's server span: " + jmeshServer);

                var priced = chain.inventoryOutbound.get(traceId);
                assertNotNull(priced, "the inventory's call to pricing is in the same trace");
                ReceivedSpan pricing = span(byId, priced.text("span_id"), "jmesh's call to pricing", spans);
                assertEquals(traceId, pricing.traceId());
                ReceivedSpan pricingParent = span(byId, pricing.parentSpanId(), "the parent of jmesh's call", spans);
                assertEquals("inventory-otel", pricingParent.service(),
                        "jmesh's call joined the agent's current span: " + pricingParent);
                List<ReceivedSpan> otelClients = inTrace.stream().filter(s -> s.service().equals("inventory-otel")
                        && s.kind() == SpanKind.SPAN_KIND_CLIENT).toList();
                assertFalse(otelClients.isEmpty(), "the agent's client span for pricing is in the trace too: "
                        + inTrace);
                String sent = chain.pricingReceived.get(pricing.attribute("url.path"));
                assertTrue(sent.startsWith("00-" + traceId + "-"), "pricing got the trace: " + sent);
                parentsSeenByPricing.add(span(byId, sent.substring(36, 52), "the span pricing saw as parent", spans)
                        .scope());
                for (ReceivedSpan span : inTrace) {
                    if (span.parentSpanId() != null) {
                        assertNotNull(byId.get(span.parentSpanId()), "every parent was exported: " + span
                                + "\n" + inTrace);
                    }
                }
            }
            String first = chain.shopCalls.get(0).text("trace_id");
            System.out.println("[pricing's parent " + order + "] " + parentsSeenByPricing);
            System.out.println("[received " + order + "] " + spans.stream().filter(s -> s.traceId().equals(first))
                    .map(Object::toString).collect(Collectors.joining("\n[received " + order + "] ")));
        }
    }

    /** The access log lines, and the traceparent pricing received for each {@code /prices/N} path. */
    private record Chain(List<AccessLogFile.Entry> shopCalls, Map<String, AccessLogFile.Entry> inventoryInbound,
                         Map<String, AccessLogFile.Entry> inventoryOutbound, Map<String, String> pricingReceived) { }

    private Chain runChain(OtlpReceiver receiver, List<String> inventoryFlags) throws Exception {
        return runChain(receiver, inventoryFlags, List.of(), false);
    }

    /** pricing, the inventory (flags before jmesh's, then, if {@code after}, {@code others} after it), the shop. */
    private Chain runChain(OtlpReceiver receiver, List<String> before, List<String> others, boolean after)
            throws Exception {
        Path pricingLog = dir.resolve("pricing-received.txt");
        Upstream pricing = Upstream.start(processes, "pricing", "--trace-log", pricingLog.toString());
        Path inventoryLog = dir.resolve("inventory-access.log");
        Path inventoryConfig = MeshYaml.write(dir, "inventory.yaml", """
                service: inventory
                services:
                  pricing:
                    endpoints: %s
                telemetry:
                  accessLog: { format: json, path: %s }
                  tracing: { otlp: { endpoint: "%s" } }
                """.formatted(MeshYaml.endpoints(pricing), MeshYaml.quoted(inventoryLog.toString()),
                receiver.endpoint()));
        List<String> jvm = new ArrayList<>(before);
        jvm.addAll(Shop.agent(inventoryConfig));
        jvm.add("-Djmesh.agent.spanExportMillis=200");
        if (after) {
            jvm.addAll(others);
        }
        JavaProcess inventory = processes.javaJar("inventory+agents", jvm, SmokeEnv.inventoryJar(),
                List.of("--pricing", "http://pricing"), null);
        Matcher listening = inventory.awaitStdoutLine(LISTENING, Duration.ofSeconds(60));

        Path shopLog = dir.resolve("shop-access.log");
        Path shopConfig = MeshYaml.write(dir, "shop.yaml", """
                service: legacy-shop
                services:
                  inventory:
                    endpoints: ["127.0.0.1:%s"]
                telemetry:
                  accessLog: { format: json, path: %s }
                  tracing: { otlp: { endpoint: "%s" } }
                """.formatted(listening.group(1), MeshYaml.quoted(shopLog.toString()), receiver.endpoint()));
        List<String> shopJvm = new ArrayList<>(Shop.agent(shopConfig));
        shopJvm.add("-Djmesh.agent.spanExportMillis=200");
        Shop.Run run = Shop.run(processes, shopJvm, "--calls", String.valueOf(CALLS));
        assertEquals(CALLS, run.ok(), run.describe());
        assertTrue(run.jmeshLines().stream().noneMatch(l -> l.contains("WARN")), run.jmeshLines().toString());

        var shopCalls = AccessLogFile.read(shopLog);
        assertEquals(CALLS, shopCalls.size());
        var inventoryLines = AccessLogFile.awaitWhileWritten(inventoryLog, lines -> lines.size() >= 2 * CALLS,
                inventory, Duration.ofSeconds(30));
        assertEquals(2 * CALLS, inventoryLines.size(), "one inbound and one outbound line per request: "
                + inventoryLines);
        assertTrue(inventory.stderrLines().stream().noneMatch(l -> l.startsWith("[jmesh] WARN")),
                inventory.describe());
        Predicate<AccessLogFile.Entry> inbound = e -> e.direction().equals("inbound");
        Map<String, String> received = Files.readAllLines(pricingLog).stream().map(l -> l.split(" "))
                .collect(Collectors.toMap(f -> f[1], f -> f[2]));
        assertEquals(CALLS, received.size(), received.toString());
        return new Chain(shopCalls,
                inventoryLines.stream().filter(inbound).collect(Collectors.toMap(e -> e.text("trace_id"), e -> e)),
                inventoryLines.stream().filter(inbound.negate()).collect(Collectors.toMap(e -> e.text("trace_id"),
                        e -> e)), received);
    }

    private static List<ReceivedSpan> byService(List<ReceivedSpan> spans, String service) {
        return spans.stream().filter(s -> s.service().equals(service)).toList();
    }

    private static ReceivedSpan span(Map<String, ReceivedSpan> byId, String spanId, String what,
                                     List<ReceivedSpan> all) {
        ReceivedSpan span = spanId == null ? null : byId.get(spanId);
        assertNotNull(span, what + " (span " + spanId + ") was received:\n" + all.stream().map(Object::toString)
                .collect(Collectors.joining("\n")));
        return span;
    }

    private static String scopeOwner(ReceivedSpan span) {
        return span.scope().equals("dev.jmesh") ? "jmesh" : span.scope();
    }
}
