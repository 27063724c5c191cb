package dev.jmesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Features#NOT_ENFORCED}: one warning per key kind a config uses, at its first use. */
class FeaturesTest {

    /** Uses every entry of NOT_ENFORCED, some of them twice. */
    static final String EVERY_NOT_ENFORCED_KEY = """
            services:
              a:
                endpoints: ["a:1", { address: "b:1", weight: 2 }]
                retry: { maxAttempts: 2, budget: {}, methods: [GET], honorRetryAfter: true, mode: shadow }
                circuitBreaker: { slowCallRateThreshold: 50%, slowCallDuration: 1s, mode: shadow }
                outlierDetection: {}
                healthCheck: { path: /healthz }
                rateLimit: { requestsPerSecond: 10 }
                maxConcurrentRequests: 10
                maxPendingRequests: 10
              b:
                dns: b.internal:80
                retry: { maxAttempts: 2, mode: shadow }
                rateLimit: { requestsPerSecond: 10 }
            routes: [ { match: { queryParameters: { q: "1" } }, retry: { maxAttempts: 2, budget: {}, methods: [GET], honorRetryAfter: true, mode: shadow } } ]
            databases: {}
            egress: {}
            telemetry:
              accessLog: { format: text, path: stdout }
              metrics: {}
              tracing: {}
              admin: { port: 9901 }
            """;

    @Test
    void oneWarningPerEntryAtItsFirstUse() throws Exception {
        LoadResult r = ConfigLoader.parse(EVERY_NOT_ENFORCED_KEY, "mesh.yaml");
        assertEquals(List.of(
                "mesh.yaml:4:42: 'services.<name>.retry.methods' is validated but not enforced by this version yet;"
                        + " only idempotent methods are retried",
                "mesh.yaml:4:58: 'services.<name>.retry.honorRetryAfter' is validated but not enforced by this"
                        + " version yet",
                "mesh.yaml:5:23: 'services.<name>.circuitBreaker.slowCallRateThreshold' is validated but not enforced"
                        + " by this version yet",
                "mesh.yaml:5:51: 'services.<name>.circuitBreaker.slowCallDuration' is validated but not enforced by"
                        + " this version yet",
                "mesh.yaml:10:5: 'services.<name>.maxPendingRequests' is validated but not enforced by this version yet",
                "mesh.yaml:15:22: 'routes[].match.queryParameters' is validated but not enforced by this version yet;"
                        + " a route with query parameter conditions never matches",
                "mesh.yaml:15:90: 'routes[].retry.methods' is validated but not enforced by this version yet;"
                        + " only idempotent methods are retried",
                "mesh.yaml:15:106: 'routes[].retry.honorRetryAfter' is validated but not enforced by this version yet",
                "mesh.yaml:16:1: 'databases' is validated but not enforced by this version yet",
                "mesh.yaml:19:24: 'telemetry.accessLog.format: text' is validated but not enforced by this version"
                        + " yet; the access log is written as JSON",
                "mesh.yaml:20:3: 'telemetry.metrics' is validated but not enforced by this version yet",
                "mesh.yaml:21:3: 'telemetry.tracing' is validated but not enforced by this version yet",
                "mesh.yaml:22:3: 'telemetry.admin' is validated but not enforced by this version yet"),
                ConfigLoaderTest.strings(r.warnings()));
        assertEquals(Features.NOT_ENFORCED.size(), r.warnings().size(), "every entry once");
    }

    @Test
    void whatTheEngineEnforcesGivesNoWarning() throws Exception {
        LoadResult r = ConfigLoader.parse("""
                services:
                  a:
                    endpoints: ["a:1", { address: "b:1" }]
                    loadBalancer: random
                    timeout: 1s
                    retry: { maxAttempts: 2, perTryTimeout: 500ms, backoff: { base: 10ms }, retryOn: [5xx],
                             mode: enforce }
                    circuitBreaker: { failureRateThreshold: 50%, mode: enforce }
                telemetry:
                  accessLog: { format: json, path: stdout }
                """, "mesh.yaml");
        assertEquals(List.of(), r.warnings());
    }

    @Test
    void theFirstUseInTheDocumentIsTheOneReportedWhateverTheOrderOfTheMapsIs() throws Exception {
        LoadResult r = ConfigLoader.load(ConfigInput.builder()
                .inline("services:\n  b:\n    endpoints: [b:1]\n  a:\n    endpoints: [a:1]\n"
                        + "    maxPendingRequests: 1\n")
                .systemProperties(Map.of("jmesh.services.b.maxPendingRequests", "2"))
                .build());
        // the document's use comes first, then the property's
        assertEquals(List.of("inline:6:5: 'services.<name>.maxPendingRequests' is validated but not enforced by this"
                + " version yet"), ConfigLoaderTest.strings(r.warnings()));
    }

    @Test
    void theWarningsComeWithTheOtherWarningsInDocumentOrder() throws Exception {
        LoadResult r = ConfigLoader.parse("""
                services:
                  a:
                    endpoints: [a:1, a:1]
                    maxPendingRequests: 5
                """, "mesh.yaml");
        assertEquals(List.of(
                "mesh.yaml:3:22: services.a.endpoints[1]: a:1 is listed more than once; the duplicate is ignored",
                "mesh.yaml:4:5: 'services.<name>.maxPendingRequests' is validated but not enforced by this version yet"),
                ConfigLoaderTest.strings(r.warnings()));
    }
}
