package dev.jmesh.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** HTTP method names in lists ({@code retry.methods}, {@code routes[].match.methods}). */
final class HttpMethods {

    static final List<String> ALL =
            Fields.keys("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");

    private HttpMethods() {
    }

    /**
     * Adds the methods of a non-empty list to {@code into}; false after reporting problems. A duplicate is
     * dropped without a word.
     */
    static boolean parse(Node node, List<String> allowed, Set<String> into, Problems problems) {
        if (!node.is(Node.Kind.LIST)) {
            problems.error(node, node.where() + ": expected a list of HTTP methods like [GET, POST], got "
                    + node.describe());
            return false;
        }
        if (node.items().isEmpty()) {
            problems.error(node, node.where() + ": must list at least one method, like [GET]");
            return false;
        }
        Map<String, String> byName = new LinkedHashMap<String, String>();
        for (String m : allowed) {
            byName.put(m, m);
        }
        boolean ok = true;
        for (Node item : node.items()) {
            String method = Values.choice(item, Collections.unmodifiableMap(byName), problems);
            if (method == null) {
                ok = false;
            } else {
                into.add(method);
            }
        }
        return ok;
    }
}
