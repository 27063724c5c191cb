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
            databases: { d: { match: "jdbc:x*", circuitBreaker: { slowCallRateThreshold: 50%, slowCallDuration: 1s } } }
            egress: {}
            inbound: { routes: [ { match: { queryParameters: { q: "1" } } } ] }
            telemetry:
              accessLog: { format: text, path: stdout }
              metrics: {}
              admin: { port: 9901 }
            """;

    @Test
    void oneWarningPerEntryAtItsFirstUse() throws Exception {
        LoadResult r = ConfigLoader.parse(EVERY_NOT_ENFORCED_KEY, "mesh.yaml");
        assertEquals(List.of(
                "mesh.yaml:18:33: 'inbound.routes[].match.queryParameters' is validated but not enforced by this"
                        + " version yet; a route with query parameter conditions never matches"),
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
                             methods: [GET, POST], honorRetryAfter: true, maxReplayBodyBytes: 1024, mode: enforce }
                    circuitBreaker: { failureRateThreshold: 50%, mode: enforce }
                inbound:
                  rateLimit: { requestsPerSecond: 100 }
                  routes: [ { match: { pathPrefix: /orders, methods: [POST] }, rateLimit: { requestsPerSecond: 5 } } ]
                databases:
                  orders-db:
                    match: "jdbc:postgresql://orders-db*"
                    endpoints: ["db1:5432", "db2:5432"]
                    connectTimeout: 2s
                    queryTimeout: 5s
                    retry: { maxAttempts: 2 }
                    circuitBreaker: { minimumCalls: 5, slowCallRateThreshold: 50%, slowCallDuration: 1s, mode: shadow }
                    statements: [ { match: { verb: SELECT, table: orders }, queryTimeout: 1s, mode: shadow },
                                  { match: { verb: SELECT }, queryTimeout: 300ms, retry: { maxAttempts: 2 } } ]
                telemetry:
                  accessLog: { format: text, path: stdout }
                  tracing: { propagators: [tracecontext, baggage, b3, b3multi, xray], sampling: 0.5, otlp: { endpoint: "http://c:4318" } }
                  metrics: { prometheus: { port: 9464 }, statsd: { dogstatsd: true }, otlp: { endpoint: "http://c:4318" } }
                  admin: { port: 9901 }
                """, "mesh.yaml");
        assertEquals(List.of(), r.warnings());
    }

    /** Runs {@code test} as if this version did not enforce {@code services.<name>.maxPendingRequests}. */
    static void withPendingRequestsNotEnforced(org.junit.jupiter.api.function.Executable test) throws Throwable {
        List<String> before = Features.checked;
        Features.checked = List.of("services.<name>.maxPendingRequests");
        try {
            test.execute();
        } finally {
            Features.checked = before;
        }
    }

    @Test
    void theFirstUseInTheDocumentIsTheOneReportedWhateverTheOrderOfTheMapsIs() throws Throwable {
        withPendingRequestsNotEnforced(() -> {
            LoadResult r = ConfigLoader.load(ConfigInput.builder()
                    .inline("services:\n  b:\n    endpoints: [b:1]\n  a:\n    endpoints: [a:1]\n"
                            + "    maxPendingRequests: 1\n")
                    .systemProperties(Map.of("jmesh.services.b.maxPendingRequests", "2"))
                    .build());
            // the document's use comes first, then the property's
            assertEquals(List.of("inline:6:5: 'services.<name>.maxPendingRequests' is validated but not enforced by this"
                    + " version yet"), ConfigLoaderTest.strings(r.warnings()));
        });
    }

    @Test
    void theWarningsComeWithTheOtherWarningsInDocumentOrder() throws Throwable {
        withPendingRequestsNotEnforced(() -> {
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
        });
    }
}
