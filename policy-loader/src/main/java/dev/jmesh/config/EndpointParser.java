package dev.jmesh.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code endpoints: ["10.0.0.5:8080", "inventory-1.internal:8080", "[::1]:8080", { address: "10.0.0.7:8080",
 * weight: 3 }]}.
 */
final class EndpointParser {

    /** Keys of an endpoint written as a map. */
    static final List<String> KEYS = Fields.keys("address", "weight");
    /** Keys of {@code dns} written as a map; {@code dns: "host:port"} is short for {@code dns: { address: ... }}. */
    static final List<String> DNS_KEYS = Fields.keys("address", "refreshInterval");

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?");
    private static final Pattern PORT = Pattern.compile("\\d+");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private EndpointParser() {
    }

    /**
     * A non-empty list of endpoints, each a host:port string or a map {@code { address, weight }}, or null
     * after reporting problems. An address listed again with the same weight is dropped with a warning;
     * with another weight it is an error.
     */
    static List<Endpoint> parseList(Node node, Problems problems) {
        if (!node.is(Node.Kind.LIST)) {
            problems.error(node, node.where() + ": expected a list of host:port strings like [\"10.0.0.5:8080\"], got "
                    + node.describe());
            return null;
        }
        if (node.items().isEmpty()) {
            problems.error(node, node.where() + ": must list at least one endpoint, like [\"10.0.0.5:8080\"]");
            return null;
        }
        List<Endpoint> endpoints = new ArrayList<Endpoint>();
        Map<String, Endpoint> seen = new HashMap<String, Endpoint>();
        boolean ok = true;
        for (Node item : node.items()) {
            Endpoint e = item.is(Node.Kind.MAP) ? weighted(item, problems) : parse(item, problems);
            if (e == null) {
                ok = false;
                continue;
            }
            Endpoint before = seen.get(e.toString());
            if (before == null) {
                seen.put(e.toString(), e);
                endpoints.add(e);
            } else if (before.weight() == e.weight()) {
                problems.warn(item, item.where() + ": " + e + " is listed more than once; the duplicate is ignored");
            } else {
                problems.error(item, item.where() + ": " + e + " is listed more than once, with weights "
                        + before.weight() + " and " + e.weight() + "; list it once");
                ok = false;
            }
        }
        return ok ? endpoints : null;
    }

    /** {@code { address: "10.0.0.7:8080", weight: 3 }}. */
    private static Endpoint weighted(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, KEYS);
        Node addressNode = f.require("address");
        Endpoint address = addressNode == null ? null : f.track(parse(addressNode, problems));
        Integer weight = f.integer("weight", 1, Endpoint.MAX_WEIGHT, Endpoint.DEFAULT_WEIGHT);
        if (!f.ok()) {
            return null;
        }
        return new Endpoint(address.host(), address.port(), weight);
    }

    /** {@code dns: "inventory.internal:8080"} or {@code dns: { address: "inventory.internal:8080", refreshInterval: 10s }}. */
    static DnsConfig parseDns(Node node, Problems problems) {
        if (node.is(Node.Kind.STRING)) {
            Endpoint address = parse(node, problems);
            return address == null ? null : new DnsConfig(address, DnsConfig.DEFAULT_REFRESH_INTERVAL);
        }
        if (!node.is(Node.Kind.MAP)) {
            problems.error(node, node.where() + ": expected a host:port string like inventory.internal:8080, or a map"
                    + " { address, refreshInterval }, got " + node.describe());
            return null;
        }
        Fields f = Fields.open(node, problems, DNS_KEYS);
        Node addressNode = f.require("address");
        Endpoint address = addressNode == null ? null : f.track(parse(addressNode, problems));
        Duration refreshInterval = f.duration("refreshInterval", DnsConfig.DEFAULT_REFRESH_INTERVAL);
        if (!f.ok()) {
            return null;
        }
        if (IPV4.matcher(address.host()).matches() || address.host().indexOf(':') >= 0) {
            problems.warn(addressNode, addressNode.where() + ": " + address.host() + " is an IP address, which DNS"
                    + " does not resolve; list it under 'endpoints' instead");
        }
        return new DnsConfig(address, refreshInterval);
    }

    /** Whether {@code text} is a host name or an IP address (IPv6 without brackets). */
    static boolean isHost(String text) {
        return HOST.matcher(text).matches()
                || (text.indexOf(':') != text.lastIndexOf(':') && IPV6.matcher(text).matches());
    }

    /** One host:port string. */
    static Endpoint parse(Node node, Problems problems) {
        if (!node.is(Node.Kind.STRING)) {
            problems.error(node, node.where() + ": expected a host:port string like 10.0.0.5:8080, got "
                    + node.describe());
            return null;
        }
        String text = node.text();
        String reason = null;
        String host = null;
        String port = null;
        if (text.contains("://")) {
            reason = "write host:port without a scheme, like 10.0.0.5:8080";
        } else if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                reason = "missing ']' after the IPv6 address, like [::1]:8080";
            } else if (!text.startsWith(":", close + 1)) {
                reason = "no port; write [address]:port, like [::1]:8080";
            } else {
                host = text.substring(1, close);
                port = text.substring(close + 2);
                if (!IPV6.matcher(host).matches()) {
                    reason = "'" + host + "' is not an IPv6 address";
                }
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                reason = "no port; write host:port, like 10.0.0.5:8080";
            } else {
                host = text.substring(0, colon);
                port = text.substring(colon + 1);
                if (host.indexOf(':') >= 0) {
                    reason = "put IPv6 addresses in brackets, like [::1]:8080";
                } else if (host.isEmpty()) {
                    reason = "no host; write host:port, like 10.0.0.5:8080";
                } else if (!HOST.matcher(host).matches()) {
                    reason = "'" + host + "' is not a valid host name or IP address";
                }
            }
        }
        int portNumber = 0;
        if (reason == null) {
            if (port.isEmpty()) {
                reason = "no port after ':'";
            } else if (!PORT.matcher(port).matches()) {
                reason = "port '" + port + "' is not a number";
            } else {
                portNumber = port.length() > 5 ? -1 : Integer.parseInt(port);
                if (portNumber < 1 || portNumber > 65535) {
                    reason = "port must be between 1 and 65535, got " + port;
                }
            }
        }
        if (reason != null) {
            problems.error(node, node.where() + ": invalid endpoint '" + text + "': " + reason);
            return null;
        }
        return new Endpoint(host, portNumber);
    }
}
