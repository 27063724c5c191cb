package dev.jmesh.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code services.<name>}: discovery ({@code endpoints} or {@code dns}), load balancing, timeout, and the
 * policy blocks (retry, circuit breaker, outlier detection, health check, rate limit) and concurrency limits.
 */
final class ServiceParser {

    static final List<String> KEYS = Fields.keys("endpoints", "dns", "loadBalancer", "timeout", "retry",
            "circuitBreaker", "outlierDetection", "healthCheck", "rateLimit", "maxConcurrentRequests",
            "maxPendingRequests");
    private static final Map<String, String> HINTS = Collections.singletonMap("mode",
            "'mode' belongs to a policy block: set retry.mode, circuitBreaker.mode, outlierDetection.mode or"
                    + " rateLimit.mode");

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
        Fields f = Fields.open(node, problems, KEYS, HINTS);
        if (f == null) {
            return null;
        }
        String discovery = f.oneOf("endpoints", "dns");
        List<Endpoint> endpoints = null;
        DnsConfig dns = null;
        if ("dns".equals(discovery)) {
            dns = f.track(EndpointParser.parseDns(f.get("dns"), problems));
        } else if (f.ok()) {
            Node endpointsNode = f.require("endpoints");
            endpoints = endpointsNode == null ? null : f.track(EndpointParser.parseList(endpointsNode, problems));
        }
        LoadBalancerPolicy loadBalancer = f.choice("loadBalancer", LoadBalancerPolicy.BY_NAME,
                LoadBalancerPolicy.ROUND_ROBIN);
        Duration timeout = f.duration("timeout", null);
        RetryConfig retry = f.has("retry") ? f.track(RetryParser.parse(f.get("retry"), problems)) : null;
        CircuitBreakerConfig circuitBreaker = f.has("circuitBreaker")
                ? f.track(CircuitBreakerParser.parse(f.get("circuitBreaker"), node.path(), problems))
                : null;
        OutlierDetectionConfig outlierDetection = f.has("outlierDetection")
                ? f.track(OutlierDetectionParser.parse(f.get("outlierDetection"), problems))
                : null;
        HealthCheckConfig healthCheck = f.has("healthCheck")
                ? f.track(HealthCheckParser.parse(f.get("healthCheck"), problems))
                : null;
        RateLimitConfig rateLimit = f.has("rateLimit")
                ? f.track(RateLimitParser.parse(f.get("rateLimit"), problems))
                : null;
        Integer maxConcurrentRequests = f.integer("maxConcurrentRequests", 1, null);
        Integer maxPendingRequests = f.integer("maxPendingRequests", 1, null);
        warnPerTryLongerThanTimeout(timeout, retry, f.get("retry"), problems);
        if (!f.ok()) {
            return null;
        }
        return new ServiceConfig(name, endpoints, dns, loadBalancer, timeout, retry, circuitBreaker, outlierDetection,
                healthCheck, rateLimit, maxConcurrentRequests, maxPendingRequests);
    }

    /** A per-try timeout longer than the overall timeout is allowed, but never takes effect. */
    static void warnPerTryLongerThanTimeout(Duration timeout, RetryConfig retry, Node retryNode, Problems problems) {
        if (timeout != null && retry != null && retry.perTryTimeout() != null
                && retry.perTryTimeout().compareTo(timeout) > 0) {
            Node perTry = retryNode.get("perTryTimeout");
            problems.warn(perTry, perTry.where() + ": " + Durations.format(retry.perTryTimeout())
                    + " is longer than the overall timeout " + Durations.format(timeout)
                    + ", which will end the call first");
        }
    }
}
