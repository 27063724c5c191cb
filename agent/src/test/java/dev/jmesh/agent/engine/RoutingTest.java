package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.RequestHeaders;
import dev.jmesh.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Routes (first match, weighted split, per-route policies), fault injection and egress, without I/O. */
class RoutingTest {
    private static final String SERVICES = """
            services:
              inventory:
                endpoints: ["10.0.0.1:80"]
              inventory-v2:
                endpoints: ["10.0.0.2:80"]
            """;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<CallRecord> records = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private MeshEngineImpl engine(String yaml) throws Exception {
        return new MeshEngineImpl(ConfigLoader.parse(yaml, "test.yaml").config(), scheduler, records::add);
    }

    private static OutboundCall call(String method, String host, String path, Map<String, String> headers) {
        return new OutboundCall("http", "http", host, -1, method, path, true,
                name -> headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                        .map(Map.Entry::getValue).findFirst().orElse(null));
    }

    private static OutboundCall get(String host, String path) {
        return call("GET", host, path, Map.of());
    }

    @Test
    void theFirstMatchingRouteWinsOnPathHeaderAndCookie() throws Exception {
        MeshEngineImpl engine = engine(SERVICES + """
                routes:
                  - name: canary-header
                    match: { host: inventory, headers: { x-canary: "true" } }
                    to: [ { service: inventory-v2 } ]
                  - name: beta-cookie
                    match: { host: inventory, cookies: { beta: { prefix: "on" } } }
                    to: [ { service: inventory-v2 } ]
                  - name: v2-paths
                    match: { host: inventory, pathPrefix: /v2/, methods: [GET] }
                    to: [ { service: inventory-v2 } ]
                """);
        ScriptedExchange exchange = new ScriptedExchange();

        engine.call(call("GET", "inventory", "/items", Map.of("X-Canary", "true")), exchange);
        engine.call(call("GET", "inventory", "/items", Map.of("Cookie", "a=1; beta=on-7")), exchange);
        engine.call(get("inventory", "/v2/items"), exchange);
        engine.call(call("POST", "inventory", "/v2/items", Map.of()), exchange);
        engine.call(get("inventory", "/items"), exchange);

        assertEquals(List.of("10.0.0.2:80", "10.0.0.2:80", "10.0.0.2:80", "10.0.0.1:80", "10.0.0.1:80"),
                exchange.attempts.stream().map(ScriptedExchange.Attempt::endpoint).toList());
        assertEquals(java.util.Arrays.asList("canary-header", "beta-cookie", "v2-paths", null, null),
                records.stream().map(CallRecord::route).toList());
        assertEquals(List.of("inventory-v2", "inventory-v2", "inventory-v2", "inventory", "inventory"),
                records.stream().map(CallRecord::service).toList());
    }

