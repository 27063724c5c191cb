package dev.jmesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The schema that overrides, origins and the not-enforced warnings use lists exactly the keys that the section parsers read. */
class SchemaTest {

    static Stream<Arguments> sections() {
        return Stream.of(
                Arguments.of("top level", Schema.ROOT, MeshConfigParser.KEYS),
                Arguments.of("service", Schema.SERVICE, ServiceParser.KEYS),
                Arguments.of("endpoint", Schema.ENDPOINT, EndpointParser.KEYS),
                Arguments.of("dns", Schema.DNS, EndpointParser.DNS_KEYS),
                Arguments.of("retry", Schema.RETRY, RetryParser.KEYS),
                Arguments.of("database retry", Schema.DATABASE_RETRY, RetryParser.DATABASE_KEYS),
                Arguments.of("backoff", Schema.BACKOFF, RetryParser.BACKOFF_KEYS),
                Arguments.of("budget", Schema.BUDGET, RetryParser.BUDGET_KEYS),
                Arguments.of("circuitBreaker", Schema.CIRCUIT_BREAKER, CircuitBreakerParser.KEYS),
                Arguments.of("outlierDetection", Schema.OUTLIER_DETECTION, OutlierDetectionParser.KEYS),
                Arguments.of("healthCheck", Schema.HEALTH_CHECK, HealthCheckParser.KEYS),
                Arguments.of("rateLimit", Schema.RATE_LIMIT, RateLimitParser.KEYS),
                Arguments.of("route", Schema.ROUTE, RouteParser.KEYS),
                Arguments.of("route match", Schema.MATCH, RouteParser.MATCH_KEYS),
                Arguments.of("header matcher", Schema.MATCHER, RouteParser.MATCHER_KEYS),
                Arguments.of("destination", Schema.DESTINATION, RouteParser.DESTINATION_KEYS),
                Arguments.of("fault", Schema.FAULT, RouteParser.FAULT_KEYS),
                Arguments.of("fault delay", Schema.DELAY, RouteParser.DELAY_KEYS),
                Arguments.of("fault abort", Schema.ABORT, RouteParser.ABORT_KEYS),
                Arguments.of("database", Schema.DATABASE, DatabaseParser.KEYS),
                Arguments.of("statement", Schema.STATEMENT, DatabaseParser.STATEMENT_KEYS),
                Arguments.of("statement match", Schema.STATEMENT_MATCH, DatabaseParser.STATEMENT_MATCH_KEYS),
                Arguments.of("aws", Schema.AWS, AwsParser.KEYS),
                Arguments.of("egress", Schema.EGRESS, EgressParser.KEYS),
                Arguments.of("inbound", Schema.INBOUND, InboundParser.KEYS),
                Arguments.of("inbound route", Schema.INBOUND_ROUTE, InboundParser.ROUTE_KEYS),
                Arguments.of("telemetry", Schema.TELEMETRY, TelemetryParser.KEYS),
                Arguments.of("accessLog", Schema.ACCESS_LOG, TelemetryParser.ACCESS_LOG_KEYS),
                Arguments.of("metrics", Schema.METRICS, TelemetryParser.METRICS_KEYS),
                Arguments.of("prometheus", Schema.PROMETHEUS, TelemetryParser.PROMETHEUS_KEYS),
                Arguments.of("statsd", Schema.STATSD, TelemetryParser.STATSD_KEYS),
                Arguments.of("otlp", Schema.OTLP, TelemetryParser.OTLP_KEYS),
                Arguments.of("tracing", Schema.TRACING, TelemetryParser.TRACING_KEYS),
                Arguments.of("admin", Schema.ADMIN, TelemetryParser.ADMIN_KEYS),
                Arguments.of("controlPlane", Schema.CONTROL_PLANE, ControlPlaneParser.KEYS),
                Arguments.of("controlPlane.http", Schema.HTTP_CONTROL_PLANE, ControlPlaneParser.HTTP_KEYS),
                Arguments.of("controlPlane.xds", Schema.XDS, ControlPlaneParser.XDS_KEYS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sections")
    void schemaKeysAreTheParsersKeys(String name, Schema schema, List<String> keys) {
        assertEquals(keys, schema.keyList());
    }

    @Test
    void shapes() {
        assertEquals(Schema.Kind.NAMES, Schema.ROOT.child("services").kind());
        assertEquals(Schema.SERVICE, Schema.ROOT.child("services").element());
        assertEquals(Schema.DATABASE, Schema.ROOT.child("databases").element());
        assertEquals(Schema.Kind.LIST, Schema.SERVICE.child("endpoints").kind());
        assertEquals(Schema.ENDPOINT, Schema.SERVICE.child("endpoints").element());
        assertEquals(Schema.Kind.LIST, Schema.RETRY.child("retryOn").kind());
        assertEquals(Schema.ROUTE, Schema.ROOT.child("routes").element());
        assertTrue(Schema.ROOT.child("routes").perItem());
        assertEquals("address", Schema.DNS.shorthand());
        assertEquals(Schema.Kind.VALUE, Schema.XDS.child("metadata").element().kind());
    }

    /** Every entry of Features.NOT_ENFORCED names a path of the schema (and a key kind the parsers know). */
    @Test
    void notEnforcedEntriesArePathsOfTheSchema() {
        for (String entry : Features.NOT_ENFORCED) {
            String path = entry.contains(": ") ? entry.substring(0, entry.indexOf(": ")) : entry;
            Schema s = Schema.ROOT;
            for (String segment : path.split("\\.")) {
                String key = segment.endsWith("[]") ? segment.substring(0, segment.length() - 2) : segment;
                if (key.equals("<name>")) {
                    assertEquals(Schema.Kind.NAMES, s.kind(), entry);
                    s = s.element();
                    continue;
                }
                s = s.child(key);
                assertNotNull(s, entry + ": no key " + key);
                if (segment.endsWith("[]")) {
                    assertEquals(Schema.Kind.LIST, s.kind(), entry);
                    s = s.element();
                }
            }
        }
    }
}
