package dev.jmesh.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What this version reads but does not act on yet. Every key of the config is validated and kept in the
 * {@link MeshConfig} snapshot, but the engine enforces only part of it; a user must never believe that a
 * setting is active when it is not. So each key (or key and value) of {@link #NOT_ENFORCED} that a config
 * uses gets one warning in {@link LoadResult#warnings()}, at its first use:
 * {@code 'routes' is validated but not enforced by this version yet}. As the engine grows, entries leave
 * the list; nothing else needs to change.
 */
public final class Features {

    /**
     * Config keys that are validated but not enforced yet, as patterns of config paths: {@code <name>} stands
     * for any service or database name, {@code []} for any item of a list, and {@code path: value} limits an
     * entry to that value. Every key below a listed key is covered by it.
     */
    public static final List<String> NOT_ENFORCED = Collections.unmodifiableList(Arrays.asList(
            "inbound.routes[].match.queryParameters"));

    /**
     * The list the loader checks: {@link #NOT_ENFORCED}, except in tests of the warning mechanism, which must not
     * depend on what this version happens not to enforce (that list shrinks to nothing as the engine grows).
     */
    static volatile List<String> checked = NOT_ENFORCED;

    /** What the warning adds for some entries: what happens instead. */
    private static final Map<String, String> INSTEAD;

    static {
        Map<String, String> m = new LinkedHashMap<String, String>();
        m.put("inbound.routes[].match.queryParameters", "a route with query parameter conditions never matches");
        INSTEAD = Collections.unmodifiableMap(m);
    }

    private Features() {
    }

    /** The warning for an entry of {@link #NOT_ENFORCED}. */
    static String message(String entry) {
        String instead = INSTEAD.get(entry);
        return "'" + entry + "' is validated but not enforced by this version yet" + (instead == null ? "" : "; " + instead);
    }

    /** Adds one warning for each entry of {@link #NOT_ENFORCED} that {@code root} uses, at its first use. */
    static void warnNotEnforced(Node root, Problems problems) {
        if (root == null || !root.is(Node.Kind.MAP)) {
            return;
        }
        Map<String, Node> firstUse = new LinkedHashMap<String, Node>();
        walk(Schema.ROOT, root, "", firstUse, problems);
        List<Map.Entry<String, Node>> uses = new ArrayList<Map.Entry<String, Node>>(firstUse.entrySet());
        for (Map.Entry<String, Node> use : uses) {
            problems.warn(use.getValue(), message(use.getKey()));
        }
    }

    /** Visits the values under a section; {@code pattern} is the section's path with names and indices generalised. */
    private static void walk(Schema section, Node map, String pattern, Map<String, Node> firstUse, Problems problems) {
        for (Map.Entry<String, Node.Entry> e : map.entries().entrySet()) {
            Schema schema = section.child(e.getKey());
            if (schema == null) {
                continue;
            }
            String childPattern = pattern.isEmpty() ? e.getKey() : pattern + "." + e.getKey();
            Node value = e.getValue().value;
            String entry = entry(childPattern, value);
            if (entry != null) {
                Node at = checked.contains(childPattern) ? e.getValue().key : value;
                Node first = firstUse.get(entry);
                if (first == null || problems.before(at, first)) {
                    firstUse.put(entry, at);
                }
                continue; // everything below is covered
            }
            visit(schema, value, childPattern, firstUse, problems);
        }
    }

    private static void visit(Schema schema, Node value, String pattern, Map<String, Node> firstUse,
            Problems problems) {
        if (schema.is(Schema.Kind.SECTION) && value.is(Node.Kind.MAP)) {
            walk(schema, value, pattern, firstUse, problems);
        } else if (schema.is(Schema.Kind.NAMES) && value.is(Node.Kind.MAP)) {
            for (Node.Entry named : value.entries().values()) {
                visit(schema.element(), named.value, pattern + ".<name>", firstUse, problems);
            }
        } else if (schema.is(Schema.Kind.LIST) && schema.element() != null && value.is(Node.Kind.LIST)) {
            for (Node item : value.items()) {
                visit(schema.element(), item, pattern + "[]", firstUse, problems);
            }
        }
    }

    /** The entry of {@link #NOT_ENFORCED} that a value at {@code pattern} uses, or null. */
    private static String entry(String pattern, Node value) {
        if (checked.contains(pattern)) {
            return pattern;
        }
        if (value.text() != null && checked.contains(pattern + ": " + value.text())) {
            return pattern + ": " + value.text();
        }
        return null;
    }
}
