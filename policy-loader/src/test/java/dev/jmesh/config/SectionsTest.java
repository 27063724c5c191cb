package dev.jmesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One valid example per section of the full model ({@link Examples}), with every parsed value. */
class SectionsTest {

    static MeshConfig parse(String doc) throws ConfigException {
        return ConfigLoader.parse(doc, "mesh.yaml").config();
    }

    @Test
    void services() throws Exception {
        MeshConfig config = parse(Examples.SERVICES);
        ServiceConfig inventory = config.service("inventory");
        assertEquals(List.of(new Endpoint("10.0.0.5", 8080), new Endpoint("10.0.0.6", 8080, 3)), inventory.endpoints());
        assertEquals(1, inventory.endpoints().get(0).weight());
        assertEquals(3, inventory.endpoints().get(1).weight());
        assertNull(inventory.dns());

        RetryConfig retry = inventory.retry();
        assertEquals(3, retry.maxAttempts());
        assertEquals(EnumSet.of(RetryOn.CONNECT_FAILURE, RetryOn.STATUS_5XX), retry.retryOn());
        assertEquals(Set.of(429), retry.retriableStatusCodes());
        assertEquals(0.25, retry.budget().percent(), 1e-12);
        assertEquals(5, retry.budget().minConcurrency());
        assertEquals(List.of("GET", "PUT", "POST"), List.copyOf(retry.methods()));
        assertTrue(retry.honorRetryAfter());
        assertEquals(Mode.SHADOW, retry.mode());

        CircuitBreakerConfig breaker = inventory.circuitBreaker();
        assertEquals(0.4, breaker.failureRateThreshold(), 1e-12);
        assertEquals(0.8, breaker.slowCallRateThreshold(), 1e-12);
        assertEquals(Duration.ofMillis(1500), breaker.slowCallDuration());
        assertEquals(Mode.SHADOW, breaker.mode());

        OutlierDetectionConfig outliers = inventory.outlierDetection();
        assertEquals(3, outliers.consecutive5xx());
        assertEquals(2, outliers.consecutiveGatewayErrors());
        assertEquals(0, outliers.consecutiveConnectFailures());
        assertEquals(Duration.ofSeconds(5), outliers.interval());
        assertEquals(Duration.ofSeconds(10), outliers.baseEjectionTime());
        assertEquals(Duration.ofMinutes(2), outliers.maxEjectionTime());
        assertEquals(0.5, outliers.maxEjectionPercent(), 1e-12);
        assertEquals(Mode.SHADOW, outliers.mode());

        HealthCheckConfig health = inventory.healthCheck();
        assertEquals("/healthz", health.path());
        assertEquals(Duration.ofSeconds(5), health.interval());
        assertEquals(Duration.ofMillis(500), health.timeout());
        assertEquals(1, health.healthyThreshold());
        assertEquals(2, health.unhealthyThreshold());
        assertEquals("[200, 204, 300-399]", health.expectedStatuses().toString());
        assertTrue(health.expects(204) && health.expects(302) && !health.expects(201));

        assertEquals(0.5, inventory.rateLimit().requestsPerSecond(), 1e-12);
        assertEquals(1, inventory.rateLimit().burst(), "one second's worth, at least 1");
        assertEquals(Mode.SHADOW, inventory.rateLimit().mode());
        assertEquals(200, inventory.maxConcurrentRequests());
        assertEquals(50, inventory.maxPendingRequests());

        ServiceConfig catalog = config.service("catalog");
        assertEquals(new Endpoint("catalog.internal", 8080), catalog.dns().address());
        assertEquals(Duration.ofSeconds(10), catalog.dns().refreshInterval());
        assertEquals(List.of(new Endpoint("catalog.internal", 8080)), catalog.endpoints());

        ServiceConfig search = config.service("search");
        assertEquals("search.internal", search.dns().host());
        assertEquals(9200, search.dns().port());
        assertEquals(DnsConfig.DEFAULT_REFRESH_INTERVAL, search.dns().refreshInterval());
        assertEquals(5, search.outlierDetection().consecutive5xx());
        assertEquals(0, search.outlierDetection().consecutiveGatewayErrors());
        assertEquals(5, search.outlierDetection().consecutiveConnectFailures());
        assertEquals(Duration.ofSeconds(10), search.outlierDetection().interval());
        assertEquals(Duration.ofSeconds(30), search.outlierDetection().baseEjectionTime());
        assertEquals(Duration.ofSeconds(300), search.outlierDetection().maxEjectionTime());
        assertEquals(0.1, search.outlierDetection().maxEjectionPercent(), 1e-12);
        assertEquals(Mode.ENFORCE, search.outlierDetection().mode());
        assertEquals(Duration.ofSeconds(10), search.healthCheck().interval());
        assertEquals(Duration.ofSeconds(1), search.healthCheck().timeout());
        assertEquals(2, search.healthCheck().healthyThreshold());
        assertEquals(3, search.healthCheck().unhealthyThreshold());
        assertEquals("[200-299]", search.healthCheck().expectedStatuses().toString());
        assertEquals(20, search.rateLimit().burst());
        assertNull(search.maxConcurrentRequests());
        assertNull(search.maxPendingRequests());
    }

