package dev.jmesh.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where each value of an effective config came from, by its dotted path: the document
 * ({@code mesh.yaml:5:14}, {@code inline:3:7}: where the value is written), an override
 * ({@code -Djmesh.services.inventory.timeout}, {@code env JMESH_SERVICES_INVENTORY_TIMEOUT}), or
 * {@value LoadResult#DEFAULT_ORIGIN}.
 */
final class Origins {

    private final Set<String> overrideSources;
    private final Map<String, Map<String, ?>> present;
    private final Map<String, String> origins = new LinkedHashMap<String, String>();

    private Origins(Set<String> overrideSources, Map<String, Map<String, ?>> present) {
        this.overrideSources = overrideSources;
        this.present = present;
    }

    /**
     * @param root the merged tree the config was parsed from (null for none)
     * @param overrideSources the source names of override nodes, which are given without line and column
     */
    static Map<String, String> of(Node root, MeshConfig config, Set<String> overrideSources) {
        Map<String, Map<String, ?>> present = new LinkedHashMap<String, Map<String, ?>>();
        present.put("services", config.services());
        present.put("databases", config.databases());
        present.put("aws", config.aws());
        Origins o = new Origins(overrideSources, present);
        o.walk(Schema.ROOT, root != null && root.is(Node.Kind.MAP) ? root : null, "");
        return Collections.unmodifiableMap(o.origins);
    }

    /**
     * Records every value of {@code section}: a value or list that is written gets its origin, one that is
     * not gets "default"; an absent section that switches a feature off (retry, circuitBreaker, accessLog)
     * is one "default" entry, an absent section of defaults (backoff) gives its values "default" one by
     * one. A section written in its short form ({@code dns: "host:port"}) gives the value it stands for the
     * origin and its other values "default". Lists of sections that are recorded per item (routes,
     * statements) also record each item's values ({@code routes[0].timeout}).
     */
    private void walk(Schema section, Node node, String path) {
        for (Map.Entry<String, Schema> k : section.keys().entrySet()) {
            String childPath = path.isEmpty() ? k.getKey() : path + "." + k.getKey();
            Schema schema = k.getValue();
            Node value = node == null ? null : node.get(k.getKey());
            switch (schema.kind()) {
                case VALUE:
                    origins.put(childPath, value == null ? LoadResult.DEFAULT_ORIGIN : origin(value));
                    break;
                case LIST:
                    origins.put(childPath, value == null ? LoadResult.DEFAULT_ORIGIN : origin(value));
                    if (value != null && schema.perItem() && value.is(Node.Kind.LIST)) {
                        for (int i = 0; i < value.items().size(); i++) {
                            walkSection(schema.element(), value.items().get(i), childPath + "[" + i + "]");
                        }
                    }
                    break;
                case SECTION:
                    if (value != null && (value.is(Node.Kind.MAP) || schema.shorthand() != null)) {
                        walkSection(schema, value, childPath);
                    } else if (schema.offWhenAbsent()) {
                        origins.put(childPath, LoadResult.DEFAULT_ORIGIN);
                    } else {
                        walk(schema, null, childPath);
                    }
                    break;
                default: // NAMES
                    if (value != null) {
                        Map<String, ?> effective = present.get(childPath);
                        for (Map.Entry<String, Node.Entry> e : value.entries().entrySet()) {
                            if (effective != null && !effective.containsKey(e.getKey())) {
                                continue;
                            }
                            String namePath = childPath + "." + e.getKey();
                            if (schema.element().is(Schema.Kind.SECTION)) {
                                walkSection(schema.element(), e.getValue().value, namePath);
                            } else {
                                origins.put(namePath, origin(e.getValue().value));
                            }
                        }
                    }
                    break;
            }
        }
    }

    /** A section that is written: as a map, or in its short form. */
    private void walkSection(Schema section, Node node, String path) {
        if (!node.is(Node.Kind.MAP) && section.shorthand() != null) {
            for (String key : section.keys().keySet()) {
                origins.put(path + "." + key, key.equals(section.shorthand()) ? origin(node) : LoadResult.DEFAULT_ORIGIN);
            }
            return;
        }
        walk(section, node.is(Node.Kind.MAP) ? node : null, path);
        if (section == Schema.SERVICE && node.get("dns") != null && node.get("endpoints") == null) {
            // A DNS service's endpoints() is its DNS name.
            Node dns = node.get("dns");
            Node address = dns.is(Node.Kind.MAP) ? dns.get("address") : dns;
            origins.put(path + ".endpoints", address == null ? LoadResult.DEFAULT_ORIGIN : origin(address));
        }
        if (section == Schema.ROUTE && node.get("mode") != null) {
            // A route's mode is the default of its blocks' modes.
            for (String block : new String[] {"retry", "fault"}) {
                Node b = node.get(block);
                if (b != null && b.is(Node.Kind.MAP) && b.get("mode") == null) {
                    origins.put(path + "." + block + ".mode", origin(node.get("mode")));
                }
            }
        }
    }

    private String origin(Node n) {
        return origin(n, overrideSources);
    }

    static String origin(Node n, Set<String> overrideSources) {
        return overrideSources.contains(n.source()) ? n.source() : n.source() + ":" + n.line() + ":" + n.column();
    }
}