    @Test
    void aWeightedRouteSplitsCallsAcrossServices() throws Exception {
        MeshEngineImpl engine = engine(SERVICES + """
                routes:
                  - match: { host: inventory }
                    to: [ { service: inventory-v2, weight: 10 }, { service: inventory, weight: 90 } ]
                """);
        ScriptedExchange exchange = new ScriptedExchange();

        for (int i = 0; i < 2000; i++) {
            engine.call(get("inventory", "/items"), exchange);
        }

        Map<String, Long> perService = records.stream().collect(Collectors.groupingBy(CallRecord::service,
                Collectors.counting()));
        long v2 = perService.getOrDefault("inventory-v2", 0L);
        // 10% of 2000 is 200; the bounds are 8 standard deviations wide, so this fails only if the split is wrong.
        assertTrue(v2 > 100 && v2 < 300, "about 10% to inventory-v2, got " + perService);
        assertEquals(2000, perService.values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void aRouteOverridesTheServicesRetryAndTimeout() throws Exception {
        MeshEngineImpl engine = engine(SERVICES + """
                routes:
                  - match: { host: inventory, pathPrefix: /fragile/ }
                    timeout: 300ms
                    retry: { maxAttempts: 3, perTryTimeout: 100ms, backoff: { base: 1ms, max: 2ms } }
                """);
        ScriptedExchange routed = new ScriptedExchange().then(503, 503, 200);
        ScriptedExchange plain = new ScriptedExchange().then(503, 200);

        assertEquals(200, engine.call(get("inventory", "/fragile/1"), routed).status());
        assertEquals(503, engine.call(get("inventory", "/other"), plain).status(), "the service itself has no retry");

        assertEquals(3, routed.attempts.size());
        assertTrue(routed.attempts.stream().allMatch(a -> a.timeoutMillis() > 0 && a.timeoutMillis() <= 100),
                routed.attempts.toString());
        assertEquals(1, plain.attempts.size());
    }

    @Test
    void anAbortFaultFailsTheCallBeforeAnyAttemptAndADelayFaultDelaysIt() throws Exception {
        MeshEngineImpl engine = engine(SERVICES + """
                routes:
                  - match: { host: inventory, pathPrefix: /abort }
                    fault: { abort: { percent: 100, status: 503 } }
                  - match: { host: inventory, pathPrefix: /delay }
                    fault: { delay: { percent: 100, duration: 30ms } }
                  - match: { host: inventory, pathPrefix: /only-tagged }
                    fault: { abort: { percent: 100, status: 500 }, header: x-chaos }
                """);
        ScriptedExchange exchange = new ScriptedExchange();

        IOException aborted = assertThrows(IOException.class, () -> engine.call(get("inventory", "/abort"), exchange));
        long start = System.nanoTime();
        engine.call(get("inventory", "/delay"), exchange);
        long delayedMillis = (System.nanoTime() - start) / 1_000_000;
        engine.call(get("inventory", "/only-tagged"), exchange);
        assertThrows(IOException.class, () -> engine.call(call("GET", "inventory", "/only-tagged", Map.of("x-chaos", "1")),
                exchange));

        assertTrue(aborted.getMessage().contains("fault injected") && aborted.getMessage().contains("503"),
                aborted.getMessage());
        assertTrue(delayedMillis >= 30, "the call waited at least the injected delay: " + delayedMillis + "ms");
        assertEquals(List.of("FI", "DI", "-", "FI"), records.stream().map(CallRecord::flagsText).toList());
        assertEquals(2, exchange.attempts.size(), "aborted calls make no attempt");
    }

    @Test
    void aShadowFaultIsRecordedButNotInjected() throws Exception {
        MeshEngineImpl engine = engine(SERVICES + """
                routes:
                  - match: { host: inventory }
                    fault: { abort: { percent: 100, status: 503 }, mode: shadow }
                """);
        ScriptedExchange exchange = new ScriptedExchange();

        assertEquals(200, engine.call(get("inventory", "/"), exchange).status());

        assertEquals("~FI", records.get(0).flagsText());
        assertEquals(1, exchange.attempts.size());
    }

    @Test
    void registryOnlyEgressDeniesUnknownHostsWithNRAndLetsTheAllowListThrough() throws Exception {
        MeshEngineImpl engine = engine(SERVICES + """
                egress: { mode: registry_only, allow: ["*.example.com", "api.partner.net:443"] }
                """);
        ScriptedExchange exchange = new ScriptedExchange();

        IOException denied = assertThrows(IOException.class, () -> engine.call(get("evil.org", "/"), exchange));
        engine.call(get("www.example.com", "/"), exchange);
        assertThrows(IOException.class, () -> engine.call(get("api.partner.net", "/"), exchange), "port 80 is not 443");
        engine.call(get("inventory", "/"), exchange);

        assertTrue(denied.getMessage().startsWith("jmesh: egress to 'evil.org' is not allowed"), denied.getMessage());
        assertEquals(List.of("NR", "-", "NR", "-"), records.stream().map(CallRecord::flagsText).toList());
        assertEquals(List.of("www.example.com", "10.0.0.1:80"),
                exchange.attempts.stream().map(a -> a.endpoint().replace(":-1", "")).toList());
        assertNull(records.get(0).upstream(), "a denied call reached no upstream");
    }

    @Test
    void asyncCallsFollowRoutesAndFaults() throws Exception {
        MeshEngineImpl engine = engine(SERVICES + """
                routes:
                  - match: { host: inventory, pathPrefix: /v2/ }
                    to: [ { service: inventory-v2 } ]
                    fault: { delay: { percent: 100, duration: 5ms } }
                """);
        AsyncScriptedExchange exchange = new AsyncScriptedExchange(new ScriptedExchange());

        ScriptedExchange.Response response = engine.callAsync(get("inventory", "/v2/x"), exchange).get();

        assertEquals("10.0.0.2:80", response.endpoint());
        assertEquals("DI", records.get(0).flagsText());
    }

    @Test
    void cookiesAreParsedFromTheCookieHeader() {
        assertEquals("on", RouteRuntime.cookie("a=1; beta=on", "beta"));
        assertNull(RouteRuntime.cookie("a=1; betamax=on", "beta"));
        assertNull(RouteRuntime.cookie(null, "beta"));
    }

    @Test
    void aRouteMatchesOnQueryParametersAndTheQueryNeverReachesTheRecord() throws Exception {
        MeshEngineImpl engine = engine(SERVICES + """
                routes:
                  - name: preview
                    match: { host: inventory, queryParameters: { preview: { exact: "yes please" }, token: { present: true } } }
                    to: [ { service: inventory-v2 } ]
                """);
        ScriptedExchange exchange = new ScriptedExchange();

        engine.call(get("inventory", "/items").withQuery("preview=yes+please&token="), exchange);
        engine.call(get("inventory", "/items").withQuery("token=s3cret&preview=yes%20please"), exchange);
        engine.call(get("inventory", "/items").withQuery("preview=yes+please"), exchange);
        engine.call(get("inventory", "/items").withQuery("preview=no&token=1"), exchange);
        engine.call(get("inventory", "/items"), exchange);

        assertEquals(java.util.Arrays.asList("preview", "preview", null, null, null),
                records.stream().map(CallRecord::route).toList());
        assertEquals(List.of("10.0.0.2:80", "10.0.0.2:80", "10.0.0.1:80", "10.0.0.1:80", "10.0.0.1:80"),
                exchange.attempts.stream().map(ScriptedExchange.Attempt::endpoint).toList());
        records.forEach(r -> assertEquals("/items", r.call().path(), "the path stays without its query"));
    }

    @Test
    void queryParametersAreDecodedAndAMalformedQueryMatchesNothing() {
        assertEquals("a b", RouteRuntime.queryParameter("x=1&q=a%20b", "q"));
        assertEquals("a b", RouteRuntime.queryParameter("q=a+b", "q"));
        assertEquals("", RouteRuntime.queryParameter("flag&q=1", "flag"));
        assertEquals("1", RouteRuntime.queryParameter("q=1&q=2", "q"), "the first value counts");
        assertNull(RouteRuntime.queryParameter("qq=1", "q"));
        assertNull(RouteRuntime.queryParameter("q=%zz", "q"));
        assertNull(RouteRuntime.queryParameter(null, "q"));
    }
}
