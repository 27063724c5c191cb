package dev.jmesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

    static final String FULL_YAML = """
            service: orders                       # this app's name in the mesh
            services:
              inventory:
                endpoints: ["10.0.0.5:8080", "10.0.0.6:8080", "[::1]:9090"]
                loadBalancer: least_request
                timeout: 2s
                retry: { maxAttempts: 3, perTryTimeout: 500ms, backoff: { base: 10ms, max: 1.5s },
                         retryOn: [connect-failure, reset, 5xx, "429", 503] }
                circuitBreaker: { failureRateThreshold: 40%, minimumCalls: 10, window: 1m,
                                  openDuration: 1h, halfOpenCalls: 3 }
              payments:
                endpoints: [payments.internal:443]
            telemetry:
              accessLog: { format: json, path: /tmp/access.log }
            """;

    /** The same document as {@link #FULL_YAML}, written as JSON. */
    static final String FULL_JSON = """
            {
              "service": "orders",
              "services": {
                "inventory": {
                  "endpoints": ["10.0.0.5:8080", "10.0.0.6:8080", "[::1]:9090"],
                  "loadBalancer": "least_request",
                  "timeout": "2s",
                  "retry": {"maxAttempts": 3, "perTryTimeout": "500ms", "backoff": {"base": "10ms", "max": "1.5s"},
                            "retryOn": ["connect-failure", "reset", "5xx", "429", 503]},
                  "circuitBreaker": {"failureRateThreshold": "40%", "minimumCalls": 10, "window": "1m",
                                     "openDuration": "1h", "halfOpenCalls": 3}
                },
                "payments": {"endpoints": ["payments.internal:443"]}
              },
              "telemetry": {"accessLog": {"format": "json", "path": "/tmp/access.log"}}
            }
            """;

    @Test
    void fullExampleParsesToExpectedValues() throws Exception {
        LoadResult result = ConfigLoader.parse(FULL_YAML, "mesh.yaml");
        MeshConfig config = result.config();

        assertEquals("orders", config.service());
        assertEquals(List.of("inventory", "payments"), List.copyOf(config.services().keySet()));

        ServiceConfig inventory = config.service("inventory");
        assertEquals("inventory", inventory.name());
        assertEquals(List.of(new Endpoint("10.0.0.5", 8080), new Endpoint("10.0.0.6", 8080), new Endpoint("::1", 9090)),
                inventory.endpoints());
        assertEquals(LoadBalancerPolicy.LEAST_REQUEST, inventory.loadBalancer());
        assertEquals(Duration.ofSeconds(2), inventory.timeout());

        RetryConfig retry = inventory.retry();
        assertEquals(3, retry.maxAttempts());
        assertEquals(Duration.ofMillis(500), retry.perTryTimeout());
        assertEquals(Duration.ofMillis(10), retry.backoffBase());
        assertEquals(Duration.ofMillis(1500), retry.backoffMax());
        assertEquals(EnumSet.of(RetryOn.CONNECT_FAILURE, RetryOn.RESET, RetryOn.STATUS_5XX), retry.retryOn());
        assertEquals(Set.of(429, 503), retry.retriableStatusCodes());

        CircuitBreakerConfig breaker = inventory.circuitBreaker();
        assertEquals(0.4, breaker.failureRateThreshold(), 1e-12);
        assertEquals(10, breaker.minimumCalls());
        assertEquals(Duration.ofMinutes(1), breaker.window());
        assertEquals(Duration.ofHours(1), breaker.openDuration());
        assertEquals(3, breaker.halfOpenCalls());

        AccessLogConfig accessLog = config.telemetry().accessLog();
        assertEquals("json", accessLog.format());
        assertEquals("/tmp/access.log", accessLog.path());

        assertEquals(List.of(), result.warnings());
    }

    @Test
    void defaultsApplyWhenKeysAreAbsent() throws Exception {
        MeshConfig config = ConfigLoader.parse("""
                services:
                  payments:
                    endpoints: [payments.internal:443]
                  inventory:
                    endpoints: [inventory:80]
                    retry: { maxAttempts: 2 }
                    circuitBreaker: {}
                """, "mesh.yaml").config();

        assertNull(config.service());
        ServiceConfig payments = config.service("payments");
        assertEquals(List.of(new Endpoint("payments.internal", 443)), payments.endpoints());
        assertEquals(LoadBalancerPolicy.ROUND_ROBIN, payments.loadBalancer());
        assertNull(payments.timeout());
        assertNull(payments.retry());
        assertNull(payments.circuitBreaker());

        RetryConfig retry = config.service("inventory").retry();
        assertEquals(2, retry.maxAttempts());
        assertNull(retry.perTryTimeout());
        assertEquals(Duration.ofMillis(25), retry.backoffBase());
        assertEquals(Duration.ofMillis(250), retry.backoffMax());
        assertEquals(EnumSet.of(RetryOn.CONNECT_FAILURE, RetryOn.RESET, RetryOn.STATUS_5XX), retry.retryOn());
        assertEquals(Set.of(), retry.retriableStatusCodes());

        CircuitBreakerConfig breaker = config.service("inventory").circuitBreaker();
        assertEquals(0.5, breaker.failureRateThreshold(), 1e-12);
        assertEquals(20, breaker.minimumCalls());
        assertEquals(Duration.ofSeconds(10), breaker.window());
        assertEquals(Duration.ofSeconds(30), breaker.openDuration());
        assertEquals(5, breaker.halfOpenCalls());

        assertNull(config.telemetry().accessLog());
        assertNull(config.service("nope"));
        // insertion order, not alphabetical
        assertEquals(List.of("payments", "inventory"), List.copyOf(config.services().keySet()));
    }

    @Test
    void jsonAndYamlGiveEqualResults() throws Exception {
        MeshConfig fromYaml = ConfigLoader.parse(FULL_YAML, "mesh.yaml").config();
        MeshConfig fromJson = ConfigLoader.parse(FULL_JSON, "mesh.json").config();
        assertEquals(fromYaml, fromJson);
        assertEquals(fromYaml.hashCode(), fromJson.hashCode());
        assertEquals(fromYaml.toString(), fromJson.toString());
    }

    @Test
    void equalityNoticesADifference() throws Exception {
        MeshConfig a = ConfigLoader.parse(FULL_YAML, "mesh.yaml").config();
        MeshConfig b = ConfigLoader.parse(FULL_YAML.replace("halfOpenCalls: 3", "halfOpenCalls: 4"), "mesh.yaml").config();
        assertTrue(!a.equals(b));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   \n", "# only a comment\n", "---\n", "~\n", "null"})
    void emptyDocumentGivesEmptyConfig(String text) throws Exception {
        LoadResult result = ConfigLoader.parse(text, "mesh.yaml");
        assertEquals(MeshConfig.empty(), result.config());
        assertEquals(List.of(), result.warnings());
    }

    @Test
    void emptyConfigHasNothing() {
        MeshConfig empty = MeshConfig.empty();
        assertNull(empty.service());
        assertTrue(empty.services().isEmpty());
        assertNull(empty.telemetry().accessLog());
        assertSame(empty, MeshConfig.empty());
    }

    @Test
    void keysOfTheFullDesignLoadWithoutWarnings() throws Exception {
        LoadResult result = ConfigLoader.parse("""
                service: orders
                services:
                  inventory:
                    endpoints: ["10.0.0.5:8080"]
                    circuitBreaker: { failureRateThreshold: 50% }
                    outlierDetection: { consecutive5xx: 5, baseEjectionTime: 30s, maxEjectionPercent: 50 }
                    rateLimit: { requestsPerSecond: 100, burst: 20 }
                    healthCheck: { path: /healthz }
                    maxConcurrentRequests: 10
                  legacy:
                    dns: legacy.internal:8080
                routes:
                  - match: { host: inventory, pathPrefix: /v2/ }
                    to: [ { service: inventory, weight: 100 } ]
                databases:
                  orders-db: { match: "jdbc:postgresql://orders-db*", endpoints: ["db1:5432"], queryTimeout: 5s }
                egress: { mode: allow_all }
                controlPlane: { http: { url: "https://cp.internal/config" } }
                telemetry:
                  accessLog: { format: json, path: stdout }
                  metrics: { prometheus: { host: 127.0.0.1, port: 9464 } }
                  tracing: { propagators: [tracecontext] }
                """, "mesh.yaml");

        assertEquals(List.of(), strings(result.warnings()), "every key of the design is enforced");
        MeshConfig config = result.config();
        // a service discovered by DNS is part of the snapshot; its endpoints() is the DNS name
        assertEquals(List.of("inventory", "legacy"), List.copyOf(config.services().keySet()));
        assertEquals(List.of(new Endpoint("legacy.internal", 8080)), config.service("legacy").endpoints());
        assertEquals(0.5, config.service("inventory").circuitBreaker().failureRateThreshold(), 1e-12);
        assertEquals("stdout", config.telemetry().accessLog().path());
        assertEquals(1, config.routes().size());
    }

    @Test
    void suspiciousButValidValuesAreWarnings() throws Exception {
        LoadResult result = ConfigLoader.parse("""
                services:
                  inventory:
                    endpoints: [a:1, b:2, a:1]
                    timeout: 1s
                    retry: { maxAttempts: 2, perTryTimeout: 5s, retryOn: [] }
                    circuitBreaker: { failureRateThreshold: 0.5 }
                """, "mesh.yaml");
        assertEquals(List.of(
                "mesh.yaml:3:27: services.inventory.endpoints[2]: a:1 is listed more than once; the duplicate is ignored",
                "mesh.yaml:5:45: services.inventory.retry.perTryTimeout: 5s is longer than the overall timeout 1s,"
                        + " which will end the call first",
                "mesh.yaml:5:58: services.inventory.retry.retryOn: the list is empty, so nothing is retried",
                "mesh.yaml:6:45: services.inventory.circuitBreaker.failureRateThreshold: 0.5 means 0.5%;"
                        + " write 50% if you meant a fraction of the calls"),
                strings(result.warnings()));
        ServiceConfig inventory = result.config().service("inventory");
        assertEquals(List.of(new Endpoint("a", 1), new Endpoint("b", 2)), inventory.endpoints());
        assertEquals(Set.of(), inventory.retry().retryOn());
        assertEquals(0.005, inventory.circuitBreaker().failureRateThreshold(), 1e-12);
    }

    @Test
    void snapshotCollectionsAreUnmodifiable() throws Exception {
        MeshConfig config = ConfigLoader.parse(FULL_YAML, "mesh.yaml").config();
        ServiceConfig inventory = config.service("inventory");
        assertThrows(UnsupportedOperationException.class, () -> config.services().remove("inventory"));
        assertThrows(UnsupportedOperationException.class, () -> inventory.endpoints().add(new Endpoint("x", 1)));
        assertThrows(UnsupportedOperationException.class, () -> inventory.retry().retryOn().add(RetryOn.GATEWAY_ERROR));
        assertThrows(UnsupportedOperationException.class, () -> inventory.retry().retriableStatusCodes().add(500));
    }

    @Test
    void toStringIsReadable() throws Exception {
        ServiceConfig inventory = ConfigLoader.parse(FULL_YAML, "mesh.yaml").config().service("inventory");
        assertEquals("ServiceConfig{name=inventory, endpoints=[10.0.0.5:8080, 10.0.0.6:8080, [::1]:9090],"
                + " loadBalancer=least_request, timeout=2s,"
                + " retry=RetryConfig{maxAttempts=3, perTryTimeout=500ms, backoff=10ms..1500ms,"
                + " retryOn=[CONNECT_FAILURE, RESET, STATUS_5XX], retriableStatusCodes=[429, 503]},"
                + " circuitBreaker=CircuitBreakerConfig{failureRateThreshold=0.4, minimumCalls=10, window=1m,"
                + " openDuration=1h, halfOpenCalls=3}}", inventory.toString());
    }

    @Test
    void loadsAFileAndNamesItInProblems(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mesh.yaml");
        Files.write(file, FULL_YAML.getBytes(StandardCharsets.UTF_8));
        assertEquals(ConfigLoader.parse(FULL_YAML, "x").config(), ConfigLoader.load(file).config());

        Files.write(file, "services:\n  inventory:\n    endpoints: []\n".getBytes(StandardCharsets.UTF_8));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ":3:16: services.inventory.endpoints: must list at least one endpoint,"
                + " like [\"10.0.0.5:8080\"]", e.getMessage());
    }

    @Test
    void missingFileIsOneProblemAtLineZero(@TempDir Path dir) {
        Path file = dir.resolve("missing.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(new Problem(file.toString(), 0, 0,
                "config file not found; check the path given with -Djmesh.config or JMESH_CONFIG")), e.problems());
    }

    @Test
    void directoryIsNotAConfigFile(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir));
        assertEquals(dir + ":0:0: is a directory; point -Djmesh.config at a YAML or JSON file", e.getMessage());
    }

    @Test
    void fileThatIsNotUtf8IsRejected(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, new byte[] {'s', 'e', 'r', 'v', 'i', 'c', 'e', ':', ' ', (byte) 0xE9});
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ":0:0: the config file is not valid UTF-8; save it as UTF-8", e.getMessage());
    }

    static List<String> strings(List<Problem> problems) {
        return problems.stream().map(Problem::toString).toList();
    }
}
