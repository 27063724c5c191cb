package dev.jmesh.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code routes: [ { name, match: { host, path | pathPrefix | pathRegex, methods, headers, cookies,
 * queryParameters }, to: [ { service, weight } ], timeout, retry, fault: { delay, abort, header, mode },
 * mode } ]}.
 */
final class RouteParser {

    static final List<String> KEYS = Fields.keys("name", "match", "to", "timeout", "retry", "fault", "mode");
    static final List<String> MATCH_KEYS = Fields.keys("host", "path", "pathPrefix", "pathRegex", "methods",
            "headers", "cookies", "queryParameters");
    /** Keys of a header, cookie or query parameter condition written as a map (a plain value is {@code exact}). */
    static final List<String> MATCHER_KEYS = Fields.keys("exact", "prefix", "regex", "present");
    static final List<String> DESTINATION_KEYS = Fields.keys("service", "weight");
    static final List<String> FAULT_KEYS = Fields.keys("delay", "abort", "header", "mode");
    static final List<String> DELAY_KEYS = Fields.keys("percent", "duration");
    static final List<String> ABORT_KEYS = Fields.keys("percent", "status");
    static final int MAX_WEIGHT = 10000;

    private static final Pattern HOST_PATTERN = Pattern.compile("(\\*\\.)?[^*]+");

    private RouteParser() {
    }

    /**
     * The {@code routes} list; routes with problems are left out (and reported).
     *
     * @param serviceNames the names under {@code services} (also of services with problems), which
     *        {@code to} may name
     */
    static List<RouteConfig> parseAll(Node routes, Collection<String> serviceNames, Problems problems) {
        List<RouteConfig> result = new ArrayList<RouteConfig>();
        if (!routes.is(Node.Kind.LIST)) {
            problems.error(routes, routes.where() + ": expected a list of routes, got " + routes.describe());
            return result;
        }
        Map<String, Node> names = new HashMap<String, Node>();
        Node catchAll = null;
        boolean warnedUnreachable = false;
        for (int i = 0; i < routes.items().size(); i++) {
            Node item = routes.items().get(i);
            if (catchAll != null && !warnedUnreachable) {
                problems.warn(item, item.where() + " can never match: " + catchAll.where() + " (line "
                        + catchAll.line() + ") matches every request before it");
                warnedUnreachable = true;
            }
            RouteConfig route = parse(i, item, serviceNames, names, problems);
            if (route != null) {
                result.add(route);
                if (catchAll == null && route.match().matchesEverything()) {
                    catchAll = item;
                }
            }
        }
        return result;
    }

    private static RouteConfig parse(int index, Node node, Collection<String> serviceNames, Map<String, Node> names,
            Problems problems) {
        Fields f = Fields.open(node, problems, KEYS);
        if (f == null) {
            return null;
        }
        String name = f.string("name", null);
        if (name != null) {
            Node first = names.get(name);
            if (first != null) {
                Node at = f.get("name");
                problems.error(at, at.where() + ": duplicate route name '" + name + "' (first used by "
                        + first.where().replace(".name", "") + " at line " + first.line() + ", column "
                        + first.column() + ")");
                f.fail();
            } else {
                names.put(name, f.get("name"));
            }
        }
        Mode mode = f.mode(Mode.ENFORCE);
        RouteMatch match = f.has("match") ? f.track(match(f.get("match"), problems)) : RouteMatch.ANY;
        List<WeightedService> to = f.has("to")
                ? f.track(destinations(f.get("to"), serviceNames, problems))
                : Collections.<WeightedService>emptyList();
        Duration timeout = f.duration("timeout", null);
        Mode blockMode = mode != null ? mode : Mode.ENFORCE;
        RetryConfig retry = f.has("retry") ? f.track(RetryParser.parse(f.get("retry"), blockMode, problems)) : null;
        FaultConfig fault = f.has("fault") ? f.track(fault(f.get("fault"), blockMode, problems)) : null;
        ServiceParser.warnPerTryLongerThanTimeout(timeout, retry, f.get("retry"), problems);
        if (!f.ok()) {
            return null;
        }
        return new RouteConfig(index, name, match, to, timeout, retry, fault, mode);
    }

    // ---------------------------------------------------------------- match

