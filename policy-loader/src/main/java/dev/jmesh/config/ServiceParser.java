package dev.jmesh.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code services.<name>}: endpoints, load balancing, timeout, retry, circuit breaker. */
final class ServiceParser {

    static final List<String> KEYS = Fields.keys("endpoints", "loadBalancer", "timeout", "retry", "circuitBreaker");
    static final List<String> NOT_YET = Fields.keys("dns", "outlierDetection", "healthCheck", "rateLimit",
            "maxConcurrentRequests", "mode");

    private ServiceParser() {
    }

    /** The {@code services} map; services with problems are left out (and reported). */
    static Map<String, ServiceConfig> parseAll(Node services, Problems problems) {
        Map<String, ServiceConfig> result = new LinkedHashMap<String, ServiceConfig>();
        if (!services.is(Node.Kind.MAP)) {
            problems.error(services, services.where() + ": expected a map from service names to services, got "
                    + services.describe());
            return result;
        }
        for (Map.Entry<String, Node.Entry> e : services.entries().entrySet()) {
            String name = e.getKey();
            if (name.trim().isEmpty()) {
                problems.error(e.getValue().key, services.where() + ": a service name must not be empty");
                continue;
            }
            ServiceConfig service = parse(name, e.getValue().value, problems);
            if (service != null) {
                result.put(name, service);
            }
        }
        return result;
    }

    static ServiceConfig parse(String name, Node node, Problems problems) {
        Fields f = Fields.open(node, problems, KEYS, NOT_YET);
        if (f == null) {
            return null;
        }
        if (!f.has("endpoints") && f.has("dns")) {
            problems.warn(node, node.where() + ": the service is ignored: it has no endpoints, only 'dns'");
            return null;
        }
        Node endpointsNode = f.require("endpoints");
        List<Endpoint> endpoints = endpointsNode == null ? null : EndpointParser.parseList(endpointsNode, problems);
        LoadBalancerPolicy loadBalancer = f.has("loadBalancer")
                ? Values.choice(f.get("loadBalancer"), LoadBalancerPolicy.BY_NAME, problems)
                : LoadBalancerPolicy.ROUND_ROBIN;
        Duration timeout = f.has("timeout") ? Values.duration(f.get("timeout"), problems) : null;
        RetryConfig retry = f.has("retry") ? RetryParser.parse(f.get("retry"), problems) : null;
        CircuitBreakerConfig circuitBreaker = f.has("circuitBreaker")
                ? CircuitBreakerParser.parse(f.get("circuitBreaker"), problems)
                : null;
        if (timeout != null && retry != null && retry.perTryTimeout() != null
                && retry.perTryTimeout().compareTo(timeout) > 0) {
            Node perTry = f.get("retry").get("perTryTimeout");
            problems.warn(perTry, perTry.where() + ": " + Durations.format(retry.perTryTimeout())
                    + " is longer than the overall timeout " + Durations.format(timeout)
                    + ", which will end the call first");
        }
        if (endpoints == null || loadBalancer == null) {
            return null;
        }
        return new ServiceConfig(name, endpoints, loadBalancer, timeout, retry, circuitBreaker);
    }
}
