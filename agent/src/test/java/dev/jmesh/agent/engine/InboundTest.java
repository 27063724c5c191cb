package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.Inbound;
import dev.jmesh.bootstrap.InboundCall;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.MeshConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inbound requests through the facade: one record each, the server span, inbound rate limits. */
class InboundTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<CallRecord> records = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        Mesh.install(null);
        scheduler.shutdownNow();
    }

    private MeshEngineImpl install(String yaml) throws Exception {
        MeshConfig config = ConfigLoader.parse(yaml, "test.yaml").config();
        MeshEngineImpl engine = new MeshEngineImpl(config, scheduler, records::add);
        Mesh.install(engine);
        return engine;
    }

    private static InboundCall request(String method, String path, Map<String, String> headers) {
        return new InboundCall("http", "http", "inventory", 8080, method, path, name -> {
            for (Map.Entry<String, String> h : headers.entrySet()) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return h.getValue();
                }
            }
            return null;
        });
    }

    @Test
    void aRequestIsOneInboundRecordAndCallsMadeWhileServingItJoinItsTrace() throws Exception {
        install("service: inventory\n");
        Inbound inbound = Mesh.inbound(request("GET", "/items/1",
                Map.of("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01")));
        assertEquals(0, inbound.rejectedStatus());
        assertTrue(Mesh.serving());
        assertNull(Mesh.inbound(request("GET", "/items/1", Map.of())), "a nested server layer is the same request");

        ScriptedExchange exchange = new ScriptedExchange().then(200);
        Mesh.call(new OutboundCall("http", "http", "pricing", -1, "GET", "/prices/1", true), exchange);
        Mesh.inboundEnd(inbound, 200, null);
        assertFalse(Mesh.serving());

        assertEquals(2, records.size());
        CallRecord outbound = records.get(0);
        CallRecord served = records.get(1);
        assertEquals("inbound", served.direction());
        assertEquals("inventory", served.service());
        assertEquals("GET", served.call().method());
        assertEquals("/items/1", served.call().path());
        assertEquals(200, served.status());
        assertEquals(1, served.attempts());
        assertEquals("-", served.flagsText());
        assertEquals(TRACE, served.traceId());
        assertEquals("00f067aa0ba902b7", served.parentSpanId());
        assertEquals("outbound", outbound.direction());
        assertEquals(TRACE, outbound.traceId());
        assertEquals(served.spanId(), outbound.parentSpanId(), "parent of the outbound call: the inbound span");
        assertTrue(exchange.attempts.get(0).addedHeaders().get("traceparent").startsWith("00-" + TRACE + "-"));
    }

    @Test
    void aRequestWithoutContextStartsATrace() throws Exception {
        install("service: inventory\n");
        Inbound inbound = Mesh.inbound(request("GET", "/", Map.of()));
        Mesh.inboundEnd(inbound, 404, null);
        CallRecord served = records.get(0);
        assertTrue(served.traceId().matches("[0-9a-f]{32}"));
        assertNull(served.parentSpanId());
        assertEquals(404, served.status());
    }

    @Test
    void overTheInboundRateLimitTheRequestIsAnswered429WithRL() throws Exception {
        install("""
                service: inventory
                inbound:
                  rateLimit: { requestsPerSecond: 0.001, burst: 2 }
                  routes:
                    - name: orders
                      match: { pathPrefix: /orders, methods: [POST] }
                      rateLimit: { requestsPerSecond: 0.001, burst: 1 }
                    - name: health
                      match: { path: /healthz }
                      rateLimit: { requestsPerSecond: 1000, mode: shadow }
                """);
        int[] statuses = new int[3];
        for (int i = 0; i < 3; i++) {
            Inbound inbound = Mesh.inbound(request("GET", "/items/" + i, Map.of()));
            statuses[i] = inbound.rejectedStatus();
            Mesh.inboundEnd(inbound, statuses[i] == 0 ? 200 : statuses[i], null);
        }
        assertEquals(List.of(0, 0, 429), List.of(statuses[0], statuses[1], statuses[2]), "burst 2");
        CallRecord refused = records.get(2);
        assertEquals("RL", refused.flagsText());
        assertEquals(429, refused.status());
        assertEquals(0, refused.attempts(), "the application never saw it");

        Inbound first = Mesh.inbound(request("POST", "/orders", Map.of()));
        Mesh.inboundEnd(first, 201, null);
        Inbound second = Mesh.inbound(request("POST", "/orders", Map.of()));
        assertEquals(429, second.rejectedStatus(), "the route's own bucket of 1");
        assertTrue(second.rejectedMessage().contains("inbound route 'orders'"), second.rejectedMessage());
        Mesh.inboundEnd(second, 429, null);
        assertEquals("orders", records.get(4).route());

        Inbound health = Mesh.inbound(request("GET", "/healthz", Map.of()));
        assertEquals(0, health.rejectedStatus(), "its own bucket, not the exhausted section bucket");
        Mesh.inboundEnd(health, 200, null);
        assertEquals("health", records.get(5).route());
    }

    @Test
    void aFailingEngineLetsTheRequestThrough() {
        Mesh.install(new dev.jmesh.bootstrap.MeshEngine() {
            @Override
            public <R> R call(OutboundCall call, dev.jmesh.bootstrap.BlockingExchange<R> exchange) {
                throw new IllegalStateException();
            }

            @Override
            public <R> java.util.concurrent.CompletableFuture<R> callAsync(OutboundCall call,
                    dev.jmesh.bootstrap.AsyncExchange<R> exchange) {
                throw new IllegalStateException();
            }

            @Override
            public Inbound inbound(InboundCall call) {
                throw new IllegalStateException("engine bug");
            }
        });
        assertNull(Mesh.inbound(request("GET", "/", Map.of())));
        assertFalse(Mesh.serving());
        Mesh.inboundEnd(null, 200, null); // harmless
    }
}
