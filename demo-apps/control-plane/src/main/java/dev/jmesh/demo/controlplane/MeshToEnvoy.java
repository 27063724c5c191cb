package dev.jmesh.demo.controlplane;

import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import dev.jmesh.config.Endpoint;
import dev.jmesh.config.MeshConfig;
import dev.jmesh.config.OutlierDetectionConfig;
import dev.jmesh.config.RetryConfig;
import dev.jmesh.config.RetryOn;
import dev.jmesh.config.RouteConfig;
import dev.jmesh.config.ServiceConfig;
import dev.jmesh.config.StringMatcher;
import dev.jmesh.config.WeightedService;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The services and routes of a jmesh config as Envoy v3 resources: each service an EDS {@code Cluster} (DNS
 * services: STRICT_DNS) with its {@code ClusterLoadAssignment}, and one {@code RouteConfiguration} named
 * {@value #ROUTE_CONFIG} with a virtual host per route host ({@code *} for routes without one). The reverse of
 * what the agent's xDS client does, so a mesh.yaml served this way reaches the agent as written (for what
 * both sides can express: per-route retry and timeout, not the service's own retry or breaker).
 */
public final class MeshToEnvoy {
    public static final String ROUTE_CONFIG = "jmesh";

    private MeshToEnvoy() {
    }

    public static Snapshot snapshot(MeshConfig mesh, String version) {
        return Snapshot.create(clusters(mesh), assignments(mesh), List.of(), routeConfigurations(mesh), List.of(), version);
    }

    public static List<Cluster> clusters(MeshConfig mesh) {
        List<Cluster> clusters = new ArrayList<>();
        for (ServiceConfig service : mesh.services().values()) {
            clusters.add(cluster(service));
        }
        return clusters;
    }

    /** The endpoints of every service that is not discovered by DNS. */
    public static List<ClusterLoadAssignment> assignments(MeshConfig mesh) {
        List<ClusterLoadAssignment> endpoints = new ArrayList<>();
        for (ServiceConfig service : mesh.services().values()) {
            if (service.dns() == null) {
                endpoints.add(assignment(service.name(), service.endpoints()));
            }
        }
        return endpoints;
    }

    public static List<RouteConfiguration> routeConfigurations(MeshConfig mesh) {
        return mesh.routes().isEmpty() ? List.of() : List.of(routes(mesh));
    }

    public static Cluster cluster(ServiceConfig service) {
        Cluster.Builder cluster = Cluster.newBuilder()
                .setName(service.name())
                .setConnectTimeout(Duration.newBuilder().setSeconds(1))
                .setLbPolicy(switch (service.loadBalancer()) {
                    case LEAST_REQUEST -> Cluster.LbPolicy.LEAST_REQUEST;
                    case RANDOM -> Cluster.LbPolicy.RANDOM;
                    default -> Cluster.LbPolicy.ROUND_ROBIN;
                });
        if (service.dns() != null) {
            cluster.setType(Cluster.DiscoveryType.STRICT_DNS)
                    .setLoadAssignment(assignment(service.name(), List.of(service.dns().address())));
        } else {
            cluster.setType(Cluster.DiscoveryType.EDS).setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder()
                    .setEdsConfig(ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())));
        }
        if (service.maxConcurrentRequests() != null || service.maxPendingRequests() != null) {
            CircuitBreakers.Thresholds.Builder t = CircuitBreakers.Thresholds.newBuilder().setPriority(RoutingPriority.DEFAULT);
            if (service.maxConcurrentRequests() != null) {
                t.setMaxRequests(UInt32Value.of(service.maxConcurrentRequests()));
            }
            if (service.maxPendingRequests() != null) {
                t.setMaxPendingRequests(UInt32Value.of(service.maxPendingRequests()));
            }
            cluster.setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(t));
        }
        OutlierDetectionConfig od = service.outlierDetection();
        if (od != null) {
            cluster.setOutlierDetection(OutlierDetection.newBuilder()
                    .setConsecutive5Xx(UInt32Value.of(od.consecutive5xx()))
                    .setConsecutiveGatewayFailure(UInt32Value.of(od.consecutiveGatewayErrors()))
                    .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(od.consecutiveGatewayErrors() > 0 ? 100 : 0))
                    .setInterval(duration(od.interval()))
                    .setBaseEjectionTime(duration(od.baseEjectionTime()))
                    .setMaxEjectionTime(duration(od.maxEjectionTime()))
                    .setMaxEjectionPercent(UInt32Value.of((int) Math.round(od.maxEjectionPercent() * 100))));
        }
        return cluster.build();
    }

    public static ClusterLoadAssignment assignment(String name, List<Endpoint> hosts) {
        LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
        for (Endpoint host : hosts) {
            locality.addLbEndpoints(LbEndpoint.newBuilder()
                    .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                            .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder()
                                    .setAddress(host.host()).setPortValue(host.port()))))
                    .setLoadBalancingWeight(UInt32Value.of(host.weight())));
        }
        return ClusterLoadAssignment.newBuilder().setClusterName(name).addEndpoints(locality).build();
    }

    private static RouteConfiguration routes(MeshConfig mesh) {
        Map<String, VirtualHost.Builder> hosts = new LinkedHashMap<>();
        for (RouteConfig route : mesh.routes()) {
            String host = route.match().host() == null ? "*" : route.match().host();
            hosts.computeIfAbsent(host, h -> VirtualHost.newBuilder().setName(h).addDomains(h)).addRoutes(route(route));
        }
        RouteConfiguration.Builder config = RouteConfiguration.newBuilder().setName(ROUTE_CONFIG);
        hosts.values().forEach(config::addVirtualHosts);
        return config.build();
    }

    private static Route route(RouteConfig route) {
        RouteMatch.Builder match = RouteMatch.newBuilder();
        StringMatcher path = route.match().path();
        if (path == null) {
            match.setPrefix("/");
        } else {
            switch (path.kind()) {
                case EXACT -> match.setPath(path.value());
                case PREFIX -> match.setPrefix(path.value());
                default -> match.setSafeRegex(RegexMatcher.newBuilder().setRegex(path.value()));
            }
        }
        route.match().headers().forEach((name, m) -> {
            HeaderMatcher.Builder h = HeaderMatcher.newBuilder().setName(name);
            switch (m.kind()) {
                case EXACT -> h.setExactMatch(m.value());
                case PREFIX -> h.setPrefixMatch(m.value());
                case REGEX -> h.setSafeRegexMatch(RegexMatcher.newBuilder().setRegex(m.value()));
                case PRESENT -> h.setPresentMatch(true);
                case ABSENT -> h.setPresentMatch(true).setInvertMatch(true);
            }
            match.addHeaders(h);
        });
        RouteAction.Builder action = RouteAction.newBuilder();
        List<WeightedService> to = route.to();
        if (to.size() == 1) {
            action.setCluster(to.get(0).service());
        } else {
            WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
            for (WeightedService w : to) {
                weighted.addClusters(WeightedCluster.ClusterWeight.newBuilder().setName(w.service())
                        .setWeight(UInt32Value.of(w.weight())));
            }
            action.setWeightedClusters(weighted);
        }
        if (route.timeout() != null) {
            action.setTimeout(duration(route.timeout()));
        }
        RetryConfig retry = route.retry();
        if (retry != null) {
            List<String> on = new ArrayList<>();
            for (RetryOn r : retry.retryOn()) {
                on.add(r.configName());
            }
            RetryPolicy.Builder policy = RetryPolicy.newBuilder()
                    .setNumRetries(UInt32Value.of(retry.maxAttempts() - 1))
                    .setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder()
                            .setBaseInterval(duration(retry.backoffBase())).setMaxInterval(duration(retry.backoffMax())));
            if (!retry.retriableStatusCodes().isEmpty()) {
                on.add("retriable-status-codes");
                retry.retriableStatusCodes().forEach(policy::addRetriableStatusCodes);
            }
            policy.setRetryOn(String.join(",", on));
            if (retry.perTryTimeout() != null) {
                policy.setPerTryTimeout(duration(retry.perTryTimeout()));
            }
            action.setRetryPolicy(policy);
        }
        Route.Builder envoy = Route.newBuilder().setMatch(match).setRoute(action);
        if (route.name() != null) {
            envoy.setName(route.name());
        }
        return envoy.build();
    }

    private static Duration duration(java.time.Duration d) {
        return Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
    }
}
