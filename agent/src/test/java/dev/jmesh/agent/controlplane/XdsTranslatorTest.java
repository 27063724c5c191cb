package dev.jmesh.agent.controlplane;

import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.MeshConfig;
import dev.jmesh.config.RetryOn;
import dev.jmesh.config.RouteConfig;
import dev.jmesh.config.ServiceConfig;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
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
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Envoy resources -> the jmesh model, through the document and the real loader. */
class XdsTranslatorTest {

    @Test
    void clustersEndpointsAndPoliciesMapOntoServices() throws Exception {
        Cluster inventory = Cluster.newBuilder().setName("inventory").setType(Cluster.DiscoveryType.EDS)
                .setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST)
                .setCircuitBreakers(CircuitBreakers.newBuilder()
                        .addThresholds(CircuitBreakers.Thresholds.newBuilder().setPriority(RoutingPriority.HIGH)
                                .setMaxRequests(UInt32Value.of(1)))
                        .addThresholds(CircuitBreakers.Thresholds.newBuilder().setPriority(RoutingPriority.DEFAULT)
                                .setMaxRequests(UInt32Value.of(50)).setMaxPendingRequests(UInt32Value.of(7))))
                .setOutlierDetection(OutlierDetection.newBuilder().setConsecutive5Xx(UInt32Value.of(3))
                        .setBaseEjectionTime(Duration.newBuilder().setSeconds(2))
                        .setMaxEjectionPercent(UInt32Value.of(50)))
                .build();
        ClusterLoadAssignment endpoints = ClusterLoadAssignment.newBuilder().setClusterName("inventory")
                .addEndpoints(LocalityLbEndpoints.newBuilder().setPriority(0)
                        .addLbEndpoints(host("10.0.0.1", 80, 3, HealthStatus.HEALTHY))
                        .addLbEndpoints(host("10.0.0.2", 80, 1, HealthStatus.UNHEALTHY))
                        .addLbEndpoints(host("::1", 81, 1, HealthStatus.UNKNOWN)))
                .addEndpoints(LocalityLbEndpoints.newBuilder().setPriority(1)
                        .addLbEndpoints(host("10.0.9.9", 80, 1, HealthStatus.HEALTHY)))
                .build();

        MeshConfig mesh = load(map(inventory), map(endpoints), Collections.emptyMap());

