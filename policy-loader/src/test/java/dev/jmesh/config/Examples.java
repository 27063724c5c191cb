package dev.jmesh.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Valid example documents, one per section of the full model, shared by {@link SectionsTest} (which asserts
 * the parsed values) and {@link JsonSchemaTest} (which checks that docs/mesh.schema.json accepts them, and
 * every other valid document of the tests).
 */
final class Examples {

    static final String SERVICES = """
            services:
              inventory:
                endpoints:
                  - "10.0.0.5:8080"
                  - { address: "10.0.0.6:8080", weight: 3 }
                loadBalancer: least_request
                timeout: 2s
                retry:
                  maxAttempts: 3
                  perTryTimeout: 500ms
                  backoff: { base: 25ms, max: 250ms }
                  retryOn: [connect-failure, 5xx, "429"]
                  budget: { percent: 25%, minConcurrency: 5 }
                  methods: [GET, PUT, POST]
                  honorRetryAfter: true
                  mode: shadow
                circuitBreaker:
                  failureRateThreshold: 40%
                  slowCallRateThreshold: 80%
                  slowCallDuration: 1500ms
                  mode: shadow
                outlierDetection:
                  consecutive5xx: 3
                  consecutiveGatewayErrors: 2
                  consecutiveConnectFailures: 0
                  interval: 5s
                  baseEjectionTime: 10s
                  maxEjectionTime: 2m
                  maxEjectionPercent: 50
                  mode: shadow
                healthCheck:
                  path: /healthz
                  interval: 5s
                  timeout: 500ms
                  healthyThreshold: 1
                  unhealthyThreshold: 2
                  expectedStatuses: [200, "204", 300-399]
                rateLimit: { requestsPerSecond: 0.5, mode: shadow }
                maxConcurrentRequests: 200
                maxPendingRequests: 50
              catalog:
                dns: { address: "catalog.internal:8080", refreshInterval: 10s }
              search:
                dns: search.internal:9200
                outlierDetection: {}
                healthCheck: { path: /ready }
                rateLimit: { requestsPerSecond: 100, burst: 20 }
            """;

    static final String ROUTES = """
            services:
              inventory: { endpoints: ["10.0.0.5:8080"] }
              inventory-v2: { endpoints: ["10.0.0.7:8080"] }
            routes:
              - name: canary
                match:
                  host: inventory
                  pathPrefix: /v2/
                  methods: [GET, HEAD]
                  headers:
                    x-canary: "true"
                    x-user: { prefix: "test-" }
                    x-debug: { present: true }
                    x-legacy: { present: false }
                    x-version: { regex: "v[0-9]+" }
                  cookies: { session: { present: true } }
                  queryParameters: { beta: "1" }
                to:
                  - { service: inventory-v2, weight: 90 }
                  - { service: inventory, weight: 10 }
                timeout: 1s
                retry: { maxAttempts: 2 }
                mode: shadow
              - match: { host: "*.example.com", pathRegex: "^/api/v[0-9]+/.*" }
                fault:
                  delay: { percent: 5, duration: 2s }
                  abort: { percent: 1.5%, status: 503 }
                  header: x-fault
              - match: { path: /health }
                to: inventory
              - to: [inventory, inventory-v2]
            """;

    static final String DATABASES = """
            databases:
              orders-db:
                match: "jdbc:postgresql://orders-db*"
                endpoints: ["db1:5432", "db2:5432"]
                connectTimeout: 2s
                queryTimeout: 5s
                circuitBreaker: { failureRateThreshold: 60%, minimumCalls: 10 }
                retry: { maxAttempts: 3, backoff: { base: 50ms, max: 500ms } }
                statements:
                  - match: { verb: SELECT, table: orders }
                    queryTimeout: 1s
                  - match: { table: "audit_*" }
                    queryTimeout: 30s
                    mode: shadow
                  - match: { verb: SELECT, table: "report_*" }
                    retry: { maxAttempts: 3, backoff: { base: 10ms, max: 100ms } }
              reporting:
                match: "jdbc:mysql://reporting:3306/*"
            """;

