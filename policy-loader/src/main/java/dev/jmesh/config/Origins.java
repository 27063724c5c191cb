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

    private Origins() {
    }

    /**
     * @param root the merged tree the config was parsed from (null for none)
     * @param overrideSources the source names of override nodes, which are given without line and column
     */
    static Map<String, String> of(Node root, MeshConfig config, Set<String> overrideSources) {
        Map<String, String> origins = new LinkedHashMap<String, String>();
        Map<String, Map<String, ?>> present = new LinkedHashMap<String, Map<String, ?>>();
        present.put("services", config.services());
        walk(Schema.ROOT, root != null && root.is(Node.Kind.MAP) ? root : null, "", present, overrideSources, origins);
        return Collections.unmodifiableMap(origins);
    }

    /**
     * Records every value of {@code section}: a value or list that is written gets its origin, one that is
     * not gets "default"; an absent section that switches a feature off (retry, circuitBreaker,
     * accessLog) is one "default" entry, an absent section of defaults (backoff) gives its values
     * "default" one by one. Not-yet-supported keys are not part of the effective config.
     */
    private static void walk(Schema section, Node node, String path, Map<String, Map<String, ?>> present,
            Set<String> overrideSources, Map<String, String> origins) {
        for (Map.Entry<String, Schema> k : section.keys().entrySet()) {
            String childPath = path.isEmpty() ? k.getKey() : path + "." + k.getKey();
            Schema schema = k.getValue();
            Node value = node == null ? null : node.get(k.getKey());
            switch (schema.kind()) {
                case VALUE:
                case LIST:
                    origins.put(childPath, value == null ? LoadResult.DEFAULT_ORIGIN : origin(value, overrideSources));
                    break;
                case SECTION:
                    if (value != null && value.is(Node.Kind.MAP)) {
                        walk(schema, value, childPath, present, overrideSources, origins);
                    } else if (schema.offWhenAbsent()) {
                        origins.put(childPath, LoadResult.DEFAULT_ORIGIN);
                    } else {
                        walk(schema, null, childPath, present, overrideSources, origins);
                    }
                    break;
                case NAMES:
                    if (value != null) {
                        Map<String, ?> effective = present.get(childPath);
                        for (Map.Entry<String, Node.Entry> e : value.entries().entrySet()) {
                            if (effective == null || effective.containsKey(e.getKey())) {
                                walk(schema.element(), e.getValue().value, childPath + "." + e.getKey(), present,
                                        overrideSources, origins);
                            }
                        }
                    }
                    break;
                default: // OPAQUE: ignored by this version
                    break;
            }
        }
    }

    static String origin(Node n, Set<String> overrideSources) {
        return overrideSources.contains(n.source()) ? n.source() : n.source() + ":" + n.line() + ":" + n.column();
    }
}
