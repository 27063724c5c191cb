package dev.jmesh.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/** One upstream service ({@code services.<name>}; Envoy: a cluster). */
public final class ServiceConfig {

    private final String name;
    private final List<Endpoint> endpoints;
    private final LoadBalancerPolicy loadBalancer;
    private final Duration timeout;
    private final RetryConfig retry;
    private final CircuitBreakerConfig circuitBreaker;

    ServiceConfig(String name, List<Endpoint> endpoints, LoadBalancerPolicy loadBalancer, Duration timeout,
            RetryConfig retry, CircuitBreakerConfig circuitBreaker) {
        this.name = name;
        this.endpoints = Collections.unmodifiableList(new ArrayList<Endpoint>(endpoints));
        this.loadBalancer = loadBalancer;
        this.timeout = timeout;
        this.retry = retry;
        this.circuitBreaker = circuitBreaker;
    }

    public String name() {
        return name;
    }

    /** At least one, in the order written. */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    public LoadBalancerPolicy loadBalancer() {
        return loadBalancer;
    }

    /** Overall timeout of a call including all retries, or null for none. */
    public Duration timeout() {
        return timeout;
    }

    /** Retry policy, or null for no retries. */
    public RetryConfig retry() {
        return retry;
    }

    /** Circuit breaker, or null for none. */
    public CircuitBreakerConfig circuitBreaker() {
        return circuitBreaker;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ServiceConfig)) {
            return false;
        }
        ServiceConfig s = (ServiceConfig) o;
        return name.equals(s.name) && endpoints.equals(s.endpoints) && loadBalancer == s.loadBalancer
                && Objects.equals(timeout, s.timeout) && Objects.equals(retry, s.retry)
                && Objects.equals(circuitBreaker, s.circuitBreaker);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, endpoints, loadBalancer, timeout, retry, circuitBreaker);
    }

    @Override
    public String toString() {
        return "ServiceConfig{name=" + name
                + ", endpoints=" + endpoints
                + ", loadBalancer=" + loadBalancer.configName()
                + ", timeout=" + Durations.format(timeout)
                + ", retry=" + retry
                + ", circuitBreaker=" + circuitBreaker + "}";
    }
}
