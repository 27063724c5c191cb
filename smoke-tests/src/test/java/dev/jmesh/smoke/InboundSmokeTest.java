package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two JVMs with jmesh: legacy-shop calls the inventory service (JDK HttpServer), which calls a pricing
 * upstream while it handles each request. Both access logs carry the same trace id for each call, in each
 * propagation format; the inventory's own call is a child of its inbound span. And an inbound rate limit
 * answers 429 without the application's handler.
 */
class InboundSmokeTest {
    private static final int CALLS = 6;

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    /** The header each format writes, which must reach the server, and one another format writes. */
    private static final Map<String, String> HEADER = Map.of("tracecontext", "traceparent", "b3", "b3",
            "b3multi", "X-B3-TraceId", "xray", "X-Amzn-Trace-Id");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tracecontext", "b3", "b3multi", "xray"})
    void oneTraceIdAcrossBothJvmsInEachFormat(String propagator) throws Exception {
        Upstream pricing = Upstream.start(processes, "pricing");
        Path inventoryLog = dir.resolve("inventory-access.log");
        Path received = dir.resolve("inventory-received.txt");
        InventoryService inventory = InventoryService.start(processes, MeshYaml.write(dir, "inventory.yaml", """
                service: inventory
                services:
                  pricing:
                    endpoints: %s
                telemetry:
                  accessLog: { format: json, path: %s }
                  tracing: { propagators: [%s] }
                """.formatted(MeshYaml.endpoints(pricing), MeshYaml.quoted(inventoryLog.toString()), propagator)),
                "--pricing", "http://pricing", "--trace-log", received.toString());
        Path shopLog = dir.resolve("shop-access.log");
        Path shopConfig = MeshYaml.write(dir, "shop.yaml", """
                service: legacy-shop
                services:
                  inventory:
                    endpoints: ["%s"]
                telemetry:
                  accessLog: { format: json, path: %s }
                  tracing: { propagators: [%s] }
                """.formatted(inventory.address(), MeshYaml.quoted(shopLog.toString()), propagator));

        Shop.Run run = Shop.run(processes, Shop.agent(shopConfig), "--calls", String.valueOf(CALLS));

        assertEquals(CALLS, run.ok(), run.describe());
        var shopCalls = AccessLogFile.read(shopLog);
        assertEquals(CALLS, shopCalls.size());
        var inventoryLines = AccessLogFile.awaitWhileWritten(inventoryLog, lines -> lines.size() >= 2 * CALLS,
                inventory.process(), Duration.ofSeconds(30));
        assertEquals(2 * CALLS, inventoryLines.size(), "one inbound and one outbound line per request");
        Map<String, AccessLogFile.Entry> inboundByTrace = inventoryLines.stream()
                .filter(e -> e.direction().equals("inbound"))
                .collect(Collectors.toMap(e -> e.text("trace_id"), Function.identity()));
        Map<String, AccessLogFile.Entry> outboundByTrace = inventoryLines.stream()
                .filter(e -> e.direction().equals("outbound"))
                .collect(Collectors.toMap(e -> e.text("trace_id"), Function.identity()));
        assertEquals(CALLS, inboundByTrace.size(), "one trace per call");
        for (var call : shopCalls) {
            assertEquals("outbound", call.direction());
            assertEquals("inventory", call.service());
            String traceId = call.text("trace_id");
            var served = inboundByTrace.get(traceId);
            assertTrue(served != null, "the inventory served this call in the same trace: " + call + "\n"
                    + inventoryLines);
            assertEquals("http", served.protocol());
            assertEquals("inventory", served.service());
            assertEquals("GET", served.method());
            assertEquals(call.path(), served.path());
            assertEquals(200L, served.status());
            assertEquals(List.of(), served.flags());
            assertNull(served.caller());
            var priced = outboundByTrace.get(traceId);
            assertTrue(priced != null, "the inventory's own call joined the trace: " + inventoryLines);
            assertEquals("pricing", priced.service());
            assertEquals(served.text("span_id"), priced.text("parent_span_id"),
                    "the inventory's call is a child of its inbound span");
        }
        String header = HEADER.get(propagator);
        List<String> requests = Files.readAllLines(received);
        assertEquals(CALLS, requests.size());
        for (String request : requests) {
            assertTrue(request.contains(" " + header + "="), "the request carried " + header + ": " + request);
            HEADER.values().stream().filter(other -> !other.equals(header)).forEach(other ->
                    assertFalse(request.contains(" " + other + "="), "only the configured format: " + request));
        }
    }

