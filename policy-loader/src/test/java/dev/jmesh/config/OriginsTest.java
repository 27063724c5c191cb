package dev.jmesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LoadResult#origins()}: where each value of the effective config came from. */
class OriginsTest {

    static final String DOC = """
            service: orders
            services:
              inventory:
                endpoints: ["10.0.0.5:8080", "10.0.0.6:8080"]
                timeout: 2s
                retry:
                  maxAttempts: 3
                  backoff: { base: 10ms }
                circuitBreaker: { failureRateThreshold: 40% }
              legacy:
                dns: legacy.internal:8080
            telemetry:
              accessLog: { path: stdout }
            """;

    @Test
    void everyValueOfTheEffectiveConfigHasAnOrigin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mesh.yaml");
        Files.write(file, DOC.getBytes(StandardCharsets.UTF_8));
        LoadResult r = ConfigLoader.load(ConfigInput.builder()
                .file(file)
                .systemProperty("jmesh.services.inventory.retry.maxAttempts", "5")
                .environmentVariable("JMESH_SERVICES_INVENTORY_LOADBALANCER", "least_request")
                .environmentVariable("JMESH_SERVICES_INVENTORY_RETRY_MAXATTEMPTS", "4")
                .build());

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("service", file + ":1:10");
        expected.put("services.inventory.endpoints", file + ":4:16");
        expected.put("services.inventory.dns", "default");
        expected.put("services.inventory.loadBalancer", "env JMESH_SERVICES_INVENTORY_LOADBALANCER");
        expected.put("services.inventory.timeout", file + ":5:14");
        expected.put("services.inventory.retry.maxAttempts", "-Djmesh.services.inventory.retry.maxAttempts");
        expected.put("services.inventory.retry.perTryTimeout", "default");
        expected.put("services.inventory.retry.backoff.base", file + ":8:24");
        expected.put("services.inventory.retry.backoff.max", "default");
        expected.put("services.inventory.retry.retryOn", "default");
        expected.put("services.inventory.retry.budget", "default");
        expected.put("services.inventory.retry.methods", "default");
        expected.put("services.inventory.retry.honorRetryAfter", "default");
        expected.put("services.inventory.retry.maxReplayBodyBytes", "default");
        expected.put("services.inventory.retry.mode", "default");
        expected.put("services.inventory.circuitBreaker.failureRateThreshold", file + ":9:45");
        expected.put("services.inventory.circuitBreaker.minimumCalls", "default");
        expected.put("services.inventory.circuitBreaker.window", "default");
        expected.put("services.inventory.circuitBreaker.openDuration", "default");
        expected.put("services.inventory.circuitBreaker.halfOpenCalls", "default");
        expected.put("services.inventory.circuitBreaker.slowCallRateThreshold", "default");
        expected.put("services.inventory.circuitBreaker.slowCallDuration", "default");
        expected.put("services.inventory.circuitBreaker.mode", "default");
        for (String off : List.of("outlierDetection", "healthCheck", "rateLimit", "maxConcurrentRequests",
                "maxPendingRequests")) {
            expected.put("services.inventory." + off, "default");
        }
        // "legacy" is discovered by DNS: its endpoints() is the DNS name, so that is their origin
        expected.put("services.legacy.endpoints", file + ":11:10");
        expected.put("services.legacy.dns.address", file + ":11:10");
        expected.put("services.legacy.dns.refreshInterval", "default");
        for (String off : List.of("loadBalancer", "timeout", "retry", "circuitBreaker", "outlierDetection",
                "healthCheck", "rateLimit", "maxConcurrentRequests", "maxPendingRequests")) {
            expected.put("services.legacy." + off, "default");
        }
        expected.put("routes", "default");
        expected.put("egress.mode", "default");
        expected.put("egress.allow", "default");
        expected.put("inbound.rateLimit", "default");
        expected.put("inbound.routes", "default");
        expected.put("telemetry.accessLog.format", "default");
        expected.put("telemetry.accessLog.path", file + ":13:22");
        expected.put("telemetry.accessLog.caller", "default");
        for (String off : List.of("metrics.prometheus", "metrics.statsd", "metrics.otlp", "tracing.propagators",
                "tracing.sampling", "tracing.otlp", "admin")) {
            expected.put("telemetry." + off, "default");
        }
        expected.put("controlPlane", "default");
        assertEquals(expected, r.origins());
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(r.origins().keySet()), "config order");
    }

    @Test
    void absentOptionalSectionsAreOneDefaultEntry() throws Exception {
        LoadResult r = ConfigLoader.parse("services:\n  a:\n    endpoints: [h:1]\n", "mesh.yaml");
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("service", "default");
        expected.put("services.a.endpoints", "mesh.yaml:3:16");
        for (String key : List.of("dns", "loadBalancer", "timeout", "retry", "circuitBreaker", "outlierDetection",
                "healthCheck", "rateLimit", "maxConcurrentRequests", "maxPendingRequests")) {
            expected.put("services.a." + key, "default");
        }
        for (String path : List.of("routes", "egress.mode", "egress.allow", "inbound.rateLimit", "inbound.routes",
                "telemetry.accessLog",
                "telemetry.metrics.prometheus", "telemetry.metrics.statsd", "telemetry.metrics.otlp",
                "telemetry.tracing.propagators", "telemetry.tracing.sampling", "telemetry.tracing.otlp",
                "telemetry.admin", "controlPlane")) {
            expected.put(path, "default");
        }
        assertEquals(expected, r.origins());
    }

    @Test
    void anEmptySectionGivesItsValuesAsDefaults() throws Exception {
        LoadResult r = ConfigLoader.parse("services:\n  a:\n    endpoints: [h:1]\n    circuitBreaker: {}\n", "mesh.yaml");
        assertEquals("default", r.originOf("services.a.circuitBreaker.minimumCalls"));
        assertNull(r.originOf("services.a.circuitBreaker"));
    }

    @Test
    void originOfAnythingElseIsNull() throws Exception {
        LoadResult r = ConfigLoader.parse(DOC, "mesh.yaml");
        assertNull(r.originOf("services.legacy.dns"));   // a section: its values have origins, not itself
        assertNull(r.originOf("services.inventory"));
        assertNull(r.originOf("services.nope.timeout"));
        assertNull(r.originOf("services.inventory.retry"));
        assertThrows(UnsupportedOperationException.class, () -> r.origins().put("x", "y"));
    }

    @Test
    void overrideOfAValueTheFileLeavesToItsDefault() throws Exception {
        LoadResult r = OverridesTest.load(DOC, Map.of("jmesh.services.inventory.retry.backoff.max", "2s"),
                Map.of("JMESH_SERVICES_INVENTORY_CIRCUITBREAKER_WINDOW", "1m"));
        assertEquals("-Djmesh.services.inventory.retry.backoff.max", r.originOf("services.inventory.retry.backoff.max"));
        assertEquals("inline:8:24", r.originOf("services.inventory.retry.backoff.base"));
        assertEquals("env JMESH_SERVICES_INVENTORY_CIRCUITBREAKER_WINDOW",
                r.originOf("services.inventory.circuitBreaker.window"));
        assertEquals("default", r.originOf("services.inventory.circuitBreaker.openDuration"));
    }

    @Test
    void overrideCreatingASectionMakesItsOtherValuesDefaults() throws Exception {
        LoadResult r = OverridesTest.load("services:\n  a:\n    endpoints: [h:1]\n",
                Map.of("jmesh.services.a.retry.maxAttempts", "2"), Map.of());
        assertEquals("-Djmesh.services.a.retry.maxAttempts", r.originOf("services.a.retry.maxAttempts"));
        assertEquals("default", r.originOf("services.a.retry.backoff.base"));
        assertEquals("default", r.originOf("services.a.retry.retryOn"));
        assertNull(r.originOf("services.a.retry"));
    }

    // ------------------------------------------------------------------ the full model

    static void assertOrigins(LoadResult r, String... pathsAndOrigins) {
        for (int i = 0; i < pathsAndOrigins.length; i += 2) {
            assertEquals(pathsAndOrigins[i + 1], r.originOf(pathsAndOrigins[i]), pathsAndOrigins[i]);
        }
    }

    @Test
    void routesHaveOriginsPerItem() throws Exception {
        LoadResult r = ConfigLoader.parse(Examples.ROUTES, "mesh.yaml");
        assertOrigins(r,
                "routes", "mesh.yaml:5:3",
                "routes[0].name", "mesh.yaml:5:11",
                "routes[0].match.host", "mesh.yaml:7:13",
                "routes[0].match.pathPrefix", "mesh.yaml:8:19",
                "routes[0].match.path", "default",
                "routes[0].match.methods", "mesh.yaml:9:16",
                "routes[0].match.headers.x-canary", "mesh.yaml:11:19",
                "routes[0].match.headers.x-user", "mesh.yaml:12:17",
                "routes[0].match.cookies.session", "mesh.yaml:16:27",
                "routes[0].match.queryParameters.beta", "mesh.yaml:17:32",
                "routes[0].to", "mesh.yaml:19:7",
                "routes[0].timeout", "mesh.yaml:21:14",
                "routes[0].retry.maxAttempts", "mesh.yaml:22:27",
                "routes[0].retry.backoff.base", "default",
                // the route's mode is its retry's mode when the retry does not set one
                "routes[0].retry.mode", "mesh.yaml:23:11",
                "routes[0].mode", "mesh.yaml:23:11",
                "routes[0].fault", "default",
                "routes[1].name", "default",
                "routes[1].match.pathRegex", "mesh.yaml:24:48",
                "routes[1].to", "default",
                "routes[1].retry", "default",
                "routes[1].fault.delay.percent", "mesh.yaml:26:25",
                "routes[1].fault.delay.duration", "mesh.yaml:26:38",
                "routes[1].fault.abort.status", "mesh.yaml:27:39",
                "routes[1].fault.header", "mesh.yaml:28:15",
                "routes[1].fault.mode", "default",
                "routes[3].match.host", "default",
                "routes[3].to", "mesh.yaml:31:9");
        assertNull(r.originOf("routes[4].to"));
        assertNull(r.originOf("routes[0].match.headers.x-nope"));
    }

    @Test
    void servicesDatabasesAndTheRestHaveOrigins() throws Exception {
        assertOrigins(ConfigLoader.parse(Examples.SERVICES, "mesh.yaml"),
                "services.inventory.endpoints", "mesh.yaml:4:7",
                "services.inventory.retry.budget.percent", "mesh.yaml:13:26",
                "services.inventory.retry.methods", "mesh.yaml:14:16",
                "services.inventory.circuitBreaker.slowCallDuration", "mesh.yaml:20:25",
                "services.inventory.outlierDetection.maxEjectionPercent", "mesh.yaml:29:27",
                "services.inventory.outlierDetection.mode", "mesh.yaml:30:13",
                "services.catalog.dns.refreshInterval", "mesh.yaml:42:63",
                "services.search.dns.address", "mesh.yaml:44:10",
                "services.search.dns.refreshInterval", "default",
                "services.search.endpoints", "mesh.yaml:44:10",
                "services.search.outlierDetection.consecutive5xx", "default",
                "services.search.healthCheck.expectedStatuses", "default");
        assertOrigins(ConfigLoader.parse(Examples.DATABASES, "mesh.yaml"),
                "databases.orders-db.match", "mesh.yaml:3:12",
                "databases.orders-db.retry.backoff.max", "mesh.yaml:8:58",
                "databases.orders-db.statements[0].match.verb", "mesh.yaml:10:24",
                "databases.orders-db.statements[1].match.verb", "default",
                "databases.orders-db.statements[1].mode", "mesh.yaml:14:15",
                "databases.reporting.circuitBreaker", "default",
                "databases.reporting.statements", "default");
        assertOrigins(ConfigLoader.parse(Examples.CONTROL_PLANE_XDS, "mesh.yaml"),
                "controlPlane.http", "default",
                "controlPlane.xds.address", "mesh.yaml:4:14",
                "controlPlane.xds.metadata.canary", "mesh.yaml:7:43");
        assertOrigins(ConfigLoader.parse(Examples.TELEMETRY + Examples.EGRESS, "mesh.yaml"),
                "telemetry.metrics.prometheus.port", "mesh.yaml:4:40",
                "telemetry.tracing.otlp.endpoint", "default",
                "telemetry.admin.host", "default",
                "telemetry.admin.port", "mesh.yaml:11:18",
                "egress.allow", "mesh.yaml:14:10");
    }
}
