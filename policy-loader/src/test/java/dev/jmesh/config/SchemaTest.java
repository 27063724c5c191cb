package dev.jmesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The schema that overrides and origins use lists exactly the keys that the section parsers read. */
class SchemaTest {

    static List<String> concat(List<String> known, List<String> notYet) {
        List<String> all = new ArrayList<>(known);
        all.addAll(notYet);
        return all;
    }

    static Stream<Arguments> sections() {
        return Stream.of(
                Arguments.of("top level", Schema.ROOT, concat(MeshConfigParser.KEYS, MeshConfigParser.NOT_YET)),
                Arguments.of("service", Schema.SERVICE, concat(ServiceParser.KEYS, ServiceParser.NOT_YET)),
                Arguments.of("retry", Schema.RETRY, RetryParser.KEYS),
                Arguments.of("backoff", Schema.BACKOFF, RetryParser.BACKOFF_KEYS),
                Arguments.of("circuitBreaker", Schema.CIRCUIT_BREAKER,
                        concat(CircuitBreakerParser.KEYS, CircuitBreakerParser.NOT_YET)),
                Arguments.of("telemetry", Schema.TELEMETRY, concat(TelemetryParser.KEYS, TelemetryParser.NOT_YET)),
                Arguments.of("accessLog", Schema.ACCESS_LOG, TelemetryParser.ACCESS_LOG_KEYS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sections")
    void schemaKeysAreTheParsersKeys(String name, Schema schema, List<String> keys) {
        assertEquals(keys, List.copyOf(schema.keys().keySet()));
    }

    @Test
    void notYetSupportedKeysAreOpaque() {
        for (String key : ServiceParser.NOT_YET) {
            assertEquals(Schema.Kind.OPAQUE, Schema.SERVICE.child(key).kind(), key);
        }
        assertEquals(Schema.Kind.NAMES, Schema.ROOT.child("services").kind());
        assertEquals(Schema.SERVICE, Schema.ROOT.child("services").element());
        assertEquals(Schema.Kind.LIST, Schema.SERVICE.child("endpoints").kind());
        assertEquals(Schema.Kind.LIST, Schema.RETRY.child("retryOn").kind());
    }
}
