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
    private final DnsConfig dns;
    private final LoadBalancerPolicy loadBalancer;
    private final Duration timeout;
    private final RetryConfig retry;
    private final CircuitBreakerConfig circuitBreaker;
    private final OutlierDetectionConfig outlierDetection;
    private final HealthCheckConfig healthCheck;
    private final RateLimitConfig rateLimit;
    private final Integer maxConcurrentRequests;
    private final Integer maxPendingRequests;

    ServiceConfig(String name, List<Endpoint> endpoints, LoadBalancerPolicy loadBalancer, Duration timeout,
            RetryConfig retry, CircuitBreakerConfig circuitBreaker) {
        this(name, endpoints, null, loadBalancer, timeout, retry, circuitBreaker, null, null, null, null, null);
    }

    ServiceConfig(String name, List<Endpoint> endpoints, DnsConfig dns, LoadBalancerPolicy loadBalancer,
            Duration timeout, RetryConfig retry, CircuitBreakerConfig circuitBreaker,
            OutlierDetectionConfig outlierDetection, HealthCheckConfig healthCheck, RateLimitConfig rateLimit,
            Integer maxConcurrentRequests, Integer maxPendingRequests) {
        this.name = name;
        this.endpoints = Collections.unmodifiableList(new ArrayList<Endpoint>(
                dns != null ? Collections.singletonList(dns.address()) : endpoints));
        this.dns = dns;
        this.loadBalancer = loadBalancer;
        this.timeout = timeout;
        this.retry = retry;
        this.circuitBreaker = circuitBreaker;
        this.outlierDetection = outlierDetection;
        this.healthCheck = healthCheck;
        this.rateLimit = rateLimit;
        this.maxConcurrentRequests = maxConcurrentRequests;
        this.maxPendingRequests = maxPendingRequests;
    }

    public String name() {
        return name;
    }

    /**
     * At least one, in the order written. For a service discovered by {@link #dns()}, the one DNS name and
     * port itself, which the engine uses until its first resolution answers.
     */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** Discovery by DNS, or null when the endpoints are static ({@code endpoints}). Exactly one of the two is written. */
    public DnsConfig dns() {
        return dns;
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

    /** Outlier detection (passive ejection of failing endpoints), or null for none. */
    public OutlierDetectionConfig outlierDetection() {
        return outlierDetection;
    }

    /** Active health checks, or null for none. */
    public HealthCheckConfig healthCheck() {
        return healthCheck;
    }

    /** Local rate limit of the calls to this service, or null for none. */
    public RateLimitConfig rateLimit() {
        return rateLimit;
    }

    /** Most calls in flight to this service at once (Envoy: max_requests), or null for no limit. */
    public Integer maxConcurrentRequests() {
        return maxConcurrentRequests;
    }

    /** Most calls waiting for a connection at once (Envoy: max_pending_requests), or null for no limit. */
    public Integer maxPendingRequests() {
        return maxPendingRequests;
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
        return name.equals(s.name) && endpoints.equals(s.endpoints) && Objects.equals(dns, s.dns)
                && loadBalancer == s.loadBalancer && Objects.equals(timeout, s.timeout)
                && Objects.equals(retry, s.retry) && Objects.equals(circuitBreaker, s.circuitBreaker)
                && Objects.equals(outlierDetection, s.outlierDetection) && Objects.equals(healthCheck, s.healthCheck)
                && Objects.equals(rateLimit, s.rateLimit)
                && Objects.equals(maxConcurrentRequests, s.maxConcurrentRequests)
                && Objects.equals(maxPendingRequests, s.maxPendingRequests);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, endpoints, dns, loadBalancer, timeout, retry, circuitBreaker, outlierDetection,
                healthCheck, rateLimit, maxConcurrentRequests, maxPendingRequests);
    }

    /** The first-slice fields always; the others only when set. Endpoint weights other than 1 are shown. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ServiceConfig{name=").append(name);
        if (dns != null) {
            sb.append(", dns=").append(dns);
        } else {
            sb.append(", endpoints=[");
            for (int i = 0; i < endpoints.size(); i++) {
                Endpoint e = endpoints.get(i);
                sb.append(i == 0 ? "" : ", ").append(e);
                if (e.weight() != Endpoint.DEFAULT_WEIGHT) {
                    sb.append(" weight ").append(e.weight());
                }
            }
            sb.append(']');
        }
        sb.append(", loadBalancer=").append(loadBalancer.configName())
                .append(", timeout=").append(Durations.format(timeout))
                .append(", retry=").append(retry)
                .append(", circuitBreaker=").append(circuitBreaker);
        if (outlierDetection != null) {
            sb.append(", outlierDetection=").append(outlierDetection);
        }
        if (healthCheck != null) {
            sb.append(", healthCheck=").append(healthCheck);
        }
        if (rateLimit != null) {
            sb.append(", rateLimit=").append(rateLimit);
        }
        if (maxConcurrentRequests != null) {
            sb.append(", maxConcurrentRequests=").append(maxConcurrentRequests);
        }
        if (maxPendingRequests != null) {
            sb.append(", maxPendingRequests=").append(maxPendingRequests);
        }
        return sb.append('}').toString();
    }
}
