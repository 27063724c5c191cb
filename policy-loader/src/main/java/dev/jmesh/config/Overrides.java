package dev.jmesh.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Config keys given as system properties ({@code -Djmesh.services.inventory.timeout=1s}) and environment
 * variables ({@code JMESH_SERVICES_INVENTORY_TIMEOUT=1s}). Each one becomes a located {@link Node} that
 * is merged into the document's tree before the section parsers run, so that it is validated exactly
 * like a value written in the file. Its source name is {@code -Djmesh.<path>} or {@code env JMESH_<PATH>};
 * line and column point into its value (1:1 is the value's first character).
 *
 * <p>Precedence: system property, then environment variable, then the document, then defaults. The
 * environment is applied first and the system properties after it, so that a property replaces a
 * variable that sets the same key.
 */
final class Overrides {

    /** One override: where it came from, the config path it sets, and its value. */
    static final class KeyOverride {
        /** Source name of its nodes and problems: {@code -Djmesh.a.b} or {@code env JMESH_A_B}. */
        final String label;
        final List<String> segments;
        /** The dotted path, e.g. {@code services.inventory.retry.maxAttempts}. */
        final String path;
        final String text;
        Node value;

        KeyOverride(String label, List<String> segments, String text) {
            this.label = label;
            this.segments = Collections.unmodifiableList(segments);
            this.path = join(segments, 0, segments.size(), ".");
            this.text = text;
        }

        @Override
        public String toString() {
            return label + " -> " + path;
        }
    }

    /** A map key chosen for some tokens of an environment variable name. */
    private static final class Choice {
        final String key;
        final int end;

        Choice(String key, int end) {
            this.key = key;
            this.end = end;
        }
    }

    private final Node root;
    private final Problems problems;
    /** Names that overrides create under a {@link Schema.Kind#NAMES} map, by the map's path. */
    private final Map<String, Set<String>> createdNames = new HashMap<String, Set<String>>();

    private Overrides(Node root, Problems problems) {
        this.root = root;
        this.problems = problems;
    }

    /**
     * Maps every override in {@code input} to its config path and reads its value. {@code root} is the
     * document (null for none), used to find the service names that environment variables refer to.
     * Returns them in the order they are to be applied: environment variables, then system properties,
     * each by name. Problems with names and values are reported; such overrides are left out.
     */
    static List<KeyOverride> collect(Node root, ConfigInput input, Problems problems) {
        Overrides o = new Overrides(root != null && root.is(Node.Kind.MAP) ? root : null, problems);
        List<KeyOverride> properties = o.properties(input.systemProperties());
        List<KeyOverride> environment = o.environment(input.environment());
        List<KeyOverride> all = new ArrayList<KeyOverride>();
        all.addAll(o.withValues(environment));
        all.addAll(o.withValues(properties));
        return all;
    }

    /** The source names of these overrides, for telling their nodes from the document's. */
    static Set<String> labels(List<KeyOverride> overrides) {
        Set<String> labels = new HashSet<String>();
        for (KeyOverride o : overrides) {
            labels.add(o.label);
        }
        return labels;
    }

    // ---------------------------------------------------------------- system properties

    private List<KeyOverride> properties(Map<String, String> properties) {
        List<KeyOverride> result = new ArrayList<KeyOverride>();
        for (Map.Entry<String, String> e : new TreeMap<String, String>(properties).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ConfigInput.PROPERTY_PREFIX) || ConfigInput.isSwitchProperty(name)) {
                continue;
            }
            String label = "-D" + name;
            problems.addSource(label);
            String rest = name.substring(ConfigInput.PROPERTY_PREFIX.length());
            if (rest.startsWith("config.")) {
                unknownSetting(label, rest.substring("config.".length()), "-D" + ConfigInput.INLINE_PROPERTY,
                        "-D" + ConfigInput.FILE_PROPERTY);
                continue;
            }
            String[] segments = rest.split("\\.", -1);
            if (rest.isEmpty() || contains(segments, "")) {
                error(label, "'" + name + "' does not name a config key; write the key's dotted path after"
                        + " 'jmesh.', like -Djmesh.services.inventory.timeout=2s");
                continue;
            }
            List<String> path = propertyPath(label, segments);
            if (path != null) {
                result.add(new KeyOverride(label, path, e.getValue()));
            }
        }
        return duplicatesRemoved(result);
    }

    /**
     * Keys are taken as written, one per dot; under a map of names (services) the longest run of
     * segments that is an existing name is taken, so that a name with dots can be reached.
     */
    private List<String> propertyPath(String label, String[] segments) {
        List<String> out = new ArrayList<String>();
        Schema schema = Schema.ROOT;
        Node node = root;
        String path = "";
        int i = 0;
        while (i < segments.length) {
            if (schema != null && schema.isLeaf()) {
                error(label, path + " is a value and has no keys; remove '."
                        + join(segments, i, segments.length, ".") + "'");
                return null;
            }
            String key;
            int end = i + 1;
            if (schema != null && schema.is(Schema.Kind.NAMES)) {
                Set<String> names = names(node, path);
                key = segments[i];
                for (int j = segments.length; j > i + 1; j--) {
                    String candidate = join(segments, i, j, ".");
                    if (names.contains(candidate)) {
                        key = candidate;
                        end = j;
                        break;
                    }
                }
                if (!names.contains(key)) {
                    created(path).add(key);
                }
                schema = schema.element();
            } else {
                key = segments[i];
                schema = schema != null && schema.is(Schema.Kind.SECTION) ? schema.child(key) : null;
            }
            out.add(key);
            path = path.isEmpty() ? key : path + "." + key;
            node = child(node, key);
            i = end;
        }
        return out;
    }

    // ---------------------------------------------------------------- environment variables

    private List<KeyOverride> environment(Map<String, String> environment) {
        Map<String, String> sorted = new TreeMap<String, String>();
        Map<String, String[]> tokensByName = new LinkedHashMap<String, String[]>();
        for (Map.Entry<String, String> e : environment.entrySet()) {
            String name = e.getKey();
            if (name.startsWith(ConfigInput.ENV_PREFIX) && !ConfigInput.isSwitchEnv(name)) {
                sorted.put(name, e.getValue());
            }
        }
        for (String name : sorted.keySet()) {
            String label = "env " + name;
            problems.addSource(label);
            String rest = name.substring(ConfigInput.ENV_PREFIX.length());
            if (rest.startsWith("CONFIG_")) {
                unknownSetting(label, rest.substring("CONFIG_".length()), "env " + ConfigInput.INLINE_ENV,
                        "env " + ConfigInput.FILE_ENV);
                continue;
            }
            String[] tokens = rest.split("_", -1);
            if (rest.isEmpty() || contains(tokens, "")) {
                error(label, "'" + name + "' does not name a config key; write the key's path in upper case"
                        + " with '_' between its parts, like JMESH_SERVICES_INVENTORY_TIMEOUT=2s");
                continue;
            }
            tokensByName.put(name, tokens);
        }
        // First pass: the names of new services that the variables create, so that every variable
        // naming such a service finds it; its problems are discarded (the second pass reports them).
        Overrides quiet = new Overrides(root, new Problems());
        quiet.createdNames.putAll(createdNames);
        for (String[] tokens : tokensByName.values()) {
            quiet.environmentPath("", tokens, true);
        }
        for (Map.Entry<String, Set<String>> e : quiet.createdNames.entrySet()) {
            created(e.getKey()).addAll(e.getValue());
        }
        List<KeyOverride> result = new ArrayList<KeyOverride>();
        for (Map.Entry<String, String[]> e : tokensByName.entrySet()) {
            String label = "env " + e.getKey();
            List<String> path = environmentPath(label, e.getValue(), false);
            if (path != null) {
                result.add(new KeyOverride(label, path, sorted.get(e.getKey())));
            }
        }
        return duplicatesRemoved(result);
    }

    /**
     * Maps the tokens of a variable name ({@code SERVICES, INVENTORY, RETRY, MAX, ATTEMPTS}) to a config
     * path. In a section, a key matches one or more tokens compared without case and without '-' and '_'
     * ({@code MAXATTEMPTS} and {@code MAX_ATTEMPTS} are both {@code maxAttempts}). Under a map of names,
     * existing names match case-insensitively with '-', '_' and '.' alike; a name that does not exist yet
     * takes as few tokens as leave a valid key path after it, lower-cased and joined with '-'. Where
     * several readings exist, the one whose remaining tokens form a valid key path wins.
     *
     * @param recordOnly first pass: only record the names of new services on fully valid paths
     */
    private List<String> environmentPath(String label, String[] tokens, boolean recordOnly) {
        List<String> out = new ArrayList<String>();
        Schema schema = Schema.ROOT;
        Node node = root;
        String path = "";
        int i = 0;
        while (i < tokens.length) {
            Choice choice;
            Schema next;
            if (schema == null) {
                // Inside an unknown key: the rest as written, lower-cased.
                choice = new Choice(lower(tokens[i]), i + 1);
                next = null;
            } else if (schema.isLeaf()) {
                error(label, path + " is a value and has no keys; remove '_"
                        + join(tokens, i, tokens.length, "_") + "'");
                return null;
            } else if (schema.is(Schema.Kind.NAMES)) {
                choice = name(label, schema, node, path, tokens, i, recordOnly);
                if (choice == null) {
                    return null;
                }
                next = schema.element();
            } else {
                choice = key(schema, tokens, i);
                next = schema.child(choice.key);
            }
            out.add(choice.key);
            path = path.isEmpty() ? choice.key : path + "." + choice.key;
            node = child(node, choice.key);
            schema = next;
            i = choice.end;
        }
        return out;
    }

    /** The key of {@code section} that tokens[i..] start with; an unknown key when none does. */
    private static Choice key(Schema section, String[] tokens, int i) {
        Choice longest = null;
        for (int end = tokens.length; end > i; end--) {
            String written = normalized(join(tokens, i, end, ""));
            for (Map.Entry<String, Schema> k : section.keys().entrySet()) {
                if (normalized(k.getKey()).equals(written)) {
                    if (resolves(k.getValue(), tokens, end)) {
                        return new Choice(k.getKey(), end);
                    }
                    if (longest == null) {
                        longest = new Choice(k.getKey(), end);
                    }
                }
            }
        }
        if (longest != null) {
            return longest;
        }
        // Unknown: the shortest run of tokens that is close to a known key (so that the section's
        // "did you mean" finds it), else one token. Either way the parser reports the key as unknown.
        for (int end = i + 1; end <= tokens.length; end++) {
            String written = lower(join(tokens, i, end, "_"));
            if (Suggestions.closest(written, section.keys().keySet()) != null) {
                return new Choice(written, end);
            }
        }
        return new Choice(lower(tokens[i]), i + 1);
    }

    /** The name under a map of names (services) that tokens[i..] start with; null after an ambiguity. */
    private Choice name(String label, Schema names, Node node, String mapPath, String[] tokens, int i,
            boolean recordOnly) {
        Set<String> known = names(node, mapPath);
        Schema element = names.element();
        // 1. an existing name, after which the rest is a valid key path (longest name first)
        // 3. an existing name, whatever follows (a typo inside an existing service)
        for (int pass = 1; pass <= 2; pass++) {
            for (int end = tokens.length; end > i; end--) {
                if (pass == 1 && !resolves(element, tokens, end)) {
                    continue;
                }
                List<String> matches = matchingNames(known, tokens, i, end);
                if (matches.size() > 1) {
                    if (!recordOnly) {
                        error(label, "'" + join(tokens, i, end, "_") + "' matches "
                                + quotedList(matches) + " in " + mapPath + "; set it with a system property,"
                                + " which names it exactly, like -Djmesh." + mapPath + "." + matches.get(0)
                                + ".KEY=VALUE");
                    }
                    return null;
                }
                if (matches.size() == 1) {
                    return new Choice(matches.get(0), end);
                }
            }
            if (pass == 1) {
                // 2. a new name: as few tokens as leave a valid key path
                for (int end = i + 1; end < tokens.length; end++) {
                    if (resolves(element, tokens, end)) {
                        String name = lower(join(tokens, i, end, "-"));
                        created(mapPath).add(name);
                        return new Choice(name, end);
                    }
                }
            }
        }
        // 4. nothing fits: the first token names a new entry, and the parsers report what follows
        return new Choice(lower(tokens[i]), i + 1);
    }

    private static List<String> matchingNames(Set<String> known, String[] tokens, int i, int end) {
        String written = lower(join(tokens, i, end, "_"));
        List<String> matches = new ArrayList<String>();
        for (String name : known) {
            if (lower(name).replace('-', '_').replace('.', '_').equals(written)) {
                matches.add(name);
            }
        }
        Collections.sort(matches);
        return matches;
    }

    /** Whether tokens[i..] form a complete key path in {@code schema} that ends on a value. */
    private static boolean resolves(Schema schema, String[] tokens, int i) {
        if (schema == null) {
            return false;
        }
        if (schema.isLeaf()) {
            return i == tokens.length;
        }
        if (i == tokens.length) {
            // a map cannot be one override's value, but a section with a short form can be set by it
            return schema.is(Schema.Kind.SECTION) && schema.shorthand() != null;
        }
        if (schema.is(Schema.Kind.NAMES)) {
            for (int end = i + 1; end < tokens.length; end++) {
                if (resolves(schema.element(), tokens, end)) {
                    return true;
                }
            }
            return false;
        }
        for (int end = i + 1; end <= tokens.length; end++) {
            String written = normalized(join(tokens, i, end, ""));
            for (Map.Entry<String, Schema> k : schema.keys().entrySet()) {
                if (normalized(k.getKey()).equals(written) && resolves(k.getValue(), tokens, end)) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- both

    private void unknownSetting(String label, String rest, String inline, String file) {
        String suggestion = Suggestions.closest(rest, Collections.singletonList("inline"));
        error(label, suggestion != null
                ? "unknown setting; did you mean " + inline + "?"
                : "unknown setting; the settings here are " + file + " (a config file) and " + inline
                        + " (a whole config document); config keys start with services, service, telemetry, ...");
    }

    /** Two overrides of one kind that set the same key: both are reported, neither is applied. */
    private List<KeyOverride> duplicatesRemoved(List<KeyOverride> overrides) {
        Map<String, List<KeyOverride>> byPath = new LinkedHashMap<String, List<KeyOverride>>();
        for (KeyOverride o : overrides) {
            List<KeyOverride> same = byPath.get(o.path);
            if (same == null) {
                same = new ArrayList<KeyOverride>();
                byPath.put(o.path, same);
            }
            same.add(o);
        }
        List<KeyOverride> result = new ArrayList<KeyOverride>();
        for (List<KeyOverride> same : byPath.values()) {
            if (same.size() == 1) {
                result.add(same.get(0));
                continue;
            }
            List<String> labels = new ArrayList<String>();
            for (KeyOverride o : same) {
                labels.add(o.label);
            }
            for (KeyOverride o : same) {
                List<String> others = new ArrayList<String>(labels);
                others.remove(o.label);
                error(o.label, "sets " + o.path + ", which " + Fields.join(others) + " sets too; remove one of them");
            }
        }
        return result;
    }

    /** Reads each override's value; leaves out those whose value cannot be used. */
    private List<KeyOverride> withValues(List<KeyOverride> overrides) {
        List<KeyOverride> result = new ArrayList<KeyOverride>();
        for (KeyOverride o : overrides) {
            Schema schema = schemaAt(o.segments);
            o.value = value(o, schema);
            if (o.value != null) {
                result.add(o);
            }
        }
        return result;
    }

    /**
     * The value as a YAML scalar ({@code 5} a number, {@code true} a boolean, {@code 2s} a string) or a
     * YAML flow sequence ({@code [a, b]}). For a list key, a value that is not a flow sequence is read
     * as comma-separated items ({@code a:1,b:2} is {@code [a:1, b:2]}). A map for a section is refused:
     * one override sets one key.
     */
    private Node value(KeyOverride o, Schema schema) {
        boolean list = schema != null && schema.is(Schema.Kind.LIST);
        String trimmed = o.text.trim();
        if (trimmed.isEmpty()) {
            return Node.scalar(Node.Kind.NULL, o.label, 1, 1, o.path, "", null);
        }
        Problems own = new Problems();
        Node value = list && !trimmed.startsWith("[")
                ? TreeReader.readValue("[" + o.text + "]", o.label, o.path, 1, own)
                : TreeReader.readValue(o.text, o.label, o.path, 0, own);
        for (Problem p : own.errors()) {
            problems.error(p);
        }
        if (own.hasErrors()) {
            return null;
        }
        if (value == null) { // only a comment
            return Node.scalar(Node.Kind.NULL, o.label, 1, 1, o.path, "", null);
        }
        if (value.is(Node.Kind.MAP) && schema != null
                && (schema.is(Schema.Kind.SECTION) || schema.is(Schema.Kind.NAMES))) {
            String example = o.label.startsWith("env ") ? o.label.substring(4) + "_KEY=VALUE" : o.label + ".key=value";
            problems.error(value, o.path + ": an override sets one value or a list, not a map; set each key on its"
                    + " own, like " + example);
            return null;
        }
        return value;
    }

    private static Schema schemaAt(List<String> segments) {
        Schema schema = Schema.ROOT;
        for (String segment : segments) {
            if (schema == null) {
                return null;
            }
            schema = schema.is(Schema.Kind.NAMES) ? schema.element()
                    : schema.is(Schema.Kind.SECTION) ? schema.child(segment) : null;
        }
        return schema;
    }

    // ---------------------------------------------------------------- merging

    /**
     * Returns {@code root} with every override's value set at its path, creating the maps on the way
     * that the document lacks. An override whose path runs through a value that is not a map is
     * reported and not applied.
     */
    static Node apply(Node root, List<KeyOverride> overrides, Problems problems) {
        Set<String> labels = labels(overrides);
        Node result = root;
        for (KeyOverride o : overrides) {
            Node base = result == null || result.is(Node.Kind.NULL) ? null : result;
            if (base != null && !base.is(Node.Kind.MAP)) {
                problems.error(new Problem(o.label, 1, 1, "cannot set " + o.path + ": the top level (" + at(base)
                        + ") is " + base.describe() + ", not a map"));
                continue;
            }
            Node merged = set(base, o, 0, "", Schema.ROOT, labels, problems);
            if (merged != null) {
                result = merged;
            }
        }
        return result;
    }

    /**
     * {@code map} (or a new map where it is null) with o's value set below it; null after a problem.
     * A key the document writes keeps its place; a key that only overrides write is placed at the last
     * override that sets it, so that a problem with it names that override.
     */
    private static Node set(Node map, KeyOverride o, int i, String path, Schema schema, Set<String> labels,
            Problems problems) {
        String key = o.segments.get(i);
        String childPath = path.isEmpty() ? key : path + "." + key;
        Node.Entry existing = map == null ? null : map.entries().get(key);
        Schema childSchema = schema == null ? null
                : schema.is(Schema.Kind.NAMES) ? schema.element()
                : schema.is(Schema.Kind.SECTION) ? schema.child(key) : null;
        Node value;
        if (i == o.segments.size() - 1) {
            value = o.value;
        } else {
            Node child = existing == null ? null : existing.value;
            if (child != null && !child.is(Node.Kind.MAP)) {
                problems.error(new Problem(o.label, 1, 1, "cannot set " + o.path + ": " + childPath + " is "
                        + child.describe() + " (" + at(child) + "), not a map"));
                return null;
            }
            value = set(child, o, i + 1, childPath, childSchema, labels, problems);
            if (value == null) {
                return null;
            }
        }
        if (existing == null && map != null && schema != null && schema.is(Schema.Kind.NAMES)
                && schema.element().is(Schema.Kind.SECTION)) {
            String similar = Suggestions.closest(key, map.entries().keySet());
            if (similar != null) {
                problems.warn(keyNode(o, childPath, key), "'" + key + "' is not in " + path
                        + ", so this override adds it; did you mean '" + similar + "'?");
            }
        }
        LinkedHashMap<String, Node.Entry> entries = new LinkedHashMap<String, Node.Entry>();
        if (map != null) {
            entries.putAll(map.entries());
        }
        Node keyNode = existing != null && !labels.contains(existing.key.source())
                ? existing.key
                : keyNode(o, childPath, key);
        entries.put(key, new Node.Entry(keyNode, value));
        return map != null
                ? Node.map(map.source(), map.line(), map.column(), path, entries)
                : Node.map(o.label, 1, 1, path, entries);
    }

    private static Node keyNode(KeyOverride o, String path, String key) {
        return Node.scalar(Node.Kind.STRING, o.label, 1, 1, path, key, null);
    }

    private static String at(Node n) {
        return n.source() + ":" + n.line() + ":" + n.column();
    }

    // ---------------------------------------------------------------- helpers

    private void error(String label, String message) {
        problems.error(new Problem(label, 1, 1, message));
    }

    /** Existing names under a map of names: the document's and those created by earlier overrides. */
    private Set<String> names(Node map, String path) {
        Set<String> names = new LinkedHashSet<String>();
        if (map != null && map.is(Node.Kind.MAP)) {
            names.addAll(map.entries().keySet());
        }
        Set<String> created = createdNames.get(path);
        if (created != null) {
            names.addAll(created);
        }
        return names;
    }

    private Set<String> created(String path) {
        Set<String> names = createdNames.get(path);
        if (names == null) {
            names = new LinkedHashSet<String>();
            createdNames.put(path, names);
        }
        return names;
    }

    private static Node child(Node map, String key) {
        return map == null ? null : map.get(key);
    }

    private static boolean contains(String[] words, String word) {
        for (String w : words) {
            if (w.equals(word)) {
                return true;
            }
        }
        return false;
    }

    private static String join(String[] words, int from, int to, String separator) {
        return join(Arrays.asList(words), from, to, separator);
    }

    private static String join(List<String> words, int from, int to, String separator) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            if (i > from) {
                sb.append(separator);
            }
            sb.append(words.get(i));
        }
        return sb.toString();
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** Lower case without '-' and '_': how an environment variable's tokens are compared with keys. */
    private static String normalized(String s) {
        return lower(s).replace("-", "").replace("_", "");
    }

    private static String quotedList(List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            sb.append(i == 0 ? "" : i == names.size() - 1 ? " and " : ", ").append('\'').append(names.get(i)).append('\'');
        }
        return sb.toString();
    }
}
