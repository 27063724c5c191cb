package dev.jmesh.config;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node of the located document tree: a map, a list or a scalar, with the place it was written
 * (source name, 1-based line and column) and its path from the root (e.g.
 * {@code services.inventory.endpoints[1]}) for messages.
 */
final class Node {

    enum Kind {
        MAP("a map"), LIST("a list"), STRING("a string"), NUMBER("a number"), BOOLEAN("a boolean"), NULL("null");

        final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    /** A map entry: the key as written (with its own location) and the value. */
    static final class Entry {
        final Node key;
        final Node value;

        Entry(Node key, Node value) {
            this.key = key;
            this.value = value;
        }
    }

    private final Kind kind;
    private final String source;
    private final int line;
    private final int column;
    private final String path;
    private final String text;
    private final BigDecimal number;
    private final Map<String, Entry> entries;
    private final List<Node> items;

    private Node(Kind kind, String source, int line, int column, String path, String text, BigDecimal number,
            Map<String, Entry> entries, List<Node> items) {
        this.kind = kind;
        this.source = source;
        this.line = line;
        this.column = column;
        this.path = path;
        this.text = text;
        this.number = number;
        this.entries = entries;
        this.items = items;
    }

    static Node map(String source, int line, int column, String path, LinkedHashMap<String, Entry> entries) {
        return new Node(Kind.MAP, source, line, column, path, null, null, Collections.unmodifiableMap(entries), null);
    }

    static Node list(String source, int line, int column, String path, List<Node> items) {
        return new Node(Kind.LIST, source, line, column, path, null, null, null, Collections.unmodifiableList(items));
    }

    /** A scalar; {@code number} is set for finite numbers only. */
    static Node scalar(Kind kind, String source, int line, int column, String path, String text, BigDecimal number) {
        return new Node(kind, source, line, column, path, text, number, null, null);
    }

    Kind kind() {
        return kind;
    }

    boolean is(Kind k) {
        return kind == k;
    }

    String source() {
        return source;
    }

    int line() {
        return line;
    }

    int column() {
        return column;
    }

    /** Dotted path from the root; empty for the root itself. */
    String path() {
        return path;
    }

    /** The path for messages: "the top level" for the root. */
    String where() {
        return path.isEmpty() ? "the top level" : path;
    }

    /** Scalar text as written (without quotes); null for maps and lists. */
    String text() {
        return text;
    }

    /** The value of a finite number; null otherwise. */
    BigDecimal number() {
        return number;
    }

    /** Entries of a map in document order; empty for other kinds. */
    Map<String, Entry> entries() {
        return entries == null ? Collections.<String, Entry>emptyMap() : entries;
    }

    /** Value under {@code key} of a map, or null when absent. */
    Node get(String key) {
        Entry e = entries().get(key);
        return e == null ? null : e.value;
    }

    /** Items of a list; empty for other kinds. */
    List<Node> items() {
        return items == null ? Collections.<Node>emptyList() : items;
    }

    /** What this node is, for "expected X, got Y" messages: "a list", "a string '2 s'", "null". */
    String describe() {
        switch (kind) {
            case STRING:
                return "a string '" + text + "'";
            case NUMBER:
            case BOOLEAN:
                return kind.description + " " + text;
            default:
                return kind.description;
        }
    }

    @Override
    public String toString() {
        return source + ":" + line + ":" + column + " " + (path.isEmpty() ? "<root>" : path) + " = " + describe();
    }
}