    static final String AWS = """
            aws:
              S3:
                timeout: 5s
                circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 4, openDuration: 30s }
              S3.GetObject:
                timeout: 800ms
                retry: { maxAttempts: 2, backoff: { base: 20ms, max: 100ms } }
                rateLimit: { requestsPerSecond: 50, burst: 10, mode: shadow }
              DynamoDb: { timeout: 2s }
            """;

    static final String EGRESS = """
            egress:
              mode: registry_only
              allow: [api.stripe.com, "*.amazonaws.com:443", 10.1.2.3]
            """;

    static final String INBOUND = """
            service: inventory
            inbound:
              rateLimit: { requestsPerSecond: 200, burst: 50 }
              routes:
                - name: orders
                  match: { pathPrefix: /orders, methods: [POST], headers: { x-tenant: { present: true } } }
                  rateLimit: { requestsPerSecond: 5, burst: 2, mode: shadow }
                - match: { path: /healthz }
            """;

    static final String TELEMETRY = """
            telemetry:
              accessLog: { format: text, path: /var/log/jmesh/access.log }
              metrics:
                prometheus: { host: 0.0.0.0, port: 9464 }
                statsd: { host: statsd.internal, port: 8125, dogstatsd: true }
                otlp: { endpoint: "http://otel-collector:4318" }
              tracing:
                propagators: [tracecontext, baggage, b3, b3multi, xray]
                sampling: 0.25
                otlp: {}
              admin: { port: 9901 }
            """;

    static final String CONTROL_PLANE_HTTP = """
            controlPlane:
              http:
                url: "https://config.internal/mesh/orders.yaml"
                interval: 15s
                tokenFile: /var/run/secrets/jmesh/token
                caFile: /etc/jmesh/ca.pem
              cacheFile: /var/cache/jmesh/orders.yaml
            """;

    static final String CONTROL_PLANE_XDS = """
            service: orders
            controlPlane:
              xds:
                address: "istiod.istio-system:15010"
                nodeId: orders-1
                cluster: orders
                metadata: { zone: eu-west-1a, canary: true }
            """;

    /** The routes example written as JSON. */
    static final String ROUTES_JSON = """
            {
              "services": {"inventory": {"endpoints": ["10.0.0.5:8080"]},
                           "inventory-v2": {"endpoints": ["10.0.0.7:8080"]}},
              "routes": [
                {"name": "canary",
                 "match": {"host": "inventory", "pathPrefix": "/v2/", "methods": ["GET", "HEAD"],
                           "headers": {"x-canary": "true", "x-user": {"prefix": "test-"}, "x-debug": {"present": true},
                                       "x-legacy": {"present": false}, "x-version": {"regex": "v[0-9]+"}},
                           "cookies": {"session": {"present": true}}, "queryParameters": {"beta": "1"}},
                 "to": [{"service": "inventory-v2", "weight": 90}, {"service": "inventory", "weight": 10}],
                 "timeout": "1s", "retry": {"maxAttempts": 2}, "mode": "shadow"},
                {"match": {"host": "*.example.com", "pathRegex": "^/api/v[0-9]+/.*"},
                 "fault": {"delay": {"percent": 5, "duration": "2s"}, "abort": {"percent": "1.5%", "status": 503},
                           "header": "x-fault"}},
                {"match": {"path": "/health"}, "to": "inventory"},
                {"to": ["inventory", "inventory-v2"]}
              ]
            }
            """;

    /** Every valid document of the tests, by name. */
    static Map<String, String> all() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("services", SERVICES);
        m.put("routes", ROUTES);
        m.put("routes as JSON", ROUTES_JSON);
        m.put("databases", DATABASES);
        m.put("aws", AWS);
        m.put("egress", EGRESS);
        m.put("inbound", INBOUND);
        m.put("telemetry", TELEMETRY);
        m.put("controlPlane.http", CONTROL_PLANE_HTTP);
        m.put("controlPlane.xds", CONTROL_PLANE_XDS);
        m.put("first slice, YAML", ConfigLoaderTest.FULL_YAML);
        m.put("first slice, JSON", ConfigLoaderTest.FULL_JSON);
        m.put("origins", OriginsTest.DOC);
        m.put("overrides", OverridesTest.DOC);
        m.put("not enforced", FeaturesTest.EVERY_NOT_ENFORCED_KEY);
        return m;
    }

    private Examples() {
    }
}
