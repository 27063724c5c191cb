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
                        "mesh.yaml:2:1: unknown key 'foo' at the top level; known keys: service, services, routes,"
                                + " databases, egress, inbound, telemetry, controlPlane, aws"),
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
                c("unknown access log format", "telemetry:\n  accessLog: { format: xml, path: stdout }\n",
                        "mesh.yaml:2:24: telemetry.accessLog.format: unknown value 'xml'; allowed values: json, text"),
                c("access log without path", "telemetry:\n  accessLog: { format: json }\n",
                        "mesh.yaml:2:14: telemetry.accessLog: missing required key 'path'"),
                c("access log with empty path", "telemetry:\n  accessLog: { path: \"\" }\n",
                        "mesh.yaml:2:22: telemetry.accessLog.path: must not be empty"),
                c("access log caller not a boolean", "telemetry:\n  accessLog: { path: stdout, caller: no-thanks }\n",
                        "mesh.yaml:2:38: telemetry.accessLog.caller: expected true or false, got a string 'no-thanks'"));
    }

    /** Services "inventory" and "inventory-v2" (lines 1-3) and "routes:" (line 4); {@code routes} starts at line 5. */
    static String withRoutes(String routes) {
        return "services:\n  inventory: { endpoints: [\"10.0.0.5:8080\"] }\n"
                + "  inventory-v2: { endpoints: [\"10.0.0.7:8080\"] }\nroutes:\n" + routes;
    }

    /** The full model of issue #4: services' new keys, routes, databases, egress, telemetry, control plane. */
    static Stream<Case> fullModelCases() {
        return Stream.of(
                c("both endpoints and dns", "services:\n  inv:\n    endpoints: [a:1]\n    dns: inv.internal:80\n",
                        "mesh.yaml:4:5: services.inv: give either 'endpoints' or 'dns', not both"),
                c("dns without port", "services:\n  inv:\n    dns: inv.internal\n",
                        "mesh.yaml:3:10: services.inv.dns: invalid endpoint 'inv.internal': no port; write"
                                + " host:port, like 10.0.0.5:8080"),
                c("dns map without address", "services:\n  inv:\n    dns: { refreshInterval: 10s }\n",
                        "mesh.yaml:3:10: services.inv.dns: missing required key 'address'"),
                c("dns refresh interval without unit", "services:\n  inv:\n"
                                + "    dns: { address: \"inv.internal:80\", refreshInterval: 10 }\n",
                        "mesh.yaml:3:57: services.inv.dns.refreshInterval: 10 has no unit; did you mean 10ms?"),
                c("dns as a list", "services:\n  inv:\n    dns: [inv.internal:80]\n",
                        "mesh.yaml:3:10: services.inv.dns: expected a host:port string like"
                                + " inventory.internal:8080, or a map { address, refreshInterval }, got a list"),
                c("endpoint weight zero", "services:\n  inv:\n    endpoints: [{ address: \"a:1\", weight: 0 }]\n",
                        "mesh.yaml:3:43: services.inv.endpoints[0].weight: must be between 1 and 10000, got 0"),
                c("endpoint weight too big", "services:\n  inv:\n"
                                + "    endpoints: [{ address: \"a:1\", weight: 20000 }]\n",
                        "mesh.yaml:3:43: services.inv.endpoints[0].weight: must be between 1 and 10000, got 20000"),
                c("endpoint map without address", "services:\n  inv:\n    endpoints: [{ weight: 2 }]\n",
                        "mesh.yaml:3:17: services.inv.endpoints[0]: missing required key 'address'"),
                c("misspelt endpoint key", "services:\n  inv:\n    endpoints: [{ adress: \"a:1\" }]\n",
                        "mesh.yaml:3:17: services.inv.endpoints[0]: missing required key 'address'",
                        "mesh.yaml:3:19: unknown key 'adress' in services.inv.endpoints[0]; did you mean"
                                + " 'address'?"),
                c("same endpoint with two weights", "services:\n  inv:\n"
                                + "    endpoints: [\"a:1\", { address: \"a:1\", weight: 2 }]\n",
                        "mesh.yaml:3:24: services.inv.endpoints[1]: a:1 is listed more than once, with weights 1"
                                + " and 2; list it once"),
                c("max ejection percent above 100", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    outlierDetection: { maxEjectionPercent: 150 }\n",
                        "mesh.yaml:4:45: services.inv.outlierDetection.maxEjectionPercent: must be more than 0%"
                                + " and at most 100%, got 150"),
                c("max ejection time below base", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    outlierDetection: { baseEjectionTime: 1m, maxEjectionTime: 30s }\n",
                        "mesh.yaml:4:64: services.inv.outlierDetection.maxEjectionTime: must be at least"
                                + " baseEjectionTime (1m), got 30s"),
                c("base ejection time above the default max", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    outlierDetection: { baseEjectionTime: 10m }\n",
                        "mesh.yaml:4:43: services.inv.outlierDetection.baseEjectionTime: 10m is more than the"
                                + " default maxEjectionTime (5m); set maxEjectionTime as well"),
                c("negative consecutive5xx", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    outlierDetection: { consecutive5xx: -1 }\n",
                        "mesh.yaml:4:41: services.inv.outlierDetection.consecutive5xx: must be at least 0, got -1"),
                c("misspelt mode", "services:\n  inv:\n    endpoints: [a:1]\n    outlierDetection: { mode: shadw }\n",
                        "mesh.yaml:4:31: services.inv.outlierDetection.mode: unknown value 'shadw'; did you mean"
                                + " 'shadow'? allowed values: enforce, shadow"),
                c("health check without path", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    healthCheck: { interval: 5s }\n",
                        "mesh.yaml:4:18: services.inv.healthCheck: missing required key 'path'"),
                c("health check path without slash", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    healthCheck: { path: healthz }\n",
                        "mesh.yaml:4:26: services.inv.healthCheck.path: must start with '/', like /healthz, got"
                                + " 'healthz'"),
                c("health check timeout not below interval", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    healthCheck: { path: /h, interval: 1s, timeout: 2s }\n",
                        "mesh.yaml:4:53: services.inv.healthCheck: timeout (2s) must be shorter than interval"
                                + " (1s)"),
                c("health check reversed status range", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    healthCheck: { path: /h, expectedStatuses: [299-200] }\n",
                        "mesh.yaml:4:49: services.inv.healthCheck.expectedStatuses[0]: invalid status range"
                                + " '299-200'; write FROM-TO with 100 <= FROM <= TO <= 599, like 200-299"),
                c("health check status out of range", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    healthCheck: { path: /h, expectedStatuses: [700] }\n",
                        "mesh.yaml:4:49: services.inv.healthCheck.expectedStatuses[0]: status code must be a"
                                + " whole number between 100 and 599, got 700"),
                c("rate limit of zero", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    rateLimit: { requestsPerSecond: 0 }\n",
                        "mesh.yaml:4:37: services.inv.rateLimit.requestsPerSecond: must be greater than 0, got 0"),
                c("rate limit without requestsPerSecond", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    rateLimit: { burst: 10 }\n",
                        "mesh.yaml:4:16: services.inv.rateLimit: missing required key 'requestsPerSecond'"),
                c("rate limit burst zero", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    rateLimit: { requestsPerSecond: 5, burst: 0 }\n",
                        "mesh.yaml:4:47: services.inv.rateLimit.burst: must be at least 1, got 0"),
                c("maxConcurrentRequests zero", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    maxConcurrentRequests: 0\n",
                        "mesh.yaml:4:28: services.inv.maxConcurrentRequests: must be at least 1, got 0"),
                c("maxConcurrentRequests in the circuit breaker", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    circuitBreaker: { maxConcurrentRequests: 100 }\n",
                        "mesh.yaml:4:23: unknown key 'maxConcurrentRequests' in services.inv.circuitBreaker; it"
                                + " is a key of the service itself: write services.inv.maxConcurrentRequests"),
                c("mode on the service", "services:\n  inv:\n    endpoints: [a:1]\n    mode: shadow\n",
                        "mesh.yaml:4:5: unknown key 'mode' in services.inv; 'mode' belongs to a policy block: set"
                                + " retry.mode, circuitBreaker.mode, outlierDetection.mode or rateLimit.mode"),
                c("slow call rate without duration", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    circuitBreaker: { slowCallRateThreshold: 50% }\n",
                        "mesh.yaml:4:23: services.inv.circuitBreaker: slowCallRateThreshold needs"
                                + " slowCallDuration as well"),
                c("retry budget of zero percent", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    retry: { maxAttempts: 2, budget: { percent: 0% } }\n",
                        "mesh.yaml:4:49: services.inv.retry.budget.percent: must be more than 0% and at most"
                                + " 100%, got 0%"),
                c("unknown retry method", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    retry: { maxAttempts: 2, methods: [GET, FETCH] }\n",
                        "mesh.yaml:4:45: services.inv.retry.methods[1]: unknown value 'FETCH'; did you mean"
                                + " 'PATCH'? allowed values: GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE"),
                c("lower-case retry method", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    retry: { maxAttempts: 2, methods: [post] }\n",
                        "mesh.yaml:4:40: services.inv.retry.methods[0]: unknown value 'post'; did you mean"
                                + " 'POST'? allowed values: GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE"),
                c("CONNECT is never retried", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    retry: { maxAttempts: 2, methods: [CONNECT] }\n",
                        "mesh.yaml:4:40: services.inv.retry.methods[0]: unknown value 'CONNECT'; allowed values:"
                                + " GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE"),
                c("honorRetryAfter not a boolean", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    retry: { maxAttempts: 2, honorRetryAfter: 1 }\n",
                        "mesh.yaml:4:47: services.inv.retry.honorRetryAfter: expected true or false, got a number"
                                + " 1"),
                c("maxReplayBodyBytes negative", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    retry: { maxAttempts: 2, maxReplayBodyBytes: -1 }\n",
                        "mesh.yaml:4:50: services.inv.retry.maxReplayBodyBytes: must be between 0 and 16777216,"
                                + " got -1"),
                c("maxReplayBodyBytes above 16 MiB", "services:\n  inv:\n    endpoints: [a:1]\n"
                                + "    retry: { maxAttempts: 2, maxReplayBodyBytes: 16777217 }\n",
                        "mesh.yaml:4:50: services.inv.retry.maxReplayBodyBytes: must be between 0 and 16777216,"
                                + " got 16777217"),
                c("route to an unknown service", withRoutes("  - to: [ { service: inventroy, weight: 100 } ]\n"),
                        "mesh.yaml:5:22: routes[0].to[0].service: unknown service 'inventroy'; did you mean"
                                + " 'inventory'?"),
                c("route to an unknown service without suggestion", withRoutes("  - to: payments\n"),
                        "mesh.yaml:5:9: routes[0].to: unknown service 'payments'; services are: inventory,"
                                + " inventory-v2"),
                c("route to a service when there are none", "routes:\n  - to: payments\n",
                        "mesh.yaml:2:9: routes[0].to: unknown service 'payments'; there are no services; define"
                                + " it under 'services'"),
                c("route weights all zero", withRoutes("  - to: [ { service: inventory, weight: 0 }, { service: inventory-v2, weight: 0 } ]\n"),
                        "mesh.yaml:5:9: routes[0].to: all weights are 0; at least one must be more than 0"),
                c("negative route weight", withRoutes("  - to: [ { service: inventory, weight: -5 } ]\n"),
                        "mesh.yaml:5:41: routes[0].to[0].weight: must be between 0 and 10000, got -5"),
                c("some weights missing", withRoutes("  - to: [ { service: inventory, weight: 90 }, { service: inventory-v2 } ]\n"),
                        "mesh.yaml:5:47: routes[0].to[1]: has no weight, but routes[0].to[0] has one; give every"
                                + " destination a weight, or none (then they share equally)"),
                c("service listed twice", withRoutes("  - to: [ inventory, inventory ]\n"),
                        "mesh.yaml:5:22: routes[0].to[1]: 'inventory' is already listed at line 5, column 11;"
                                + " list it once"),
                c("empty to", withRoutes("  - to: []\n"),
                        "mesh.yaml:5:9: routes[0].to: must name at least one service"),
                c("bad path regex", withRoutes("  - match: { pathRegex: \"(unclosed\" }\n"),
                        "mesh.yaml:5:25: routes[0].match.pathRegex: invalid regular expression '(unclosed':"
                                + " Unclosed group at index 9"),
                c("bad header regex", withRoutes("  - match: { headers: { x-v: { regex: \"[a-\" } } }\n"),
                        "mesh.yaml:5:39: routes[0].match.headers.x-v.regex: invalid regular expression '[a-':"
                                + " Illegal character range at index 3"),
                c("duplicate route names", withRoutes("  - name: canary\n    to: inventory\n  - name: canary\n"
                                + "    to: inventory-v2\n"),
                        "mesh.yaml:7:11: routes[1].name: duplicate route name 'canary' (first used by routes[0]"
                                + " at line 5, column 11)"),
                c("path and pathPrefix together", withRoutes("  - match: { path: /a, pathPrefix: /b }\n"),
                        "mesh.yaml:5:24: routes[0].match: give either 'path' or 'pathPrefix', not both"),
                c("path without slash", withRoutes("  - match: { pathPrefix: v2/ }\n"),
                        "mesh.yaml:5:26: routes[0].match.pathPrefix: must start with '/', got 'v2/'"),
                c("host with a port", withRoutes("  - match: { host: \"inventory:8080\" }\n"),
                        "mesh.yaml:5:20: routes[0].match.host: 'inventory:8080' is not a host name or a pattern"
                                + " like *.example.com; write the host without the port"),
                c("misspelt method in a match", withRoutes("  - match: { methods: [GETT] }\n"),
                        "mesh.yaml:5:24: routes[0].match.methods[0]: unknown value 'GETT'; did you mean 'GET'?"
                                + " allowed values: GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE, CONNECT"),
                c("two kinds in one header condition", withRoutes("  - match: { headers: { x-a: { exact: a, prefix: b } } }\n"),
                        "mesh.yaml:5:42: routes[0].match.headers.x-a: give either 'exact' or 'prefix', not both"),
                c("empty header condition", withRoutes("  - match: { headers: { x-a: {} } }\n"),
                        "mesh.yaml:5:30: routes[0].match.headers.x-a: give one of exact, prefix, regex or present"),
                c("present that is not a boolean", withRoutes("  - match: { headers: { x-a: { present: \"yes\" } } }\n"),
                        "mesh.yaml:5:41: routes[0].match.headers.x-a.present: expected true or false, got a"
                                + " string 'yes'"),
                c("invalid header name", withRoutes("  - match: { headers: { \"x canary\": \"1\" } }\n"),
                        "mesh.yaml:5:25: routes[0].match.headers.x canary: 'x canary' is not a valid header name"),
                c("fault without delay or abort", withRoutes("  - fault: { header: x-fault }\n"),
                        "mesh.yaml:5:12: routes[0].fault: give delay, abort or both"),
                c("abort percentage above 100", withRoutes("  - fault: { abort: { percent: 101, status: 503 } }\n"),
                        "mesh.yaml:5:32: routes[0].fault.abort.percent: must be between 0% and 100%, got 101"),
                c("abort status out of range", withRoutes("  - fault: { abort: { percent: 1, status: 600 } }\n"),
                        "mesh.yaml:5:43: routes[0].fault.abort.status: status code must be a whole number between"
                                + " 200 and 599, got 600"),
                c("delay without duration", withRoutes("  - fault: { delay: { percent: 10 } }\n"),
                        "mesh.yaml:5:21: routes[0].fault.delay: missing required key 'duration'"),
                c("unknown route mode", withRoutes("  - to: inventory\n    mode: dryrun\n"),
                        "mesh.yaml:6:11: routes[0].mode: unknown value 'dryrun'; allowed values: enforce, shadow"),
                c("misspelt route key", withRoutes("  - matches: { host: inventory }\n"),
                        "mesh.yaml:5:5: unknown key 'matches' in routes[0]; did you mean 'match'?"),
                c("misspelt match key", withRoutes("  - match: { pathprefix: /v2/ }\n"),
                        "mesh.yaml:5:14: unknown key 'pathprefix' in routes[0].match; did you mean 'pathPrefix'?"),
                c("routes that are a map", "routes: { canary: { to: inventory } }\n",
                        "mesh.yaml:1:9: routes: expected a list of routes, got a map"),
                c("database match that is not JDBC", "databases:\n  orders: { match: \"postgresql://orders*\" }\n",
                        "mesh.yaml:2:20: databases.orders.match: 'postgresql://orders*' is not a JDBC URL"
                                + " pattern; start it with 'jdbc:', like \"jdbc:postgresql://orders-db*\""),
                c("aws timeout without a unit", "aws:\n  S3.GetObject: { timeout: 250 }\n",
                        "mesh.yaml:2:28: aws.S3.GetObject.timeout: 250 has no unit; did you mean 250ms?"),
                c("aws key that is not Service.Operation", "aws:\n  s3/GetObject: { timeout: 1s }\n",
                        "mesh.yaml:2:3: aws: 's3/GetObject' is not a service or Service.Operation name as the SDK"
                                + " spells them, like S3 or S3.GetObject"),
                c("misspelt aws policy key", "aws:\n  S3:\n    circuitBraker: {}\n",
                        "mesh.yaml:3:5: unknown key 'circuitBraker' in aws.S3; did you mean 'circuitBreaker'?"),
                c("aws retry without maxAttempts", "aws:\n  S3: { retry: { backoff: { base: 10ms } } }\n",
                        "mesh.yaml:2:16: aws.S3.retry: missing required key 'maxAttempts'"),
                c("aws breaker with slow calls", "aws:\n  S3:\n    circuitBreaker: { slowCallRateThreshold: 50%, slowCallDuration: 1s }\n",
                        "mesh.yaml:3:23: aws.S3.circuitBreaker: slowCallRateThreshold is not supported for AWS"
                                + " calls; a timeout bounds them instead"),
                c("aws map that is a list", "aws: [S3]\n",
                        "mesh.yaml:1:6: aws: expected a map from AWS services or Service.Operation names to"
                                + " policies, like { S3.GetObject: { timeout: 1s } }, got a list"),
                c("database without match", "databases:\n  orders: { queryTimeout: 1s }\n",
                        "mesh.yaml:2:11: databases.orders: missing required key 'match'"),
                c("misspelt statement verb", "databases:\n  orders:\n    match: \"jdbc:h2:mem:*\"\n"
                                + "    statements: [ { match: { verb: SELEKT }, queryTimeout: 1s } ]\n",
                        "mesh.yaml:4:36: databases.orders.statements[0].match.verb: unknown value 'SELEKT'; did"
                                + " you mean 'SELECT'? allowed values: SELECT, INSERT, UPDATE, DELETE, MERGE, CALL"),
                c("statement match without conditions", "databases:\n  orders:\n    match: \"jdbc:h2:mem:*\"\n"
                                + "    statements: [ { match: {}, queryTimeout: 1s } ]\n",
                        "mesh.yaml:4:28: databases.orders.statements[0].match: give verb, table or both"),
                c("statement without queryTimeout or retry", "databases:\n  orders:\n    match: \"jdbc:h2:mem:*\"\n"
                                + "    statements: [ { match: { verb: UPDATE } } ]\n",
                        "mesh.yaml:4:19: databases.orders.statements[0]: give queryTimeout, retry or both"),
                c("statement retry of writes", "databases:\n  orders:\n    match: \"jdbc:h2:mem:*\"\n"
                                + "    statements: [ { match: { verb: UPDATE }, retry: { maxAttempts: 2 } } ]\n",
                        "mesh.yaml:4:53: databases.orders.statements[0].retry: only reads are retried, and this"
                                + " policy matches UPDATE statements; use verb: SELECT, or leave the verb out (then only"
                                + " the SELECT statements it matches are retried)"),
                c("statement retry with retryOn", "databases:\n  orders:\n    match: \"jdbc:h2:mem:*\"\n"
                                + "    statements: [ { match: { verb: SELECT }, retry: { maxAttempts: 2, retryOn: [5xx] } } ]\n",
                        "mesh.yaml:4:71: unknown key 'retryOn' in databases.orders.statements[0].retry; a"
                                + " statement's retry repeats reads outside a transaction on transient SQLStates only"
                                + " and takes maxAttempts, backoff, mode"),
                c("database retry with retryOn", "databases:\n  orders:\n    match: \"jdbc:h2:mem:*\"\n"
                                + "    retry: { maxAttempts: 2, retryOn: [5xx] }\n",
                        "mesh.yaml:4:30: unknown key 'retryOn' in databases.orders.retry; a database's retry"
                                + " repeats connection attempts only and takes maxAttempts, backoff, mode"),
                c("misspelt egress mode", "egress: { mode: registry-only }\n",
                        "mesh.yaml:1:17: egress.mode: unknown value 'registry-only'; did you mean"
                                + " 'registry_only'? allowed values: allow_all, registry_only"),
                c("bad egress host pattern", "egress: { mode: registry_only, allow: [\"api.*.com\"] }\n",
                        "mesh.yaml:1:40: egress.allow[0]: 'api.*.com' is not a host pattern; write a host name or"
                                + " address, or *.domain, optionally with :port, like api.example.com or"
                                + " \"*.example.com:443\""),
                c("egress allow that is a string", "egress: { mode: registry_only, allow: api.example.com }\n",
                        "mesh.yaml:1:39: egress.allow: expected a list of host patterns like [api.example.com,"
                                + " \"*.example.com:443\"], got a string 'api.example.com'"),
                c("inbound rate limit without rate", "inbound:\n  rateLimit: { burst: 5 }\n",
                        "mesh.yaml:2:14: inbound.rateLimit: missing required key 'requestsPerSecond'"),
                c("misspelt inbound key", "inbound:\n  ratelimit: { requestsPerSecond: 5 }\n",
                        "mesh.yaml:2:3: unknown key 'ratelimit' in inbound; did you mean 'rateLimit'?"),
                c("inbound routes not a list", "inbound:\n  routes: { match: { path: /a } }\n",
                        "mesh.yaml:2:11: inbound.routes: expected a list of routes like [ { match: { pathPrefix:"
                                + " /orders }, rateLimit: { requestsPerSecond: 10 } } ], got a map"),
                c("inbound route path without slash", "inbound:\n  routes: [ { match: { pathPrefix: orders } } ]\n",
                        "mesh.yaml:2:36: inbound.routes[0].match.pathPrefix: must start with '/', got 'orders'"),
                c("inbound route with a destination", "inbound:\n  routes: [ { to: inventory } ]\n",
                        "mesh.yaml:2:15: unknown key 'to' in inbound.routes[0]; known keys: name, match,"
                                + " rateLimit"),
                c("duplicate inbound route name", "inbound:\n  routes: [ { name: a }, { name: a } ]\n",
                        "mesh.yaml:2:34: inbound.routes[1].name: duplicate route name 'a' (first used at line 2,"
                                + " column 21)"),
                c("negative inbound rate", "inbound:\n  routes: [ { rateLimit: { requestsPerSecond: -1 } } ]\n",
                        "mesh.yaml:2:47: inbound.routes[0].rateLimit.requestsPerSecond: must be greater than 0, got -1"),
                c("misspelt propagator", "telemetry:\n  tracing: { propagators: [tracecontext, b3-multi] }\n",
                        "mesh.yaml:2:42: telemetry.tracing.propagators[1]: unknown value 'b3-multi'; did you mean"
                                + " 'b3multi'? allowed values: tracecontext, baggage, b3, b3multi, xray"),
                c("unknown propagator", "telemetry:\n  tracing: { propagators: [w3c] }\n",
                        "mesh.yaml:2:28: telemetry.tracing.propagators[0]: unknown value 'w3c'; allowed values:"
                                + " tracecontext, baggage, b3, b3multi, xray"),
                c("sampling above 1", "telemetry:\n  tracing: { sampling: 1.5 }\n",
                        "mesh.yaml:2:24: telemetry.tracing.sampling: must be between 0 and 1, got 1.5"),
                c("prometheus port out of range", "telemetry:\n  metrics: { prometheus: { port: 70000 } }\n",
                        "mesh.yaml:2:34: telemetry.metrics.prometheus.port: must be between 1 and 65535, got"
                                + " 70000"),
                c("prometheus host with a port", "telemetry:\n"
                                + "  metrics: { prometheus: { host: \"127.0.0.1:9464\" } }\n",
                        "mesh.yaml:2:34: telemetry.metrics.prometheus.host: '127.0.0.1:9464' is not a valid host"
                                + " name or IP address; write the port as its own key"),
                c("admin without port", "telemetry:\n  admin: { host: 0.0.0.0 }\n",
                        "mesh.yaml:2:10: telemetry.admin: missing required key 'port'"),
                c("otlp endpoint without scheme", "telemetry:\n  metrics: { otlp: { endpoint: \"collector:4318\" } }\n",
                        "mesh.yaml:2:32: telemetry.metrics.otlp.endpoint: invalid URL 'collector:4318': write"
                                + " http:// or https:// and a host, like http://127.0.0.1:4318"),
                c("dogstatsd not a boolean", "telemetry:\n  metrics: { statsd: { dogstatsd: 1 } }\n",
                        "mesh.yaml:2:35: telemetry.metrics.statsd.dogstatsd: expected true or false, got a number"
                                + " 1"),
                c("both http and xds control planes", "controlPlane:\n  http: { url: \"https://cp/config\" }\n"
                                + "  xds: { address: \"cp:18000\" }\n",
                        "mesh.yaml:3:3: controlPlane: give either 'http' or 'xds', not both"),
                c("control plane without http or xds", "controlPlane: {}\n",
                        "mesh.yaml:1:15: controlPlane: give 'http' (poll a config document) or 'xds' (an xDS"
                                + " server)"),
                c("token file and token env together", "controlPlane:\n"
                                + "  http: { url: \"https://cp/config\", tokenFile: /t, tokenEnv: CP_TOKEN }\n",
                        "mesh.yaml:2:52: controlPlane.http: give either 'tokenFile' or 'tokenEnv', not both"),
                c("control plane URL that is not http", "controlPlane:\n  http: { url: \"ftp://cp/config\" }\n",
                        "mesh.yaml:2:16: controlPlane.http.url: invalid URL 'ftp://cp/config': write http:// or"
                                + " https:// and a host, like http://127.0.0.1:4318"),
                c("xds address without port", "controlPlane:\n  xds: { address: istiod }\n",
                        "mesh.yaml:2:19: controlPlane.xds.address: invalid endpoint 'istiod': no port; write"
                                + " host:port, like 10.0.0.5:8080"),
                c("xds metadata that is a list", "controlPlane:\n"
                                + "  xds: { address: \"istiod:15010\", metadata: [a, b] }\n",
                        "mesh.yaml:2:45: controlPlane.xds.metadata: expected a map of names to values, got a list"),
                c("cache file that is a list", "controlPlane:\n  http: { url: \"https://cp/config\" }\n"
                                + "  cacheFile: [a]\n",
                        "mesh.yaml:3:14: controlPlane.cacheFile: expected a string, got a list"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fullModelCases")
    void fullModelRejectedWithExactProblems(Case c) {
        rejectedWithExactProblems(c);
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
                "mesh.yaml:15:24: telemetry.accessLog.format: unknown value 'xml'; allowed values: json, text",
                "mesh.yaml:16:1: unknown key 'extra' at the top level; known keys: service, services, routes,"
                        + " databases, egress, inbound, telemetry, controlPlane, aws"),
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
