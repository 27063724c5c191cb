package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine tells the listener about breaker transitions and ejections as they happen, and /clusters sees them. */
class EngineEventsTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<String> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        EngineEvents.listen(null);
        scheduler.shutdownNow();
    }

    private MeshEngineImpl engine(String yaml) throws Exception {
        EngineEvents.listen(new EngineEvents.Listener() {
            @Override
            public void breakerTransition(String service, String breaker, String from, String to, boolean shadow) {
                events.add(breaker + " " + service + " " + from + "->" + to + (shadow ? " shadow" : ""));
            }

            @Override
            public void ejected(String service, String endpoint, boolean shadow) {
                events.add("ejected " + service + " " + endpoint + (shadow ? " shadow" : ""));
            }
        });
        return new MeshEngineImpl(ConfigLoader.parse(yaml, "test.yaml").config(), scheduler, record -> { });
    }

    private static OutboundCall get() {
        return new OutboundCall("http", "http", "inventory", -1, "GET", "/items/1", true);
    }

    @Test
    void aBreakerThatOpensIsOneTransitionAndShowsOpenInTheClusterView() throws Exception {
        MeshEngineImpl engine = engine("""
                services:
                  inventory:
                    endpoints: ["10.0.0.1:8080"]
                    circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 2, window: 10s, openDuration: 30s }
                """);
        ScriptedExchange exchange = new ScriptedExchange().then(503, 503);
        engine.call(get(), exchange);
        engine.call(get(), exchange);
        assertThrows(IOException.class, () -> engine.call(get(), exchange));

        assertEquals(List.of("failure_rate inventory closed->open"), events);
        ClusterView view = engine.clusters().get(0);
        assertEquals("inventory", view.service);
        assertEquals("open", view.breakerState);
    }

    @Test
    void anEjectionIsOneEventAndTheClusterViewShowsTheEndpointOutOfRotation() throws Exception {
        MeshEngineImpl engine = engine("""
                services:
                  inventory:
                    endpoints: ["10.0.0.1:8080", "10.0.0.2:8080"]
                    outlierDetection: { consecutive5xx: 2, maxEjectionPercent: 50% }
                """);
        ScriptedExchange exchange = new ScriptedExchange().then(503, 200, 503, 200);
        for (int i = 0; i < 4; i++) {
            engine.call(get(), exchange);
        }

        assertEquals(List.of("ejected inventory 10.0.0.1:8080"), events);
        List<ClusterView.EndpointView> endpoints = engine.clusters().get(0).endpoints;
        assertTrue(endpoints.get(0).ejected && !endpoints.get(0).inRotation, "first endpoint ejected");
        assertTrue(!endpoints.get(1).ejected && endpoints.get(1).inRotation, "second endpoint in rotation");
        assertEquals(null, engine.clusters().get(0).breakerState, "no breaker configured");
    }
}