    /**
     * Fail-open on the server side: an engine that throws at admission leaves every request to the application
     * (the rate limit of 1 never acts); a sink that throws loses the records but not the policy (one request
     * admitted, the rest 429). Either is reported once.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"routing, 6", "telemetry, 1"})
    void aBrokenEngineLeavesTheServerUntouched(String stage, int admitted) throws Exception {
        Path inventoryLog = dir.resolve("inventory-access.log");
        InventoryService inventory = InventoryService.start(processes, MeshYaml.write(dir, "inventory.yaml", """
                service: inventory
                inbound:
                  rateLimit: { requestsPerSecond: 0.01, burst: 1 }
                """ + MeshYaml.accessLog(inventoryLog)), List.of("-Djmesh.agent.test.failAt=" + stage));

        // the shop without the agent, straight to the inventory's address
        Shop.Run run = Shop.run(processes, Shop.noAgent(), "--base", "http://" + inventory.address(),
                "--calls", String.valueOf(CALLS));

        assertEquals(admitted, run.ok(), run.describe());
        assertEquals(CALLS - admitted, run.lines().stream().filter(l -> l.endsWith("status=429")).count(),
                run.describe());
        JavaProcess server = inventory.process();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.stderrLines().stream().noneMatch(l -> l.startsWith("[jmesh] WARN")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        List<String> warnings = server.stderrLines().stream().filter(l -> l.startsWith("[jmesh]")).toList();
        assertTrue(!warnings.isEmpty() && warnings.size() <= 3, "reported once, not per request: " + warnings);
        assertTrue(warnings.stream().allMatch(l -> l.startsWith("[jmesh] WARN")), warnings.toString());
        assertTrue(!Files.exists(inventoryLog) || Files.readAllLines(inventoryLog).isEmpty(),
                "nothing recorded when the engine fails");
    }

    @Test
    void overTheInboundRateLimitTheServerAnswers429WithoutTheApplication() throws Exception {
        Path inventoryLog = dir.resolve("inventory-access.log");
        Path received = dir.resolve("inventory-received.txt");
        InventoryService inventory = InventoryService.start(processes, MeshYaml.write(dir, "inventory.yaml", """
                service: inventory
                inbound:
                  rateLimit: { requestsPerSecond: 0.01, burst: 3 }
                telemetry:
                  accessLog: { format: text, path: %s }
                """.formatted(MeshYaml.quoted(inventoryLog.toString()))), "--trace-log", received.toString());
        Path shopConfig = MeshYaml.write(dir, "shop.yaml", """
                service: legacy-shop
                services:
                  inventory:
                    endpoints: ["%s"]
                """.formatted(inventory.address()));

        Shop.Run run = Shop.run(processes, Shop.agent(shopConfig), "--calls", String.valueOf(CALLS));

        assertEquals(3, run.ok(), run.describe());
        assertEquals(3, run.lines().stream().filter(l -> l.startsWith("FAIL") && l.endsWith("status=429")).count(),
                run.describe());
        // text lines: [time] "GET /items/N HTTP" STATUS FLAGS DURATION ATTEMPTS "AUTHORITY" "-" inbound -->inventory ...
        Pattern line = Pattern.compile("\\[[^]]+] \"GET /items/\\d HTTP\" (\\d{3}) (\\S+) [0-9.]+ (\\d) \"[^\"]+\" \"-\""
                + " inbound -->inventory route=- trace=[0-9a-f]{32} span=[0-9a-f]{16} caller=- error=-");
        long[] counts = new long[2];
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            lines = Files.exists(inventoryLog) ? Files.readAllLines(inventoryLog) : List.of();
            if (lines.size() >= CALLS) {
                break;
            }
            Thread.sleep(50);
        }
        assertEquals(CALLS, lines.size(), inventory.describe());
        for (String l : lines) {
            var m = line.matcher(l);
            assertTrue(m.matches(), l);
            if (m.group(1).equals("429")) {
                assertEquals("RL", m.group(2), l);
                assertEquals("0", m.group(3), "the application never saw it: " + l);
                counts[1]++;
            } else {
                assertEquals("200 - 1", m.group(1) + " " + m.group(2) + " " + m.group(3), l);
                counts[0]++;
            }
        }
        assertEquals(3, counts[0]);
        assertEquals(3, counts[1]);
        assertEquals(3, Files.readAllLines(received).size(), "the handler ran for the admitted requests only");
    }
}
