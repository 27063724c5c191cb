package dev.jmesh.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code endpoints: ["10.0.0.5:8080", "inventory-1.internal:8080", "[::1]:8080"]}. */
final class EndpointParser {

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?");
    private static final Pattern PORT = Pattern.compile("\\d+");

    private EndpointParser() {
    }

    /** A non-empty list of endpoints, or null after reporting problems. Duplicates are dropped with a warning. */
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
        Set<Endpoint> seen = new HashSet<Endpoint>();
        boolean ok = true;
        for (Node item : node.items()) {
            Endpoint e = parse(item, problems);
            if (e == null) {
                ok = false;
            } else if (!seen.add(e)) {
                problems.warn(item, item.where() + ": " + e + " is listed more than once; the duplicate is ignored");
            } else {
                endpoints.add(e);
            }
        }
        return ok ? endpoints : null;
    }

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
