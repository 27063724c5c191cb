package dev.jmesh.agent.controlplane;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
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
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Envoy v3 resources -> a jmesh config document (JSON, the schema of {@code mesh.yaml}: {@code services} and
 * {@code routes}), which then goes through the same loader as a file, so every rule of the config applies.
 * What has no jmesh equivalent is either ignored (and documented in docs/control-plane.md) or, when ignoring it
 * would change what calls do, reported as a problem, for which the client NACKs the update.
 *
 * <ul>
 *   <li>{@code Cluster} -> {@code services.<name>}: {@code lb_policy} (ROUND_ROBIN, LEAST_REQUEST, RANDOM),
 *       the DEFAULT priority's {@code circuit_breakers} {@code max_requests} / {@code max_pending_requests},
 *       {@code outlier_detection}; endpoints from its inline {@code load_assignment} (STATIC), from EDS
 *       (EDS), or its first address as {@code dns} (STRICT_DNS / LOGICAL_DNS).</li>
 *   <li>{@code ClusterLoadAssignment} -> the endpoints of the lowest priority present, with their weights;
 *       UNHEALTHY, DRAINING and TIMEOUT endpoints are left out unless all are (then all stay, as Envoy's panic
 *       mode would).</li>
 *   <li>{@code RouteConfiguration} -> {@code routes}: virtual hosts from the most specific domain to {@code *}
 *       (Envoy picks the virtual host first), each domain a host match, each route's prefix / path / safe_regex
 *       and header matches, {@code cluster} or {@code weighted_clusters} as {@code to}, {@code timeout} and
 *       {@code retry_policy}.</li>
 * </ul>
 * A cluster whose endpoints have not arrived yet (EDS) is left out, and so is a weighted target naming it
 * (Envoy's warming); a route left with no target is left out.
 */
final class XdsTranslator {
    private static final JsonFactory JSON = new JsonFactory();

    /** The document, or the problems that keep it from being made (then {@link #document} is null). */
    static final class Result {
        final String document;
        final List<String> problems;

        Result(String document, List<String> problems) {
            this.document = document;
            this.problems = problems;
        }
    }

    private final List<String> problems = new ArrayList<String>();

    private XdsTranslator() {
    }

    /** The EDS names a set of clusters needs (their own name unless {@code eds_cluster_config.service_name}). */
    static Set<String> edsNames(Collection<Cluster> clusters) {
        Set<String> names = new LinkedHashSet<String>();
        for (Cluster cluster : clusters) {
            if (cluster.getType() == Cluster.DiscoveryType.EDS) {
                names.add(edsName(cluster));
            }
        }
        return names;
    }

    static Result translate(Map<String, Cluster> clusters, Map<String, ClusterLoadAssignment> endpoints,
            Map<String, RouteConfiguration> routes) {
        XdsTranslator t = new XdsTranslator();
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeObjectFieldStart("services");
            Set<String> ready = new LinkedHashSet<String>();
            for (Cluster cluster : new TreeMap<String, Cluster>(clusters).values()) {
                if (t.service(json, cluster, endpoints)) {
                    ready.add(cluster.getName());
                }
            }
            json.writeEndObject();
            json.writeArrayFieldStart("routes");
            for (RouteConfiguration config : new TreeMap<String, RouteConfiguration>(routes).values()) {
                t.routes(json, config, ready);
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return t.problems.isEmpty() ? new Result(out.toString(), Collections.<String>emptyList())
                : new Result(null, t.problems);
    }

    /** Writes one service; false when it is left out (warming, or a problem was reported). */
    private boolean service(JsonGenerator json, Cluster cluster, Map<String, ClusterLoadAssignment> endpoints)
            throws IOException {
        String name = cluster.getName();
        String where = "cluster '" + name + "': ";
        String balancer = balancer(cluster.getLbPolicy());
        if (balancer == null) {
            problems.add(where + "lb_policy " + cluster.getLbPolicy() + " is not supported (ROUND_ROBIN, LEAST_REQUEST,"
                    + " RANDOM)");
            return false;
        }
        List<LbEndpoint> hosts;
        boolean dns = false;
        switch (cluster.getType()) {
            case STATIC:
                hosts = lbEndpoints(cluster.getLoadAssignment());
                break;
            case STRICT_DNS:
            case LOGICAL_DNS:
                hosts = lbEndpoints(cluster.getLoadAssignment());
                dns = true;
                break;
            case EDS:
                ClusterLoadAssignment assignment = endpoints.get(edsName(cluster));
                if (assignment == null) {
                    return false; // warming: its endpoints have not arrived yet
                }
                hosts = lbEndpoints(assignment);
                break;
            default:
                problems.add(where + "discovery type " + cluster.getType() + " is not supported (STATIC, STRICT_DNS,"
                        + " LOGICAL_DNS, EDS)");
                return false;
        }
        List<String> addresses = new ArrayList<String>();
        List<Integer> weights = new ArrayList<Integer>();
        for (LbEndpoint host : hosts) {
            SocketAddress socket = host.getEndpoint().getAddress().getSocketAddress();
            if (!host.getEndpoint().getAddress().hasSocketAddress()
                    || socket.getPortSpecifierCase() != SocketAddress.PortSpecifierCase.PORT_VALUE) {
                problems.add(where + "endpoint " + host.getEndpoint().getAddress().toString().trim()
                        + " is not a socket address with a port value");
                return false;
            }
            String address = socket.getAddress();
            addresses.add((address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + socket.getPortValue());
            weights.add(host.hasLoadBalancingWeight() ? host.getLoadBalancingWeight().getValue() : 1);
        }
        json.writeObjectFieldStart(name);
        if (dns) {
            if (addresses.isEmpty()) {
                problems.add(where + "a DNS cluster needs an address in load_assignment");
                return false;
            }
            json.writeStringField("dns", addresses.get(0));
        } else {
            json.writeArrayFieldStart("endpoints");
            for (int i = 0; i < addresses.size(); i++) {
                if (weights.get(i) == 1) {
                    json.writeString(addresses.get(i));
                } else {
                    json.writeStartObject();
                    json.writeStringField("address", addresses.get(i));
                    json.writeNumberField("weight", weights.get(i));
                    json.writeEndObject();
                }
            }
            json.writeEndArray();
        }
        json.writeStringField("loadBalancer", balancer);
        for (CircuitBreakers.Thresholds thresholds : cluster.getCircuitBreakers().getThresholdsList()) {
            if (thresholds.getPriority() == RoutingPriority.DEFAULT) {
                if (thresholds.hasMaxRequests()) {
                    json.writeNumberField("maxConcurrentRequests", thresholds.getMaxRequests().getValue());
                }
                if (thresholds.hasMaxPendingRequests()) {
                    json.writeNumberField("maxPendingRequests", thresholds.getMaxPendingRequests().getValue());
                }
            }
        }
        if (cluster.hasOutlierDetection()) {
            outlierDetection(json, cluster.getOutlierDetection());
        }
        json.writeEndObject();
        return true;
    }

    private static void outlierDetection(JsonGenerator json, OutlierDetection od) throws IOException {
        json.writeObjectFieldStart("outlierDetection");
        int consecutive5xx = od.hasConsecutive5Xx() ? od.getConsecutive5Xx().getValue() : 5;
        boolean enforced5xx = !od.hasEnforcingConsecutive5Xx() || od.getEnforcingConsecutive5Xx().getValue() > 0;
        json.writeNumberField("consecutive5xx", enforced5xx ? consecutive5xx : 0);
        // Envoy's gateway-failure detector is off unless its enforcement percentage is set above 0.
        boolean gateway = od.hasEnforcingConsecutiveGatewayFailure() && od.getEnforcingConsecutiveGatewayFailure().getValue() > 0;
        json.writeNumberField("consecutiveGatewayErrors", gateway
                ? (od.hasConsecutiveGatewayFailure() ? od.getConsecutiveGatewayFailure().getValue() : 5) : 0);
        // Unless split, Envoy counts connect failures with the 5xx detector.
        json.writeNumberField("consecutiveConnectFailures", od.getSplitExternalLocalOriginErrors()
                ? (od.hasConsecutiveLocalOriginFailure() ? od.getConsecutiveLocalOriginFailure().getValue() : 5)
                : (enforced5xx ? consecutive5xx : 0));
        if (od.hasInterval()) {
            json.writeStringField("interval", duration(od.getInterval()));
        }
        if (od.hasBaseEjectionTime()) {
            json.writeStringField("baseEjectionTime", duration(od.getBaseEjectionTime()));
        }
        if (od.hasMaxEjectionTime()) {
            json.writeStringField("maxEjectionTime", duration(od.getMaxEjectionTime()));
        }
        if (od.hasMaxEjectionPercent()) {
            json.writeStringField("maxEjectionPercent", Math.max(1, od.getMaxEjectionPercent().getValue()) + "%");
        }
        json.writeEndObject();
    }

    private void routes(JsonGenerator json, RouteConfiguration config, Set<String> ready) throws IOException {
        List<VirtualHost> hosts = new ArrayList<VirtualHost>(config.getVirtualHostsList());
        Collections.sort(hosts, Comparator.comparingInt(XdsTranslator::specificity));
        for (VirtualHost host : hosts) {
            List<String> domains = new ArrayList<String>();
            for (String domain : host.getDomainsList()) {
                String d = stripPort(domain);
                if (d.equals("*")) {
                    domains.clear();
                    domains.add(null); // any host
                    break;
                }
                if (d.indexOf('*') >= 0 && !(d.startsWith("*.") && d.indexOf('*', 1) < 0)) {
                    problems.add("route configuration '" + config.getName() + "', virtual host '" + host.getName()
                            + "': domain '" + domain + "' is not supported (a name, *.suffix or *)");
                    return;
                }
                if (!domains.contains(d)) {
                    domains.add(d);
                }
            }
            List<Route> routes = host.getRoutesList();
            for (int i = 0; i < routes.size(); i++) {
                for (String domain : domains) {
                    route(json, config.getName(), host, routes.get(i), i, domain, domains.size() > 1, ready);
                }
            }
        }
    }

    private void route(JsonGenerator json, String configName, VirtualHost host, Route route, int index, String domain,
            boolean perDomain, Set<String> ready) throws IOException {
        String name = configName + "/" + host.getName() + "/" + (route.getName().isEmpty() ? index : route.getName())
                + (perDomain ? "@" + domain : "");
        String where = "route '" + configName + "/" + host.getName() + "/"
                + (route.getName().isEmpty() ? String.valueOf(index) : route.getName()) + "': ";
        if (route.getActionCase() != Route.ActionCase.ROUTE) {
            problems.add(where + route.getActionCase() + " is not supported (only 'route' actions)");
            return;
        }
        RouteAction action = route.getRoute();
        List<String> targets = new ArrayList<String>();
        List<Integer> weights = new ArrayList<Integer>();
        switch (action.getClusterSpecifierCase()) {
            case CLUSTER:
                targets.add(action.getCluster());
                weights.add(1);
                break;
            case WEIGHTED_CLUSTERS:
                for (WeightedCluster.ClusterWeight weighted : action.getWeightedClusters().getClustersList()) {
                    targets.add(weighted.getName());
                    weights.add(weighted.hasWeight() ? weighted.getWeight().getValue() : 0);
                }
                break;
            default:
                problems.add(where + action.getClusterSpecifierCase() + " is not supported (cluster, weighted_clusters)");
                return;
        }
        for (int i = targets.size() - 1; i >= 0; i--) {
            if (!ready.contains(targets.get(i))) { // unknown or warming: Envoy would not send to it either
                targets.remove(i);
                weights.remove(i);
            }
        }
        if (targets.isEmpty()) {
            return;
        }
        json.writeStartObject();
        json.writeStringField("name", name);
        json.writeObjectFieldStart("match");
        if (domain != null) {
            json.writeStringField("host", domain);
        }
        if (!match(json, route, where)) {
            return;
        }
        json.writeEndObject();
        json.writeArrayFieldStart("to");
        for (int i = 0; i < targets.size(); i++) {
            json.writeStartObject();
            json.writeStringField("service", targets.get(i));
            json.writeNumberField("weight", weights.get(i));
            json.writeEndObject();
        }
        json.writeEndArray();
        if (action.hasTimeout() && (action.getTimeout().getSeconds() > 0 || action.getTimeout().getNanos() > 0)) {
            json.writeStringField("timeout", duration(action.getTimeout())); // 0s: Envoy's "no timeout"
        }
        RetryPolicy retry = action.hasRetryPolicy() ? action.getRetryPolicy()
                : host.hasRetryPolicy() ? host.getRetryPolicy() : null;
        if (retry != null) {
            retry(json, retry);
        }
        json.writeEndObject();
    }

    /** Writes the path and header conditions; false (and a problem) when one cannot be expressed. */
    private boolean match(JsonGenerator json, Route route, String where) throws IOException {
        io.envoyproxy.envoy.config.route.v3.RouteMatch match = route.getMatch();
        switch (match.getPathSpecifierCase()) {
            case PREFIX:
                if (!match.getPrefix().isEmpty() && !match.getPrefix().equals("/")) {
                    json.writeStringField("pathPrefix", match.getPrefix());
                }
                break;
            case PATH:
                json.writeStringField("path", match.getPath());
                break;
            case SAFE_REGEX:
                json.writeStringField("pathRegex", match.getSafeRegex().getRegex());
                break;
            case PATHSPECIFIER_NOT_SET:
                break;
            default:
                problems.add(where + "path match " + match.getPathSpecifierCase() + " is not supported");
                return false;
        }
        if (match.hasCaseSensitive() && !match.getCaseSensitive().getValue()) {
            problems.add(where + "case_sensitive: false is not supported");
            return false;
        }
        if (match.hasRuntimeFraction() || match.hasGrpc() || match.hasTlsContext() || match.getDynamicMetadataCount() > 0) {
            problems.add(where + "runtime_fraction, grpc, tls_context and dynamic_metadata matches are not supported");
            return false;
        }
        if (match.getHeadersCount() > 0) {
            json.writeObjectFieldStart("headers");
            for (HeaderMatcher header : match.getHeadersList()) {
                if (!header(json, header, where)) {
                    return false;
                }
            }
            json.writeEndObject();
        }
        return true;
    }

    private boolean header(JsonGenerator json, HeaderMatcher header, String where) throws IOException {
        String name = header.getName();
        if (header.getHeaderMatchSpecifierCase() == HeaderMatcher.HeaderMatchSpecifierCase.PRESENT_MATCH) {
            json.writeObjectFieldStart(name);
            json.writeBooleanField("present", header.getPresentMatch() != header.getInvertMatch());
            json.writeEndObject();
            return true;
        }
        if (header.getInvertMatch()) {
            problems.add(where + "header '" + name + "': invert_match is not supported");
            return false;
        }
        String kind;
        String value;
        switch (header.getHeaderMatchSpecifierCase()) {
            case EXACT_MATCH:
                kind = "exact";
                value = header.getExactMatch();
                break;
            case PREFIX_MATCH:
                kind = "prefix";
                value = header.getPrefixMatch();
                break;
            case SUFFIX_MATCH:
                kind = "regex";
                value = ".*" + java.util.regex.Pattern.quote(header.getSuffixMatch());
                break;
            case CONTAINS_MATCH:
                kind = "regex";
                value = ".*" + java.util.regex.Pattern.quote(header.getContainsMatch()) + ".*";
                break;
            case SAFE_REGEX_MATCH:
                kind = "regex";
                value = header.getSafeRegexMatch().getRegex();
                break;
            case STRING_MATCH:
                StringMatcher m = header.getStringMatch();
                if (m.getIgnoreCase()) {
                    problems.add(where + "header '" + name + "': ignore_case is not supported");
                    return false;
                }
                switch (m.getMatchPatternCase()) {
                    case EXACT: kind = "exact"; value = m.getExact(); break;
                    case PREFIX: kind = "prefix"; value = m.getPrefix(); break;
                    case SUFFIX: kind = "regex"; value = ".*" + java.util.regex.Pattern.quote(m.getSuffix()); break;
                    case CONTAINS: kind = "regex"; value = ".*" + java.util.regex.Pattern.quote(m.getContains()) + ".*"; break;
                    case SAFE_REGEX: kind = "regex"; value = m.getSafeRegex().getRegex(); break;
                    default:
                        problems.add(where + "header '" + name + "': " + m.getMatchPatternCase() + " is not supported");
                        return false;
                }
                break;
            default:
                problems.add(where + "header '" + name + "': " + header.getHeaderMatchSpecifierCase()
                        + " is not supported");
                return false;
        }
        json.writeObjectFieldStart(name);
        json.writeStringField(kind, value);
        json.writeEndObject();
        return true;
    }

    private static void retry(JsonGenerator json, RetryPolicy retry) throws IOException {
        json.writeObjectFieldStart("retry");
        json.writeNumberField("maxAttempts", 1 + (retry.hasNumRetries() ? retry.getNumRetries().getValue() : 1));
        if (retry.hasPerTryTimeout()) {
            json.writeStringField("perTryTimeout", duration(retry.getPerTryTimeout()));
        }
        if (retry.hasRetryBackOff()) {
            Duration base = retry.getRetryBackOff().getBaseInterval();
            json.writeObjectFieldStart("backoff");
            json.writeStringField("base", duration(base));
            json.writeStringField("max", retry.getRetryBackOff().hasMaxInterval()
                    ? duration(retry.getRetryBackOff().getMaxInterval())
                    : Math.max(1, 10 * millis(base)) + "ms"); // Envoy's default max: 10 x base
            json.writeEndObject();
        }
        Set<String> on = new LinkedHashSet<String>();
        for (String condition : retry.getRetryOn().split(",")) {
            String c = condition.trim();
            if (c.equals("5xx") || c.equals("gateway-error") || c.equals("connect-failure") || c.equals("reset")) {
                on.add(c);
            } else if (c.equals("refused-stream")) {
                on.add("reset");
            } else if (c.equals("retriable-status-codes")) {
                for (Integer status : retry.getRetriableStatusCodesList()) {
                    on.add(String.valueOf(status));
                }
            }
            // gRPC conditions (cancelled, unavailable, ...) and retriable-4xx have no jmesh equivalent: ignored
        }
        json.writeArrayFieldStart("retryOn");
        for (String c : on) {
            json.writeString(c);
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    /** Exact domains first (Envoy picks them first), then suffix wildcards, longest first, then {@code *}. */
    private static int specificity(VirtualHost host) {
        int best = Integer.MAX_VALUE;
        for (String domain : host.getDomainsList()) {
            String d = stripPort(domain);
            int rank = d.equals("*") ? 1_000_000 : d.startsWith("*") ? 1000 - d.length() : 0;
            best = Math.min(best, rank);
        }
        return best;
    }

    private static String stripPort(String domain) {
        int colon = domain.lastIndexOf(':');
        return colon > 0 && domain.indexOf(']') < colon && !domain.endsWith(":") && domain.substring(colon + 1)
                .matches("[0-9*]+") ? domain.substring(0, colon) : domain;
    }

    private static List<LbEndpoint> lbEndpoints(ClusterLoadAssignment assignment) {
        int priority = Integer.MAX_VALUE;
        for (LocalityLbEndpoints locality : assignment.getEndpointsList()) {
            priority = Math.min(priority, locality.getPriority());
        }
        List<LbEndpoint> all = new ArrayList<LbEndpoint>();
        List<LbEndpoint> healthy = new ArrayList<LbEndpoint>();
        for (LocalityLbEndpoints locality : assignment.getEndpointsList()) {
            if (locality.getPriority() != priority) {
                continue;
            }
            for (LbEndpoint endpoint : locality.getLbEndpointsList()) {
                all.add(endpoint);
                HealthStatus health = endpoint.getHealthStatus();
                if (health != HealthStatus.UNHEALTHY && health != HealthStatus.DRAINING && health != HealthStatus.TIMEOUT) {
                    healthy.add(endpoint);
                }
            }
        }
        return healthy.isEmpty() ? all : healthy;
    }

    private static String edsName(Cluster cluster) {
        String serviceName = cluster.getEdsClusterConfig().getServiceName();
        return serviceName.isEmpty() ? cluster.getName() : serviceName;
    }

    private static String balancer(Cluster.LbPolicy policy) {
        switch (policy) {
            case ROUND_ROBIN: return "round_robin";
            case LEAST_REQUEST: return "least_request";
            case RANDOM: return "random";
            default: return null;
        }
    }

    private static long millis(Duration d) {
        return d.getSeconds() * 1000 + (d.getNanos() + 999_999) / 1_000_000;
    }

    private static String duration(Duration d) {
        return Math.max(1, millis(d)) + "ms";
    }
}
