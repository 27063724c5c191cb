package dev.jmesh.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code inbound: { rateLimit: { requestsPerSecond, burst, mode }, routes: [ { name, match: { host, path |
 * pathPrefix | pathRegex, methods, headers, cookies, queryParameters }, rateLimit } ] }}.
 */
final class InboundParser {

    static final List<String> KEYS = Fields.keys("rateLimit", "routes");
    static final List<String> ROUTE_KEYS = Fields.keys("name", "match", "rateLimit");

    private InboundParser() {
    }

    static InboundConfig parse(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, KEYS);
        if (f == null) {
            return null;
        }
        RateLimitConfig rateLimit = f.has("rateLimit") ? f.track(RateLimitParser.parse(f.get("rateLimit"), problems)) : null;
        List<InboundConfig.Route> routes = new ArrayList<InboundConfig.Route>();
        if (f.has("routes")) {
            Node list = f.get("routes");
            if (!list.is(Node.Kind.LIST)) {
                problems.error(list, list.where() + ": expected a list of routes like [ { match: { pathPrefix: /orders },"
                        + " rateLimit: { requestsPerSecond: 10 } } ], got " + list.describe());
                f.fail();
            } else {
                Map<String, Node> names = new HashMap<String, Node>();
                for (int i = 0; i < list.items().size(); i++) {
                    InboundConfig.Route route = route(i, list.items().get(i), names, problems);
                    if (route == null) {
                        f.fail();
                    } else {
                        routes.add(route);
                    }
                }
            }
        }
        return f.ok() ? new InboundConfig(rateLimit, routes) : null;
    }

    private static InboundConfig.Route route(int index, Node node, Map<String, Node> names, Problems problems) {
        Fields f = Fields.open(node, problems, ROUTE_KEYS);
        if (f == null) {
            return null;
        }
        String name = f.string("name", null);
        if (name != null) {
            Node first = names.get(name);
            Node at = f.get("name");
            if (first != null) {
                problems.error(at, at.where() + ": duplicate route name '" + name + "' (first used at line "
                        + first.line() + ", column " + first.column() + ")");
                f.fail();
            } else {
                names.put(name, at);
            }
        }
        RouteMatch match = f.has("match") ? f.track(RouteParser.match(f.get("match"), problems)) : RouteMatch.ANY;
        RateLimitConfig rateLimit = f.has("rateLimit") ? f.track(RateLimitParser.parse(f.get("rateLimit"), problems))
                : null;
        return f.ok() ? new InboundConfig.Route(index, name, match, rateLimit) : null;
    }
}
