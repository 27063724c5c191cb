package dev.jmesh.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A map node read as one config section with a fixed set of keys. Opening it reports unknown keys
 * (errors, with a "did you mean" hint, or a hint of where the key belongs). The typed getters read a
 * key with its default when it is absent, and remember when a present value was rejected, so that a
 * parser can read every key (reporting every problem) and then ask {@link #ok()} once.
 */
final class Fields {

    private final Node map;
    private final Problems problems;
    private boolean failed;

    private Fields(Node map, Problems problems) {
        this.map = map;
        this.problems = problems;
    }

    /** Opens {@code node} as a section with these keys; returns null (after reporting) when it is not a map. */
    static Fields open(Node node, Problems problems, List<String> known) {
        return open(node, problems, known, Collections.<String, String>emptyMap());
    }

    /**
     * @param hints for keys that are not known here but belong elsewhere: key -> the message's tail
     *        (replaces the "did you mean" suggestion)
     */
    static Fields open(Node node, Problems problems, List<String> known, Map<String, String> hints) {
        if (!node.is(Node.Kind.MAP)) {
            problems.error(node, node.where() + ": expected a map, got " + node.describe());
            return null;
        }
        for (Map.Entry<String, Node.Entry> e : node.entries().entrySet()) {
            String key = e.getKey();
            Node keyNode = e.getValue().key;
            if (!known.contains(key)) {
                String hint = hints.get(key);
                String suggestion = Suggestions.closest(key, known);
                problems.error(keyNode, "unknown key '" + key + "' " + TreeReader.in(node.path())
                        + (hint != null ? "; " + hint
                                : suggestion != null ? "; did you mean '" + suggestion + "'?"
                                : "; known keys: " + join(known)));
            }
        }
        return new Fields(node, problems);
    }

    static List<String> keys(String... keys) {
        return Collections.unmodifiableList(Arrays.asList(keys));
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
            failed = true;
        }
        return value;
    }

    /** False when a present value was rejected or a required key is missing (all reported already). */
    boolean ok() {
        return !failed;
    }

    /** Marks the section as failed (the caller has reported why). */
    void fail() {
        failed = true;
    }

    /** Records the result of reading {@code key}: null for a present value means it was rejected. */
    <T> T track(T value) {
        if (value == null) {
            failed = true;
        }
        return value;
    }

    /**
     * At most one of {@code keys} may be given; the second in document order is reported ("give either ... or
     * ..., not both"). Returns the
     * one that is given, or null when none is (or when more than one is, after reporting).
     */
    String oneOf(String... keys) {
        List<String> wanted = Arrays.asList(keys);
        String first = null;
        for (String key : map.entries().keySet()) { // in document order: the second one written is reported
            if (!wanted.contains(key)) {
                continue;
            }
            if (first != null) {
                Node at = map.entries().get(key).key;
                problems.error(at, map.where() + ": give either '" + first + "' or '" + key + "', not both");
                failed = true;
                return null;
            }
            first = key;
        }
        return first;
    }

    String string(String key, String dflt) {
        return has(key) ? track(Values.string(get(key), problems)) : dflt;
    }

    Integer integer(String key, int min, Integer dflt) {
        return has(key) ? track(Values.integer(get(key), min, problems)) : dflt;
    }

    Integer integer(String key, int min, int max, Integer dflt) {
        return has(key) ? track(Values.integer(get(key), min, max, problems)) : dflt;
    }

    Duration duration(String key, Duration dflt) {
        return has(key) ? track(Values.duration(get(key), problems)) : dflt;
    }

    Double percent(String key, boolean allowZero, Double dflt) {
        return has(key) ? track(Values.percent(get(key), allowZero, false, problems)) : dflt;
    }

    Boolean bool(String key, boolean dflt) {
        return has(key) ? track(Values.bool(get(key), problems)) : Boolean.valueOf(dflt);
    }

    <E> E choice(String key, Map<String, E> allowed, E dflt) {
        return has(key) ? track(Values.choice(get(key), allowed, problems)) : dflt;
    }

    /** The policy block's {@code mode}; {@code dflt} when absent. */
    Mode mode(Mode dflt) {
        return choice("mode", Mode.BY_NAME, dflt);
    }

    /** Names of {@code keys} that are present, in the order given. */
    List<String> present(String... keys) {
        List<String> result = new ArrayList<String>();
        for (String key : keys) {
            if (has(key)) {
                result.add(key);
            }
        }
        return result;
    }
}