    @Test
    void retryAndBreakerDefaultsOfTheNewKeys() throws Exception {
        ServiceConfig s = parse("services: { a: { endpoints: [a:1], retry: { maxAttempts: 2, budget: {} },"
                + " circuitBreaker: {} } }").service("a");
        assertEquals(RetryConfig.DEFAULT_METHODS, s.retry().methods());
        assertEquals(List.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"), List.copyOf(s.retry().methods()));
        assertFalse(s.retry().honorRetryAfter());
        assertEquals(64 * 1024, s.retry().maxReplayBodyBytes());
        assertEquals(Mode.ENFORCE, s.retry().mode());
        assertEquals(0.2, s.retry().budget().percent(), 1e-12);
        assertEquals(3, s.retry().budget().minConcurrency());
        assertNull(s.circuitBreaker().slowCallRateThreshold());
        assertNull(s.circuitBreaker().slowCallDuration());
        assertEquals(Mode.ENFORCE, s.circuitBreaker().mode());
    }

    @Test
    void maxReplayBodyBytesOfAServiceAndARoute() throws Exception {
        MeshConfig config = parse("""
                services:
                  a: { endpoints: [a:1], retry: { maxAttempts: 2, maxReplayBodyBytes: 0 } }
                routes:
                  - match: { pathPrefix: /upload }
                    to: a
                    retry: { maxAttempts: 3, methods: [POST], maxReplayBodyBytes: 1048576 }
                """);
        assertEquals(0, config.service("a").retry().maxReplayBodyBytes());
        assertEquals(1048576, config.routes().get(0).retry().maxReplayBodyBytes());
    }

    @Test
    void routes() throws Exception {
        MeshConfig config = parse(Examples.ROUTES);
        List<RouteConfig> routes = config.routes();
        assertEquals(4, routes.size());

        RouteConfig canary = routes.get(0);
        assertEquals("canary", canary.name());
        assertEquals("canary", canary.label());
        assertEquals(0, canary.index());
        RouteMatch m = canary.match();
        assertEquals("inventory", m.host());
        assertEquals(StringMatcher.Kind.PREFIX, m.path().kind());
        assertEquals("/v2/", m.path().value());
        assertEquals(Set.of("GET", "HEAD"), m.methods());
        assertEquals(List.of("x-canary", "x-user", "x-debug", "x-legacy", "x-version"), List.copyOf(m.headers().keySet()));
        assertEquals("exact true", m.headers().get("x-canary").toString());
        assertEquals("prefix test-", m.headers().get("x-user").toString());
        assertEquals(StringMatcher.Kind.PRESENT, m.headers().get("x-debug").kind());
        assertEquals(StringMatcher.Kind.ABSENT, m.headers().get("x-legacy").kind());
        assertTrue(m.headers().get("x-version").matches("v12"));
        assertFalse(m.headers().get("x-version").matches("v12a"), "a regex matches the whole value");
        assertTrue(m.headers().get("x-legacy").matches(null));
        assertEquals(StringMatcher.Kind.PRESENT, m.cookies().get("session").kind());
        assertEquals("exact 1", m.queryParameters().get("beta").toString());
        assertEquals(List.of(new WeightedService("inventory-v2", 90), new WeightedService("inventory", 10)), canary.to());
        assertEquals(Duration.ofSeconds(1), canary.timeout());
        assertEquals(2, canary.retry().maxAttempts());
        assertEquals(Mode.SHADOW, canary.mode());
        assertEquals(Mode.SHADOW, canary.retry().mode(), "a route's mode is the default of its blocks");
        assertNull(canary.fault());

        RouteConfig faults = routes.get(1);
        assertNull(faults.name());
        assertEquals("routes[1]", faults.label());
        assertTrue(faults.match().matchesHost("api.EXAMPLE.com"));
        assertFalse(faults.match().matchesHost("example.com"));
        assertTrue(faults.match().path().matches("/api/v2/items"));
        assertEquals(List.of(), faults.to(), "no 'to': the service the host names");
        FaultConfig fault = faults.fault();
        assertEquals(0.05, fault.delay().percent(), 1e-12);
        assertEquals(Duration.ofSeconds(2), fault.delay().duration());
        assertEquals(0.015, fault.abort().percent(), 1e-12);
        assertEquals(503, fault.abort().status());
        assertEquals("x-fault", fault.header());
        assertEquals(Mode.ENFORCE, fault.mode());
        assertEquals(Mode.ENFORCE, faults.mode());

        RouteConfig health = routes.get(2);
        assertEquals(StringMatcher.Kind.EXACT, health.match().path().kind());
        assertEquals(List.of(new WeightedService("inventory", 1)), health.to());

        RouteConfig split = routes.get(3);
        assertTrue(split.match().matchesEverything());
        assertEquals(List.of(new WeightedService("inventory", 1), new WeightedService("inventory-v2", 1)), split.to());
    }

    @Test
    void routesFromJsonEqualRoutesFromYaml() throws Exception {
        MeshConfig yaml = parse(Examples.ROUTES);
        MeshConfig json = ConfigLoader.parse(Examples.ROUTES_JSON, "mesh.json").config();
        assertEquals(yaml, json);
        assertEquals(yaml.hashCode(), json.hashCode());
        assertEquals(yaml.toString(), json.toString());
    }

    @Test
    void databases() throws Exception {
        MeshConfig config = parse(Examples.DATABASES);
        assertEquals(List.of("orders-db", "reporting"), List.copyOf(config.databases().keySet()));
        DatabaseConfig orders = config.database("orders-db");
        assertEquals("orders-db", orders.name());
        assertEquals("jdbc:postgresql://orders-db*", orders.match());
        assertTrue(orders.matches("jdbc:postgresql://orders-db-2:5432/orders"));
        assertTrue(orders.matches("JDBC:PostgreSQL://orders-db"));
        assertFalse(orders.matches("jdbc:postgresql://users-db:5432/users"));
        assertEquals(List.of(new Endpoint("db1", 5432), new Endpoint("db2", 5432)), orders.endpoints());
        assertEquals(Duration.ofSeconds(2), orders.connectTimeout());
        assertEquals(Duration.ofSeconds(5), orders.queryTimeout());
        assertEquals(0.6, orders.circuitBreaker().failureRateThreshold(), 1e-12);
        assertEquals(10, orders.circuitBreaker().minimumCalls());
        assertEquals(3, orders.retry().maxAttempts());
        assertEquals(Duration.ofMillis(50), orders.retry().backoffBase());
        assertEquals(Duration.ofMillis(500), orders.retry().backoffMax());
        assertEquals(EnumSet.of(RetryOn.CONNECT_FAILURE), orders.retry().retryOn());
        assertNull(orders.retry().perTryTimeout());

        StatementPolicy selects = orders.statements().get(0);
        assertEquals("SELECT", selects.verb());
        assertEquals("orders", selects.table());
        assertEquals(Duration.ofSeconds(1), selects.queryTimeout());
        assertEquals(Mode.ENFORCE, selects.mode());
        assertTrue(selects.matches("select", "ORDERS"));
        assertFalse(selects.matches("UPDATE", "orders"));
        StatementPolicy audit = orders.statements().get(1);
        assertNull(audit.verb());
        assertTrue(audit.matches("INSERT", "audit_2024"));
        assertEquals(Mode.SHADOW, audit.mode());
        assertNull(audit.retry());
        StatementPolicy reports = orders.statements().get(2);
        assertNull(reports.queryTimeout());
        assertEquals(3, reports.retry().maxAttempts());
        assertEquals(Duration.ofMillis(10), reports.retry().backoffBase());
        assertEquals(Duration.ofMillis(100), reports.retry().backoffMax());
        assertEquals(Mode.ENFORCE, reports.retry().mode());

        DatabaseConfig reporting = config.database("reporting");
        assertEquals(List.of(), reporting.endpoints());
        assertNull(reporting.queryTimeout());
        assertNull(reporting.circuitBreaker());
        assertNull(reporting.retry());
        assertEquals(List.of(), reporting.statements());
        assertNull(config.database("nope"));
    }

    @Test
    void aws() throws Exception {
        MeshConfig config = parse(Examples.AWS);
        assertEquals(List.of("S3", "S3.GetObject", "DynamoDb"), List.copyOf(config.aws().keySet()));
        AwsPolicy s3 = config.aws().get("S3");
        assertEquals("S3", s3.key());
        assertEquals(Duration.ofSeconds(5), s3.timeout());
        assertEquals(0.5, s3.circuitBreaker().failureRateThreshold(), 1e-12);
        assertEquals(4, s3.circuitBreaker().minimumCalls());
        assertNull(s3.retry());
        assertNull(s3.rateLimit());
        AwsPolicy get = config.aws().get("S3.GetObject");
        assertEquals(Duration.ofMillis(800), get.timeout());
        assertEquals(2, get.retry().maxAttempts());
        assertEquals(Duration.ofMillis(20), get.retry().backoffBase());
        assertEquals(50.0, get.rateLimit().requestsPerSecond(), 1e-12);
        assertEquals(Mode.SHADOW, get.rateLimit().mode());
        assertNull(get.circuitBreaker());
        assertEquals(Duration.ofSeconds(2), config.aws().get("DynamoDb").timeout());
        assertEquals(Map.of(), parse("service: a\n").aws());
        assertThrows(UnsupportedOperationException.class, () -> config.aws().clear());
    }

    @Test
    void egress() throws Exception {
        EgressConfig egress = parse(Examples.EGRESS).egress();
        assertEquals(EgressMode.REGISTRY_ONLY, egress.mode());
        assertEquals(List.of("api.stripe.com", "*.amazonaws.com:443", "10.1.2.3"), egress.allow());
        assertEquals(EgressMode.ALLOW_ALL, MeshConfig.empty().egress().mode());
        assertEquals(List.of(), parse("egress: {}").egress().allow());
    }

    @Test
    void inbound() throws Exception {
        InboundConfig inbound = parse(Examples.INBOUND).inbound();
        assertEquals(200.0, inbound.rateLimit().requestsPerSecond(), 1e-12);
        assertEquals(50, inbound.rateLimit().burst());
        assertEquals(Mode.ENFORCE, inbound.rateLimit().mode());
        assertEquals(2, inbound.routes().size());
        InboundConfig.Route orders = inbound.routes().get(0);
        assertEquals("orders", orders.label());
        assertEquals(StringMatcher.prefix("/orders"), orders.match().path());
        assertEquals(Set.of("POST"), orders.match().methods());
        assertEquals(Set.of("x-tenant"), orders.match().headers().keySet());
        assertEquals(5.0, orders.rateLimit().requestsPerSecond(), 1e-12);
        assertEquals(2, orders.rateLimit().burst());
        assertEquals(Mode.SHADOW, orders.rateLimit().mode());
        InboundConfig.Route health = inbound.routes().get(1);
        assertEquals("inbound.routes[1]", health.label());
        assertNull(health.rateLimit(), "the section's limit applies");
        assertEquals(StringMatcher.exact("/healthz"), health.match().path());

        InboundConfig none = MeshConfig.empty().inbound();
        assertNull(none.rateLimit());
        assertEquals(List.of(), none.routes());
        assertEquals(none, parse("inbound: {}").inbound());
        assertNotEquals(parse(Examples.INBOUND), parse(Examples.INBOUND.replace("burst: 2", "burst: 3")),
                "a changed inbound section is a changed config (reload)");
    }

    @Test
    void telemetry() throws Exception {
        TelemetryConfig t = parse(Examples.TELEMETRY).telemetry();
        assertEquals("text", t.accessLog().format());
        assertEquals("/var/log/jmesh/access.log", t.accessLog().path());
        assertTrue(t.accessLog().caller(), "the caller is named unless caller: false");
        assertFalse(parse("telemetry: { accessLog: { path: stdout, caller: false } }").telemetry().accessLog().caller());
        assertEquals("0.0.0.0", t.metrics().prometheus().host());
        assertEquals(9464, t.metrics().prometheus().port());
        assertEquals("statsd.internal", t.metrics().statsd().host());
        assertEquals(8125, t.metrics().statsd().port());
        assertTrue(t.metrics().statsd().dogstatsd());
        assertEquals("http://otel-collector:4318", t.metrics().otlp().endpoint());
        assertEquals(List.of(Propagator.TRACECONTEXT, Propagator.BAGGAGE, Propagator.B3, Propagator.B3MULTI,
                Propagator.XRAY), t.tracing().propagators());
        assertEquals(0.25, t.tracing().sampling(), 1e-12);
        assertEquals(OtlpConfig.DEFAULT_ENDPOINT, t.tracing().otlp().endpoint());
        assertEquals("127.0.0.1", t.admin().host());
        assertEquals(9901, t.admin().port());
    }

    @Test
    void telemetryDefaults() throws Exception {
        TelemetryConfig t = parse("telemetry: { metrics: { prometheus: {}, statsd: {} }, tracing: { sampling: 10% } }")
                .telemetry();
        assertEquals("127.0.0.1", t.metrics().prometheus().host());
        assertEquals(9464, t.metrics().prometheus().port());
        assertEquals(8125, t.metrics().statsd().port());
        assertFalse(t.metrics().statsd().dogstatsd());
        assertNull(t.metrics().otlp());
        assertEquals(0.1, t.tracing().sampling(), 1e-12);
        assertEquals(List.of(Propagator.TRACECONTEXT, Propagator.BAGGAGE), t.tracing().propagators());
        assertNull(t.tracing().otlp());
        assertNull(t.admin());

        TelemetryConfig none = MeshConfig.empty().telemetry();
        assertNull(none.metrics().prometheus());
        assertEquals(1.0, none.tracing().sampling(), 1e-12);
    }

    @Test
    void controlPlaneOverHttp() throws Exception {
        ControlPlaneConfig cp = parse(Examples.CONTROL_PLANE_HTTP).controlPlane();
        assertNull(cp.xds());
        assertEquals("https://config.internal/mesh/orders.yaml", cp.http().url());
        assertEquals(Duration.ofSeconds(15), cp.http().interval());
        assertEquals("/var/run/secrets/jmesh/token", cp.http().tokenFile());
        assertNull(cp.http().tokenEnv());
        assertEquals("/etc/jmesh/ca.pem", cp.http().caFile());
        assertEquals("/var/cache/jmesh/orders.yaml", cp.cacheFile());
        assertEquals(Duration.ofSeconds(30), parse("controlPlane: { http: { url: \"http://cp/x\", tokenEnv: CP_TOKEN } }")
                .controlPlane().http().interval());
        assertNull(MeshConfig.empty().controlPlane());
    }

    @Test
    void controlPlaneOverXds() throws Exception {
        ControlPlaneConfig cp = parse(Examples.CONTROL_PLANE_XDS).controlPlane();
        assertNull(cp.http());
        assertEquals(new Endpoint("istiod.istio-system", 15010), cp.xds().address());
        assertEquals("orders-1", cp.xds().nodeId());
        assertEquals("orders", cp.xds().cluster());
        assertEquals(Map.of("zone", "eu-west-1a", "canary", "true"), cp.xds().metadata());
        ControlPlaneConfig minimal = parse("controlPlane: { xds: { address: \"cp:18000\" } }").controlPlane();
        assertNull(minimal.cacheFile());
        assertNull(minimal.xds().nodeId());
        assertNull(minimal.xds().cluster());
        assertEquals(Map.of(), minimal.xds().metadata());
    }

    @Test
    void servicesAndRoutesCanComeFromAnotherConfig() throws Exception {
        MeshConfig local = parse(Examples.TELEMETRY + "service: orders\nservices: { old: { endpoints: [\"10.0.0.1:80\"] } }\n");
        MeshConfig fromXds = parse(Examples.ROUTES);
        MeshConfig combined = local.withServicesAndRoutesOf(fromXds);
        assertEquals(fromXds.services(), combined.services());
        assertEquals(fromXds.routes(), combined.routes());
        assertEquals("orders", combined.service());
        assertEquals(local.telemetry(), combined.telemetry());
    }

    @Test
    void everyNewPartHasValueSemantics() throws Exception {
        for (String doc : Examples.all().values()) {
            MeshConfig a = ConfigLoader.parse(doc, "a.yaml").config();
            MeshConfig b = ConfigLoader.parse(doc, "b.yaml").config();
            assertEquals(a, b);
            assertEquals(a.hashCode(), b.hashCode());
            assertEquals(a.toString(), b.toString());
        }
        for (String[] change : new String[][] {
                {Examples.SERVICES, "weight: 3", "weight: 4"},
                {Examples.SERVICES, "minConcurrency: 5", "minConcurrency: 6"},
                {Examples.SERVICES, "consecutive5xx: 3", "consecutive5xx: 4"},
                {Examples.SERVICES, "300-399", "300-398"},
                {Examples.SERVICES, "refreshInterval: 10s", "refreshInterval: 11s"},
                {Examples.ROUTES, "weight: 90", "weight: 80"},
                {Examples.ROUTES, "test-", "prod-"},
                {Examples.ROUTES, "status: 503", "status: 502"},
                {Examples.DATABASES, "table: orders", "table: order"},
                {Examples.EGRESS, "10.1.2.3", "10.1.2.4"},
                {Examples.TELEMETRY, "sampling: 0.25", "sampling: 0.5"},
                {Examples.CONTROL_PLANE_XDS, "eu-west-1a", "eu-west-1b"}}) {
            assertNotEquals(parse(change[0]), parse(change[0].replace(change[1], change[2])), change[1]);
        }
    }

    @Test
    void newCollectionsAreUnmodifiable() throws Exception {
        MeshConfig routes = parse(Examples.ROUTES);
        assertThrows(UnsupportedOperationException.class, () -> routes.routes().clear());
        assertThrows(UnsupportedOperationException.class, () -> routes.routes().get(0).to().clear());
        assertThrows(UnsupportedOperationException.class, () -> routes.routes().get(0).match().headers().clear());
        assertThrows(UnsupportedOperationException.class, () -> routes.routes().get(0).match().methods().clear());
        MeshConfig dbs = parse(Examples.DATABASES);
        assertThrows(UnsupportedOperationException.class, () -> dbs.databases().clear());
        assertThrows(UnsupportedOperationException.class, () -> dbs.database("orders-db").statements().clear());
        assertThrows(UnsupportedOperationException.class, () -> parse(Examples.EGRESS).egress().allow().clear());
        assertThrows(UnsupportedOperationException.class,
                () -> parse(Examples.CONTROL_PLANE_XDS).controlPlane().xds().metadata().clear());
        assertThrows(UnsupportedOperationException.class,
                () -> parse(Examples.SERVICES).service("inventory").retry().methods().clear());
    }

    @Test
    void toStringsAreReadable() throws Exception {
        MeshConfig config = parse(Examples.SERVICES);
        assertEquals("ServiceConfig{name=search, dns=DnsConfig{address=search.internal:9200, refreshInterval=30s},"
                + " loadBalancer=round_robin, timeout=null, retry=null, circuitBreaker=null,"
                + " outlierDetection=OutlierDetectionConfig{consecutive5xx=5, consecutiveGatewayErrors=0,"
                + " consecutiveConnectFailures=5, interval=10s, baseEjectionTime=30s, maxEjectionTime=5m,"
                + " maxEjectionPercent=0.1, mode=enforce},"
                + " healthCheck=HealthCheckConfig{path=/ready, interval=10s, timeout=1s, healthyThreshold=2,"
                + " unhealthyThreshold=3, expectedStatuses=[200-299]},"
                + " rateLimit=RateLimitConfig{requestsPerSecond=100.0, burst=20, mode=enforce}}",
                config.service("search").toString());
        assertTrue(config.service("inventory").toString().contains("endpoints=[10.0.0.5:8080, 10.0.0.6:8080 weight 3]"));
        assertEquals("RouteConfig{index=2, match=RouteMatch{path=exact /health}, to=[inventory weight 1], mode=enforce}",
                parse(Examples.ROUTES).routes().get(2).toString());
        assertEquals("EgressConfig{mode=registry_only, allow=[api.stripe.com, *.amazonaws.com:443, 10.1.2.3]}",
                parse(Examples.EGRESS).egress().toString());
    }
}
