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
        expected.put("services.inventory.loadBalancer", "env JMESH_SERVICES_INVENTORY_LOADBALANCER");
        expected.put("services.inventory.timeout", file + ":5:14");
        expected.put("services.inventory.retry.maxAttempts", "-Djmesh.services.inventory.retry.maxAttempts");
        expected.put("services.inventory.retry.perTryTimeout", "default");
        expected.put("services.inventory.retry.backoff.base", file + ":8:24");
        expected.put("services.inventory.retry.backoff.max", "default");
        expected.put("services.inventory.retry.retryOn", "default");
        expected.put("services.inventory.circuitBreaker.failureRateThreshold", file + ":9:45");
        expected.put("services.inventory.circuitBreaker.minimumCalls", "default");
        expected.put("services.inventory.circuitBreaker.window", "default");
        expected.put("services.inventory.circuitBreaker.openDuration", "default");
        expected.put("services.inventory.circuitBreaker.halfOpenCalls", "default");
        // "legacy" has only dns, so it is not part of the effective config and has no origins
        expected.put("telemetry.accessLog.format", "default");
        expected.put("telemetry.accessLog.path", file + ":13:22");
        assertEquals(expected, r.origins());
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(r.origins().keySet()), "config order");
    }

    @Test
    void absentOptionalSectionsAreOneDefaultEntry() throws Exception {
        LoadResult r = ConfigLoader.parse("services:\n  a:\n    endpoints: [h:1]\n", "mesh.yaml");
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("service", "default");
        expected.put("services.a.endpoints", "mesh.yaml:3:16");
        expected.put("services.a.loadBalancer", "default");
        expected.put("services.a.timeout", "default");
        expected.put("services.a.retry", "default");
        expected.put("services.a.circuitBreaker", "default");
        expected.put("telemetry.accessLog", "default");
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
        assertNull(r.originOf("services.legacy.dns"));
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
}
