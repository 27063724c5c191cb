package dev.jmesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Accepted spellings of durations, percentages, endpoints and enum values. */
class ValuesTest {

    static ServiceConfig service(String body) throws ConfigException {
        return ConfigLoader.parse("services:\n  s:\n    endpoints: [\"a:1\"]\n" + body, "mesh.yaml").config().service("s");
    }

    static Stream<Arguments> durations() {
        return Stream.of(
                Arguments.of("250ms", Duration.ofMillis(250)),
                Arguments.of("2s", Duration.ofSeconds(2)),
                Arguments.of("1m", Duration.ofMinutes(1)),
                Arguments.of("1h", Duration.ofHours(1)),
                Arguments.of("1.5s", Duration.ofMillis(1500)),
                Arguments.of("0.5ms", Duration.ofNanos(500_000)),
                Arguments.of("90s", Duration.ofSeconds(90)),
                Arguments.of("\"3s\"", Duration.ofSeconds(3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("durations")
    void durationsWithUnits(String written, Duration expected) throws Exception {
        assertEquals(expected, service("    timeout: " + written + "\n").timeout());
    }

    static Stream<Arguments> percentages() {
        return Stream.of(
                Arguments.of("50%", 0.5),
                Arguments.of("50", 0.5),
                Arguments.of("12.5%", 0.125),
                Arguments.of("100", 1.0),
                Arguments.of("100%", 1.0),
                Arguments.of("\"75%\"", 0.75),
                Arguments.of("0.1%", 0.001));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("percentages")
    void failureRateThresholdIsAPercentage(String written, double expected) throws Exception {
        CircuitBreakerConfig breaker = service("    circuitBreaker: { failureRateThreshold: " + written + " }\n")
                .circuitBreaker();
        assertEquals(expected, breaker.failureRateThreshold(), 1e-12);
    }

    static Stream<Arguments> endpoints() {
        return Stream.of(
                Arguments.of("10.0.0.5:8080", "10.0.0.5", 8080, "10.0.0.5:8080"),
                Arguments.of("inventory.internal:1", "inventory.internal", 1, "inventory.internal:1"),
                Arguments.of("my_host-2:65535", "my_host-2", 65535, "my_host-2:65535"),
                Arguments.of("[::1]:8080", "::1", 8080, "[::1]:8080"),
                Arguments.of("[2001:db8::7]:443", "2001:db8::7", 443, "[2001:db8::7]:443"),
                Arguments.of("[fe80::1%eth0]:80", "fe80::1%eth0", 80, "[fe80::1%eth0]:80"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void endpointsAreHostAndPort(String written, String host, int port, String printed) throws Exception {
        Endpoint e = ConfigLoader.parse("services: { s: { endpoints: [\"" + written + "\"] } }", "mesh.yaml")
                .config().service("s").endpoints().get(0);
        assertEquals(host, e.host());
        assertEquals(port, e.port());
        assertEquals(printed, e.toString());
        assertEquals(new Endpoint(host, port), e);
        assertEquals(new Endpoint(host, port).hashCode(), e.hashCode());
    }

    @Test
    void endpointValueSemantics() {
        assertNotEquals(new Endpoint("a", 1), new Endpoint("a", 2));
        assertNotEquals(new Endpoint("a", 1), new Endpoint("b", 1));
        assertThrows(IllegalArgumentException.class, () -> new Endpoint("a", 0));
        assertThrows(IllegalArgumentException.class, () -> new Endpoint("a", 65536));
        assertThrows(IllegalArgumentException.class, () -> new Endpoint("", 80));
    }

    static Stream<Arguments> loadBalancers() {
        return Stream.of(
                Arguments.of("round_robin", LoadBalancerPolicy.ROUND_ROBIN),
                Arguments.of("least_request", LoadBalancerPolicy.LEAST_REQUEST),
                Arguments.of("random", LoadBalancerPolicy.RANDOM));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loadBalancers")
    void loadBalancerNames(String written, LoadBalancerPolicy expected) throws Exception {
        assertEquals(expected, service("    loadBalancer: " + written + "\n").loadBalancer());
        assertEquals(written, expected.configName());
    }

    static Stream<Arguments> retryOns() {
        return Stream.of(
                Arguments.of("[gateway-error]", EnumSet.of(RetryOn.GATEWAY_ERROR), Set.of()),
                Arguments.of("[\"429\", 503]", EnumSet.noneOf(RetryOn.class), Set.of(429, 503)),
                Arguments.of("[5xx, 5xx, reset]", EnumSet.of(RetryOn.STATUS_5XX, RetryOn.RESET), Set.of()),
                Arguments.of("[connect-failure, \"100\", \"599\"]", EnumSet.of(RetryOn.CONNECT_FAILURE), Set.of(100, 599)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("retryOns")
    void retryOnConditionsAndStatusCodes(String written, Set<RetryOn> kinds, Set<Integer> codes) throws Exception {
        RetryConfig retry = service("    retry: { maxAttempts: 2, retryOn: " + written + " }\n").retry();
        assertEquals(kinds, retry.retryOn());
        assertEquals(codes, retry.retriableStatusCodes());
    }

    @Test
    void accessLogFormatDefaultsToJson() throws Exception {
        AccessLogConfig log = ConfigLoader.parse("telemetry: { accessLog: { path: stderr } }", "mesh.yaml")
                .config().telemetry().accessLog();
        assertEquals("json", log.format());
        assertEquals("stderr", log.path());
    }

    @Test
    void telemetryWithoutAccessLog() throws Exception {
        assertNull(ConfigLoader.parse("telemetry: {}", "mesh.yaml").config().telemetry().accessLog());
    }

    static Stream<Arguments> distances() {
        return Stream.of(
                Arguments.of("timout", "timeout", 1),
                Arguments.of("kitten", "sitting", 3),
                Arguments.of("", "abc", 3),
                Arguments.of("same", "same", 0));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("distances")
    void levenshteinDistance(String a, String b, int expected) {
        assertEquals(expected, Suggestions.distance(a, b));
        assertEquals(expected, Suggestions.distance(b, a));
    }

    @Test
    void suggestionsPickTheClosestKeyAndIgnoreFarOnes() {
        List<String> keys = List.of("service", "services", "telemetry");
        assertEquals("services", Suggestions.closest("SERVICES", keys));
        assertEquals("service", Suggestions.closest("servce", keys));
        assertEquals("telemetry", Suggestions.closest("telemtry", keys));
        assertNull(Suggestions.closest("routes", keys));
        // two edits turn any two-letter word into any other: no suggestion for very short words
        assertNull(Suggestions.closest("ab", List.of("xy")));
    }
}