        ServiceConfig service = mesh.service("inventory");
        assertEquals("[10.0.0.1:80, [::1]:81]", service.endpoints().toString(), "priority 0, unhealthy left out");
        assertEquals(3, service.endpoints().get(0).weight());
        assertEquals("least_request", service.loadBalancer().configName());
        assertEquals(50, service.maxConcurrentRequests());
        assertEquals(7, service.maxPendingRequests());
        assertEquals(3, service.outlierDetection().consecutive5xx());
        assertEquals(3, service.outlierDetection().consecutiveConnectFailures());
        assertEquals(0, service.outlierDetection().consecutiveGatewayErrors());
        assertEquals(java.time.Duration.ofSeconds(2), service.outlierDetection().baseEjectionTime());
        assertEquals(0.5, service.outlierDetection().maxEjectionPercent(), 1e-9);
    }

    @Test
    void allUnhealthyKeepsEveryEndpointAndAMissingAssignmentLeavesTheClusterOut() throws Exception {
        Cluster a = Cluster.newBuilder().setName("a").setType(Cluster.DiscoveryType.EDS).build();
        Cluster warming = Cluster.newBuilder().setName("warming").setType(Cluster.DiscoveryType.EDS).build();
        ClusterLoadAssignment endpoints = ClusterLoadAssignment.newBuilder().setClusterName("a")
                .addEndpoints(LocalityLbEndpoints.newBuilder()
                        .addLbEndpoints(host("10.0.0.1", 80, 1, HealthStatus.UNHEALTHY))
                        .addLbEndpoints(host("10.0.0.2", 80, 1, HealthStatus.DRAINING)))
                .build();
        RouteConfiguration routes = RouteConfiguration.newBuilder().setName("r")
                .addVirtualHosts(VirtualHost.newBuilder().setName("vh").addDomains("api")
                        .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                                .setRoute(RouteAction.newBuilder().setWeightedClusters(WeightedCluster.newBuilder()
                                        .addClusters(weighted("a", 80)).addClusters(weighted("warming", 20))))))
                .build();

        MeshConfig mesh = load(map(a, warming), map(endpoints), map(routes));

        assertEquals(Collections.singleton("a"), mesh.services().keySet());
        assertEquals("[10.0.0.1:80, 10.0.0.2:80]", mesh.service("a").endpoints().toString());
        assertEquals(1, mesh.routes().get(0).to().size(), "the warming target is left out");
        assertEquals("a", mesh.routes().get(0).to().get(0).service());
        assertEquals(80, mesh.routes().get(0).to().get(0).weight());
    }

    @Test
    void routesKeepEnvoysVirtualHostPrecedenceAndMapMatchesTimeoutsAndRetries() throws Exception {
        Cluster a = staticCluster("a", "10.0.0.1");
        Cluster b = staticCluster("b", "10.0.0.2");
        Route catchAll = Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(RouteAction.newBuilder().setCluster("a")).build();
        Route canary = Route.newBuilder().setName("canary")
                .setMatch(RouteMatch.newBuilder().setPrefix("/v2/")
                        .addHeaders(HeaderMatcher.newBuilder().setName("x-canary").setExactMatch("1"))
                        .addHeaders(HeaderMatcher.newBuilder().setName("x-debug").setPresentMatch(true).setInvertMatch(true))
                        .addHeaders(HeaderMatcher.newBuilder().setName("user-agent").setSuffixMatch("(bot)")))
                .setRoute(RouteAction.newBuilder().setCluster("b")
                        .setTimeout(Duration.newBuilder().setNanos(250_000_000))
                        .setRetryPolicy(RetryPolicy.newBuilder().setRetryOn("5xx,refused-stream,retriable-status-codes,cancelled")
                                .addRetriableStatusCodes(429).setNumRetries(UInt32Value.of(2))
                                .setPerTryTimeout(Duration.newBuilder().setNanos(100_000_000))))
                .build();
        RouteConfiguration routes = RouteConfiguration.newBuilder().setName("main")
                .addVirtualHosts(VirtualHost.newBuilder().setName("any").addDomains("*").addRoutes(catchAll))
                .addVirtualHosts(VirtualHost.newBuilder().setName("wild").addDomains("*.example.com").addRoutes(catchAll))
                .addVirtualHosts(VirtualHost.newBuilder().setName("inv").addDomains("inventory").addDomains("inventory:8080")
                        .addRoutes(canary))
                .build();

        MeshConfig mesh = load(map(a, b), Collections.emptyMap(), map(routes));

        List<String> names = new ArrayList<String>();
        for (RouteConfig r : mesh.routes()) {
            names.add(r.name());
        }
        assertEquals(Arrays.asList("main/inv/canary", "main/wild/0", "main/any/0"), names, "exact, then *.suffix, then *");
        RouteConfig first = mesh.routes().get(0);
        assertEquals("inventory", first.match().host());
        assertEquals("/v2/", first.match().path().value());
        assertEquals("exact", first.match().headers().get("x-canary").kind().configName());
        assertEquals("absent", first.match().headers().get("x-debug").kind().configName());
        assertTrue(first.match().headers().get("user-agent").matches("curl (bot)"));
        assertEquals(java.time.Duration.ofMillis(250), first.timeout());
        assertEquals(3, first.retry().maxAttempts());
        assertEquals(java.time.Duration.ofMillis(100), first.retry().perTryTimeout());
        assertEquals(java.util.EnumSet.of(RetryOn.STATUS_5XX, RetryOn.RESET), first.retry().retryOn());
        assertEquals("[429]", first.retry().retriableStatusCodes().toString());
        assertNull(mesh.routes().get(2).match().host(), "* is any host");
    }

    @Test
    void whatCannotBeAppliedIsAProblemNamingTheResource() {
        Cluster ring = Cluster.newBuilder().setName("ring").setLbPolicy(Cluster.LbPolicy.RING_HASH).build();
        RouteConfiguration redirect = RouteConfiguration.newBuilder().setName("r")
                .addVirtualHosts(VirtualHost.newBuilder().setName("vh").addDomains("*")
                        .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                                .setRedirect(io.envoyproxy.envoy.config.route.v3.RedirectAction.getDefaultInstance())))
                .build();

        XdsTranslator.Result result = XdsTranslator.translate(map(ring), Collections.emptyMap(), map(redirect));

        assertNull(result.document);
        assertEquals(Arrays.asList(
                "cluster 'ring': lb_policy RING_HASH is not supported (ROUND_ROBIN, LEAST_REQUEST, RANDOM)",
                "route 'r/vh/0': REDIRECT is not supported (only 'route' actions)"), result.problems);
    }

    private static MeshConfig load(Map<String, Cluster> clusters, Map<String, ClusterLoadAssignment> endpoints,
            Map<String, RouteConfiguration> routes) throws Exception {
        XdsTranslator.Result result = XdsTranslator.translate(clusters, endpoints, routes);
        assertEquals(Collections.emptyList(), result.problems);
        return ConfigLoader.parse(result.document, "xds").config();
    }

    private static Cluster staticCluster(String name, String address) {
        return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.STATIC)
                .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName(name)
                        .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(host(address, 80, 1,
                                HealthStatus.UNKNOWN))))
                .build();
    }

    private static LbEndpoint host(String address, int port, int weight, HealthStatus health) {
        return LbEndpoint.newBuilder().setHealthStatus(health).setLoadBalancingWeight(UInt32Value.of(weight))
                .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder().setSocketAddress(
                        SocketAddress.newBuilder().setAddress(address).setPortValue(port))))
                .build();
    }

    private static WeightedCluster.ClusterWeight weighted(String name, int weight) {
        return WeightedCluster.ClusterWeight.newBuilder().setName(name).setWeight(UInt32Value.of(weight)).build();
    }

    @SafeVarargs
    private static <T> Map<String, T> map(T... resources) {
        Map<String, T> m = new LinkedHashMap<String, T>();
        for (T r : resources) {
            String name = r instanceof Cluster ? ((Cluster) r).getName()
                    : r instanceof ClusterLoadAssignment ? ((ClusterLoadAssignment) r).getClusterName()
                    : ((RouteConfiguration) r).getName();
            m.put(name, r);
        }
        return m;
    }
}
