package dev.jmesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every invalid document is rejected with exactly these {@code source:line:col: message} problems. */
class InvalidConfigTest {

    record Case(String name, String text, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case c(String name, String text, String... expected) {
        return new Case(name, text, List.of(expected));
    }

    /** A valid service "inventory" (lines 1-3) followed by {@code extra}, starting at line 4. */
    static String inventory(String extra) {
        return "services:\n  inventory:\n    endpoints: [\"10.0.0.5:8080\"]\n" + extra;
    }

    static Stream<Case> cases() {
        return Stream.of(
                c("unknown key with a suggestion", inventory("    timout: 2s\n"),
                        "mesh.yaml:4:5: unknown key 'timout' in services.inventory; did you mean 'timeout'?"),
                c("unknown key differing only in case", inventory("    LoadBalancer: random\n"),
                        "mesh.yaml:4:5: unknown key 'LoadBalancer' in services.inventory; did you mean 'loadBalancer'?"),
                c("unknown key without a suggestion", "service: orders\nfoo: 1\n",
                        "mesh.yaml:2:1: unknown key 'foo' at the top level; known keys: service, services, telemetry"),
                c("misspelt key of the full design suggests it", inventory("    outlierDetecton: {}\n"),
                        "mesh.yaml:4:5: unknown key 'outlierDetecton' in services.inventory;"
                                + " did you mean 'outlierDetection'?"),
                c("bare number duration", inventory("    timeout: 250\n"),
                        "mesh.yaml:4:14: services.inventory.timeout: 250 has no unit; did you mean 250ms?"),
                c("bare small number duration suggests seconds", inventory("    timeout: 2\n"),
                        "mesh.yaml:4:14: services.inventory.timeout: 2 has no unit; did you mean 2s?"),
                c("quoted bare number duration", inventory("    timeout: \"250\"\n"),
                        "mesh.yaml:4:14: services.inventory.timeout: 250 has no unit; did you mean 250ms?"),
                c("duration given as a list", inventory("    timeout: [2s]\n"),
                        "mesh.yaml:4:14: services.inventory.timeout: expected a duration like 250ms, got a list"),
                c("duration with a space", inventory("    timeout: 2 seconds\n"),
                        "mesh.yaml:4:14: services.inventory.timeout: invalid duration '2 seconds';"
                                + " write a number and a unit (ms, s, m or h), like 250ms or 2s"),
                c("zero duration", inventory("    timeout: 0s\n"),
                        "mesh.yaml:4:14: services.inventory.timeout: must be greater than 0, got 0s"),
                c("empty value", inventory("    timeout:\n"),
                        "mesh.yaml:4:13: services.inventory.timeout: expected a duration like 250ms, got null"),
                c("negative maxAttempts", inventory("    retry: { maxAttempts: -1 }\n"),
                        "mesh.yaml:4:27: services.inventory.retry.maxAttempts: must be at least 1, got -1"),
                c("fractional maxAttempts", inventory("    retry: { maxAttempts: 2.5 }\n"),
                        "mesh.yaml:4:27: services.inventory.retry.maxAttempts: expected a whole number, got a number 2.5"),
                c("missing maxAttempts", inventory("    retry: { perTryTimeout: 1s }\n"),
                        "mesh.yaml:4:12: services.inventory.retry: missing required key 'maxAttempts'"),
                c("retry that is not a map", inventory("    retry: 3\n"),
                        "mesh.yaml:4:12: services.inventory.retry: expected a map, got a number 3"),
                c("backoff max below base", inventory("    retry: { maxAttempts: 3, backoff: { base: 100ms, max: 10ms } }\n"),
                        "mesh.yaml:4:59: services.inventory.retry.backoff.max: must be at least base (100ms), got 10ms"),
                c("backoff base above the default max", inventory("    retry: { maxAttempts: 3, backoff: { base: 1s } }\n"),
                        "mesh.yaml:4:47: services.inventory.retry.backoff.base: 1s is more than the default max (250ms);"
                                + " set backoff.max as well"),
                c("unknown retryOn value", inventory("    retry: { maxAttempts: 3, retryOn: [reset, timeout] }\n"),
                        "mesh.yaml:4:47: services.inventory.retry.retryOn[1]: unknown value 'timeout'; allowed values:"
                                + " connect-failure, reset, 5xx, gateway-error, or a status code like \"429\""),
                c("misspelt retryOn value", inventory("    retry: { maxAttempts: 3, retryOn: [connect_failure] }\n"),
                        "mesh.yaml:4:40: services.inventory.retry.retryOn[0]: unknown value 'connect_failure';"
                                + " did you mean 'connect-failure'? allowed values:"
                                + " connect-failure, reset, 5xx, gateway-error, or a status code like \"429\""),
                c("status code out of range", inventory("    retry: { maxAttempts: 3, retryOn: [\"429\", 600] }\n"),
                        "mesh.yaml:4:47: services.inventory.retry.retryOn[1]:"
                                + " status code must be a whole number between 100 and 599, got 600"),
                c("bad port", "services:\n  db:\n    endpoints: [\"db1:5432\", \"db2:70000\"]\n",
                        "mesh.yaml:3:29: services.db.endpoints[1]: invalid endpoint 'db2:70000':"
                                + " port must be between 1 and 65535, got 70000"),
                c("port zero", "services:\n  db:\n    endpoints: [\"db1:0\"]\n",
                        "mesh.yaml:3:17: services.db.endpoints[0]: invalid endpoint 'db1:0':"
                                + " port must be between 1 and 65535, got 0"),
                c("endpoint without port", "services:\n  db:\n    endpoints: [db1]\n",
                        "mesh.yaml:3:17: services.db.endpoints[0]: invalid endpoint 'db1':"
                                + " no port; write host:port, like 10.0.0.5:8080"),
                c("endpoint with a scheme", "services:\n  web:\n    endpoints: [\"http://web:80\"]\n",
                        "mesh.yaml:3:17: services.web.endpoints[0]: invalid endpoint 'http://web:80':"
                                + " write host:port without a scheme, like 10.0.0.5:8080"),
                c("IPv6 endpoint without brackets", "services:\n  v6:\n    endpoints: [\"::1:8080\"]\n",
                        "mesh.yaml:3:17: services.v6.endpoints[0]: invalid endpoint '::1:8080':"
                                + " put IPv6 addresses in brackets, like [::1]:8080"),
                c("endpoint port not a number", "services:\n  db:\n    endpoints: [\"db:http\"]\n",
                        "mesh.yaml:3:17: services.db.endpoints[0]: invalid endpoint 'db:http': port 'http' is not a number"),
                c("endpoint that is a number", "services:\n  db:\n    endpoints: [8080]\n",
                        "mesh.yaml:3:17: services.db.endpoints[0]: expected a host:port string like 10.0.0.5:8080,"
                                + " got a number 8080"),
                c("empty endpoint list", "services:\n  db:\n    endpoints: []\n",
                        "mesh.yaml:3:16: services.db.endpoints: must list at least one endpoint, like [\"10.0.0.5:8080\"]"),
                c("endpoints given as one string", "services:\n  db:\n    endpoints: db1:5432\n",
                        "mesh.yaml:3:16: services.db.endpoints: expected a list of host:port strings like"
                                + " [\"10.0.0.5:8080\"], got a string 'db1:5432'"),
                c("missing endpoints", "services:\n  db:\n    timeout: 1s\n",
                        "mesh.yaml:3:5: services.db: missing required key 'endpoints'"),
                c("unknown load balancer", inventory("    loadBalancer: fastest\n"),
                        "mesh.yaml:4:19: services.inventory.loadBalancer: unknown value 'fastest';"
                                + " allowed values: round_robin, least_request, random"),
                c("misspelt load balancer", inventory("    loadBalancer: roundrobin\n"),
                        "mesh.yaml:4:19: services.inventory.loadBalancer: unknown value 'roundrobin';"
                                + " did you mean 'round_robin'? allowed values: round_robin, least_request, random"),
                c("percentage above 100", inventory("    circuitBreaker: { failureRateThreshold: 150% }\n"),
                        "mesh.yaml:4:45: services.inventory.circuitBreaker.failureRateThreshold:"
                                + " must be more than 0% and at most 100%, got 150%"),
                c("zero percentage", inventory("    circuitBreaker: { failureRateThreshold: 0 }\n"),
                        "mesh.yaml:4:45: services.inventory.circuitBreaker.failureRateThreshold:"
                                + " must be more than 0% and at most 100%, got 0"),
                c("percentage that is not one", inventory("    circuitBreaker: { failureRateThreshold: half }\n"),
                        "mesh.yaml:4:45: services.inventory.circuitBreaker.failureRateThreshold:"
                                + " expected a percentage like 50%, got a string 'half'"),
                c("minimumCalls zero", inventory("    circuitBreaker: { minimumCalls: 0 }\n"),
                        "mesh.yaml:4:37: services.inventory.circuitBreaker.minimumCalls: must be at least 1, got 0"),
                c("halfOpenCalls as text", inventory("    circuitBreaker: { halfOpenCalls: five }\n"),
                        "mesh.yaml:4:38: services.inventory.circuitBreaker.halfOpenCalls:"
                                + " expected a whole number, got a string 'five'"),
                c("number too large for an int", inventory("    circuitBreaker: { minimumCalls: 3000000000 }\n"),
                        "mesh.yaml:4:37: services.inventory.circuitBreaker.minimumCalls:"
                                + " must be at most 2147483647, got 3000000000"),
                c("duplicate key", inventory("    timeout: 1s\n    timeout: 2s\n"),
                        "mesh.yaml:5:5: duplicate key 'timeout' in services.inventory (first defined at line 4, column 5)"),
                c("duplicate key in JSON", "{\"service\": \"a\", \"service\": \"b\"}",
                        "mesh.yaml:1:18: duplicate key 'service' at the top level (first defined at line 1, column 2)"),
                c("YAML syntax error", "services:\n  inventory: [a\n  other: 1\n",
                        "mesh.yaml:3:8: YAML syntax error: while parsing a flow sequence;"
                                + " expected ',' or ']', but got :"),
                c("YAML bad indentation", "service: orders\n  services: {}\n",
                        "mesh.yaml:2:11: YAML syntax error: mapping values are not allowed here"),
                c("JSON syntax error", "{\"service\": \"orders\",}",
                        "mesh.yaml:1:22: JSON syntax error: Unexpected character ('}' (code 125)):"
                                + " was expecting double-quote to start field name"),
                c("YAML alias", "service: &name orders\nservices:\n  x:\n    endpoints: [*name]\n",
                        "mesh.yaml:4:17: services.x.endpoints[0]: YAML aliases (*name) are not supported;"
                                + " write the value out in full"),
                c("two YAML documents", "service: a\n---\nservice: b\n",
                        "mesh.yaml:3:1: a second YAML document starts here; a config file holds exactly one document"),
                c("top level is a list", "- service: orders\n",
                        "mesh.yaml:1:1: the top level: expected a map, got a list"),
                c("services is a list", "services: [inventory]\n",
                        "mesh.yaml:1:11: services: expected a map from service names to services, got a list"),
                c("service name is not a string", "service: 42\n",
                        "mesh.yaml:1:10: service: expected a string, got a number 42"),
                c("unknown access log format", "telemetry:\n  accessLog: { format: text, path: stdout }\n",
                        "mesh.yaml:2:24: telemetry.accessLog.format: unknown value 'text'; allowed values: json"),
                c("access log without path", "telemetry:\n  accessLog: { format: json }\n",
                        "mesh.yaml:2:14: telemetry.accessLog: missing required key 'path'"),
                c("access log with empty path", "telemetry:\n  accessLog: { path: \"\" }\n",
                        "mesh.yaml:2:22: telemetry.accessLog.path: must not be empty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithExactProblems(Case c) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(c.text(), "mesh.yaml"));
        assertEquals(c.expected(), ConfigLoaderTest.strings(e.problems()));
        assertEquals(String.join("\n", c.expected()), e.getMessage());
    }

    @Test
    void allProblemsInOneFileAreReportedInDocumentOrder() {
        String text = """
                service: orders
                services:
                  inventory:
                    endpoints: ["10.0.0.5:8080", "10.0.0.6:99999"]
                    loadBalancer: fastest
                    timout: 2s
                    retry:
                      maxAttempts: 0
                      perTryTimeout: 500
                      backoff: { base: 100ms, max: 10ms }
                    circuitBreaker: { failureRateThreshold: 150% }
                  payments:
                    endpoints: []
                telemetry:
                  accessLog: { format: xml, path: stdout }
                extra: true
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(text, "mesh.yaml"));
        assertEquals(List.of(
                "mesh.yaml:4:34: services.inventory.endpoints[1]: invalid endpoint '10.0.0.6:99999':"
                        + " port must be between 1 and 65535, got 99999",
                "mesh.yaml:5:19: services.inventory.loadBalancer: unknown value 'fastest';"
                        + " allowed values: round_robin, least_request, random",
                "mesh.yaml:6:5: unknown key 'timout' in services.inventory; did you mean 'timeout'?",
                "mesh.yaml:8:20: services.inventory.retry.maxAttempts: must be at least 1, got 0",
                "mesh.yaml:9:22: services.inventory.retry.perTryTimeout: 500 has no unit; did you mean 500ms?",
                "mesh.yaml:10:36: services.inventory.retry.backoff.max: must be at least base (100ms), got 10ms",
                "mesh.yaml:11:45: services.inventory.circuitBreaker.failureRateThreshold:"
                        + " must be more than 0% and at most 100%, got 150%",
                "mesh.yaml:13:16: services.payments.endpoints: must list at least one endpoint, like [\"10.0.0.5:8080\"]",
                "mesh.yaml:15:24: telemetry.accessLog.format: unknown value 'xml'; allowed values: json",
                "mesh.yaml:16:1: unknown key 'extra' at the top level; known keys: service, services, telemetry"),
                ConfigLoaderTest.strings(e.problems()));
    }

    @Test
    void problemsInJsonHaveJsonLocations() {
        String json = """
                {
                  "services": {
                    "inventory": {"endpoints": ["10.0.0.5:8080"], "timeout": 250}
                  }
                }
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(json, "mesh.json"));
        assertEquals(List.of("mesh.json:3:62: services.inventory.timeout: 250 has no unit; did you mean 250ms?"),
                ConfigLoaderTest.strings(e.problems()));
    }
}