    /** Also the match of {@code inbound.routes[]}. */
    static RouteMatch match(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, MATCH_KEYS);
        if (f == null) {
            return null;
        }
        String host = f.has("host") ? f.track(host(f.get("host"), problems)) : null;
        StringMatcher path = null;
        String pathKey = f.oneOf("path", "pathPrefix", "pathRegex");
        if ("pathRegex".equals(pathKey)) {
            Pattern p = f.track(Values.regex(f.get(pathKey), problems));
            path = p == null ? null : StringMatcher.regex(p);
        } else if (pathKey != null) {
            Node at = f.get(pathKey);
            String value = f.track(Values.string(at, problems));
            if (value != null && !value.startsWith("/")) {
                problems.error(at, at.where() + ": must start with '/', got '" + value + "'");
                f.fail();
            } else if (value != null) {
                path = pathKey.equals("path") ? StringMatcher.exact(value) : StringMatcher.prefix(value);
            }
        }
        Set<String> methods = new LinkedHashSet<String>();
        if (f.has("methods") && !HttpMethods.parse(f.get("methods"), HttpMethods.ALL, methods, problems)) {
            f.fail();
        }
        Map<String, StringMatcher> headers = f.has("headers")
                ? f.track(matchers(f.get("headers"), "header", problems))
                : Collections.<String, StringMatcher>emptyMap();
        Map<String, StringMatcher> cookies = f.has("cookies")
                ? f.track(matchers(f.get("cookies"), "cookie", problems))
                : Collections.<String, StringMatcher>emptyMap();
        Map<String, StringMatcher> query = f.has("queryParameters")
                ? f.track(matchers(f.get("queryParameters"), "query parameter", problems))
                : Collections.<String, StringMatcher>emptyMap();
        if (!f.ok()) {
            return null;
        }
        return new RouteMatch(host, path, methods, headers, cookies, query);
    }

    /** {@code inventory}, {@code api.example.com} or {@code *.example.com}; no port. */
    private static String host(Node n, Problems problems) {
        String text = Values.string(n, problems);
        if (text == null) {
            return null;
        }
        String bare = text.startsWith("*.") ? text.substring(2) : text;
        if (!HOST_PATTERN.matcher(text).matches() || !EndpointParser.isHost(bare)) {
            int colon = text.lastIndexOf(':');
            boolean port = colon > 0 && EndpointParser.isHost(text.substring(0, colon).replaceFirst("^\\*\\.", ""));
            problems.error(n, n.where() + ": '" + text + "' is not a host name or a pattern like *.example.com"
                    + (port ? "; write the host without the port" : ""));
            return null;
        }
        return text;
    }

    /** {@code { x-canary: "true", x-user: { prefix: "test-" }, x-debug: { present: true } }}. */
    private static Map<String, StringMatcher> matchers(Node node, String what, Problems problems) {
        if (!node.is(Node.Kind.MAP)) {
            problems.error(node, node.where() + ": expected a map from " + what + " names to values or conditions"
                    + " like { exact: v }, { prefix: v }, { regex: v } or { present: true }, got " + node.describe());
            return null;
        }
        Map<String, StringMatcher> result = new LinkedHashMap<String, StringMatcher>();
        boolean ok = true;
        for (Map.Entry<String, Node.Entry> e : node.entries().entrySet()) {
            Node key = e.getValue().key;
            boolean nameOk = what.equals("query parameter")
                    ? Values.string(key, problems) != null
                    : Values.token(key, what, problems) != null;
            StringMatcher m = matcher(e.getValue().value, problems);
            if (!nameOk || m == null) {
                ok = false;
            } else {
                result.put(e.getKey(), m);
            }
        }
        return ok ? result : null;
    }

    private static StringMatcher matcher(Node node, Problems problems) {
        if (!node.is(Node.Kind.MAP)) {
            String text = Values.scalarText(node, problems);
            return text == null ? null : StringMatcher.exact(text);
        }
        Fields f = Fields.open(node, problems, MATCHER_KEYS);
        String kind = f.oneOf("exact", "prefix", "regex", "present");
        if (kind == null) {
            if (f.ok()) {
                problems.error(node, node.where() + ": give one of exact, prefix, regex or present");
            }
            return null;
        }
        Node value = f.get(kind);
        if (kind.equals("present")) {
            Boolean present = Values.bool(value, problems);
            return present == null ? null : StringMatcher.present(present);
        }
        if (kind.equals("regex")) {
            Pattern p = Values.regex(value, problems);
            return p == null ? null : StringMatcher.regex(p);
        }
        String text = Values.scalarText(value, problems);
        if (text == null) {
            return null;
        }
        return kind.equals("exact") ? StringMatcher.exact(text) : StringMatcher.prefix(text);
    }

    // ---------------------------------------------------------------- to

    /** {@code to: inventory}, or {@code to: [ { service: inventory-v2, weight: 90 }, { service: inventory, weight: 10 } ]}. */
    private static List<WeightedService> destinations(Node node, Collection<String> serviceNames, Problems problems) {
        if (node.is(Node.Kind.STRING)) {
            String service = service(node, serviceNames, problems);
            return service == null ? null : Collections.singletonList(new WeightedService(service, 1));
        }
        if (!node.is(Node.Kind.LIST)) {
            problems.error(node, node.where() + ": expected a service name, or a list like [ { service: a, weight: 90 },"
                    + " { service: b, weight: 10 } ], got " + node.describe());
            return null;
        }
        if (node.items().isEmpty()) {
            problems.error(node, node.where() + ": must name at least one service");
            return null;
        }
        List<WeightedService> result = new ArrayList<WeightedService>();
        Map<String, Node> seen = new HashMap<String, Node>();
        Node withWeight = null;
        Node withoutWeight = null;
        boolean ok = true;
        for (Node item : node.items()) {
            String service;
            Integer weight = 1;
            Node serviceNode;
            if (item.is(Node.Kind.MAP)) {
                Fields f = Fields.open(item, problems, DESTINATION_KEYS);
                serviceNode = f.require("service");
                service = serviceNode == null ? null : f.track(service(serviceNode, serviceNames, problems));
                if (f.has("weight")) {
                    weight = f.integer("weight", 0, MAX_WEIGHT, null);
                    withWeight = withWeight == null ? item : withWeight;
                } else {
                    withoutWeight = withoutWeight == null ? item : withoutWeight;
                }
                ok &= f.ok();
            } else {
                serviceNode = item;
                service = service(item, serviceNames, problems);
                withoutWeight = withoutWeight == null ? item : withoutWeight;
                ok &= service != null;
            }
            if (service != null && seen.containsKey(service)) {
                problems.error(serviceNode, serviceNode.where() + ": '" + service + "' is already listed at line "
                        + seen.get(service).line() + ", column " + seen.get(service).column() + "; list it once");
                ok = false;
            } else if (service != null) {
                seen.put(service, serviceNode);
            }
            if (ok) {
                result.add(new WeightedService(service, weight));
            }
        }
        if (withWeight != null && withoutWeight != null) {
            problems.error(withoutWeight, withoutWeight.where() + ": has no weight, but " + withWeight.where()
                    + " has one; give every destination a weight, or none (then they share equally)");
            return null;
        }
        if (!ok) {
            return null;
        }
        int total = 0;
        for (WeightedService w : result) {
            total += w.weight();
        }
        if (total == 0) {
            problems.error(node, node.where() + ": all weights are 0; at least one must be more than 0");
            return null;
        }
        return result;
    }

    private static String service(Node n, Collection<String> serviceNames, Problems problems) {
        String name = Values.string(n, problems);
        if (name == null) {
            return null;
        }
        if (!serviceNames.contains(name)) {
            String suggestion = Suggestions.closest(name, serviceNames);
            problems.error(n, n.where() + ": unknown service '" + name + "'; "
                    + (suggestion != null ? "did you mean '" + suggestion + "'?"
                            : serviceNames.isEmpty() ? "there are no services; define it under 'services'"
                            : "services are: " + Fields.join(new ArrayList<String>(serviceNames))));
            return null;
        }
        return name;
    }

    // ---------------------------------------------------------------- fault

    /** {@code fault: { delay: { percent: 5, duration: 2s }, abort: { percent: 1, status: 503 }, header: x-fault }}. */
    private static FaultConfig fault(Node node, Mode defaultMode, Problems problems) {
        Fields f = Fields.open(node, problems, FAULT_KEYS);
        if (f == null) {
            return null;
        }
        FaultConfig.Delay delay = null;
        if (f.has("delay")) {
            Fields d = Fields.open(f.get("delay"), problems, DELAY_KEYS);
            if (d == null) {
                f.fail();
            } else {
                Node percent = d.require("percent");
                Double p = percent == null ? null : d.track(Values.percent(percent, true, false, problems));
                Node duration = d.require("duration");
                Duration t = duration == null ? null : d.track(Values.duration(duration, problems));
                delay = d.ok() ? new FaultConfig.Delay(p, t) : f.<FaultConfig.Delay>track(null);
            }
        }
        FaultConfig.Abort abort = null;
        if (f.has("abort")) {
            Fields a = Fields.open(f.get("abort"), problems, ABORT_KEYS);
            if (a == null) {
                f.fail();
            } else {
                Node percent = a.require("percent");
                Double p = percent == null ? null : a.track(Values.percent(percent, true, false, problems));
                Node status = a.require("status");
                Integer s = status == null ? null : a.track(Values.status(status, 200, 599, problems));
                abort = a.ok() ? new FaultConfig.Abort(p, s) : f.<FaultConfig.Abort>track(null);
            }
        }
        String header = f.has("header") ? f.track(Values.token(f.get("header"), "header", problems)) : null;
        Mode mode = f.mode(defaultMode);
        if (!f.has("delay") && !f.has("abort")) {
            problems.error(node, node.where() + ": give delay, abort or both");
            f.fail();
        }
        return f.ok() ? new FaultConfig(delay, abort, header, mode) : null;
    }
}
