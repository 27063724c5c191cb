package dev.jmesh.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A map node read as one config section with a fixed set of keys. Opening it reports unknown keys
 * (errors, with a "did you mean" hint) and keys of the full design that this version does not
 * implement yet (warnings, so that a config written for the full design still loads).
 */
final class Fields {

    private final Node map;
    private final Problems problems;

    private Fields(Node map, Problems problems) {
        this.map = map;
        this.problems = problems;
    }

    /**
     * Opens {@code node} as a section; returns null (after reporting) when it is not a map.
     *
     * @param known keys this version reads
     * @param notYet keys of the design that are accepted but ignored, with a warning
     */
    static Fields open(Node node, Problems problems, List<String> known, List<String> notYet) {
        if (!node.is(Node.Kind.MAP)) {
            problems.error(node, node.where() + ": expected a map, got " + node.describe());
            return null;
        }
        List<String> all = new ArrayList<String>(known);
        all.addAll(notYet);
        for (Map.Entry<String, Node.Entry> e : node.entries().entrySet()) {
            String key = e.getKey();
            Node keyNode = e.getValue().key;
            if (notYet.contains(key)) {
                problems.warn(keyNode, "'" + key + "' is not supported yet and is ignored");
            } else if (!known.contains(key)) {
                String suggestion = Suggestions.closest(key, all);
                problems.error(keyNode, "unknown key '" + key + "' " + TreeReader.in(node.path())
                        + (suggestion != null
                                ? "; did you mean '" + suggestion + "'?"
                                : "; known keys: " + join(known)));
            }
        }
        return new Fields(node, problems);
    }

    static List<String> keys(String... keys) {
        return Arrays.asList(keys);
    }

    static String join(List<String> words) {
        StringBuilder sb = new StringBuilder();
        for (String w : words) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(w);
        }
        return sb.toString();
    }

    /** The section's own node, for locating problems that concern the whole section. */
    Node node() {
        return map;
    }

    /** The value under {@code key}, or null when absent. */
    Node get(String key) {
        return map.get(key);
    }

    boolean has(String key) {
        return map.get(key) != null;
    }

    /** The value under {@code key}; reports a missing required key and returns null when absent. */
    Node require(String key) {
        Node value = map.get(key);
        if (value == null) {
            problems.error(map, map.where() + ": missing required key '" + key + "'");
        }
        return value;
    }
}
