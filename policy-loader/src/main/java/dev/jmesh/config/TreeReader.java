package dev.jmesh.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a YAML or JSON document with Jackson's streaming parser into a tree of located {@link Node}s.
 * JSON is used when the first non-blank character is '{', YAML otherwise.
 */
final class TreeReader {

    private static final JsonFactory JSON = new JsonFactory();
    private static final YAMLFactory YAML = new YAMLFactory();

    /** SnakeYAML's "in 'reader', line 2, column 4:" lines inside a syntax error message. */
    private static final Pattern YAML_MARK = Pattern.compile("^\\s*in '.*', line (\\d+), column (\\d+):?\\s*$");

    private final JsonParser parser;
    private final String source;
    private final int firstLineShift;
    private final Problems problems;

    private TreeReader(JsonParser parser, String source, int firstLineShift, Problems problems) {
        this.parser = parser;
        this.source = source;
        this.firstLineShift = firstLineShift;
        this.problems = problems;
    }

    /**
     * Returns the root node, or null when the document is empty or could not be read (then a problem
     * has been reported).
     */
    static Node read(String text, String source, Problems problems) {
        return read(text, source, "", 0, firstNonBlank(text) == '{', problems);
    }

    /**
     * Reads the value of one override as YAML (never as JSON). Its nodes get paths below
     * {@code rootPath}; columns on the first line are moved left by {@code firstLineShift}, for text
     * that the caller has prefixed (a '[' around a comma-separated list). Null when the text is empty
     * or could not be read (then a problem has been reported).
     */
    static Node readValue(String text, String source, String rootPath, int firstLineShift, Problems problems) {
        return read(text, source, rootPath, firstLineShift, false, problems);
    }

    private static Node read(String text, String source, String rootPath, int firstLineShift, boolean json,
            Problems problems) {
        try (JsonParser p = (json ? JSON : YAML).createParser(text)) {
            TreeReader reader = new TreeReader(p, source, firstLineShift, problems);
            JsonToken first = p.nextToken();
            if (first == null) {
                return null;
            }
            Node root = reader.value(first, rootPath);
            if (p.nextToken() != null) {
                problems.error(reader.here(), json
                        ? "unexpected content after the end of the JSON document"
                        : "a second YAML document starts here; a config file holds exactly one document");
            }
            return root;
        } catch (JsonProcessingException e) {
            Problem p = syntaxProblem(e, source, json);
            problems.error(p.line() == 1 && firstLineShift != 0
                    ? new Problem(p.source(), 1, Math.max(p.column() - firstLineShift, 1), p.message())
                    : p);
            return null;
        } catch (Unreadable e) {
            problems.error(e.at, e.getMessage());
            return null;
        } catch (IOException e) { // not expected when reading from a String
            problems.error(new Problem(source, 0, 0, "cannot read the document: " + e));
            return null;
        }
    }

    /** A value the tree cannot represent; like a syntax error, it ends the reading. */
    private static final class Unreadable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Node at;

        Unreadable(Node at, String message) {
            super(message, null, false, false);
            this.at = at;
        }
    }

    private Node value(JsonToken token, String path) throws IOException {
        Node at = here();
        switch (token) {
            case START_OBJECT:
                return map(at, path);
            case START_ARRAY:
                return list(at, path);
            case VALUE_STRING:
                if (parser instanceof YAMLParser && ((YAMLParser) parser).isCurrentAlias()) {
                    throw new Unreadable(at, path(path) + ": YAML aliases (*" + parser.getText()
                            + ") are not supported; write the value out in full");
                }
                return scalar(at, Node.Kind.STRING, path, parser.getText(), null);
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return scalar(at, Node.Kind.NUMBER, path, parser.getText(), decimal());
            case VALUE_TRUE:
            case VALUE_FALSE:
                return scalar(at, Node.Kind.BOOLEAN, path, parser.getText(), null);
            case VALUE_NULL:
                return scalar(at, Node.Kind.NULL, path, parser.getText(), null);
            default:
                // VALUE_EMBEDDED_OBJECT (e.g. YAML !!binary) and anything else: not config material.
                throw new Unreadable(at, path(path) + ": unsupported value " + parser.getText());
        }
    }

    private Node map(Node at, String path) throws IOException {
        LinkedHashMap<String, Node.Entry> entries = new LinkedHashMap<String, Node.Entry>();
        for (JsonToken t = next(); t != JsonToken.END_OBJECT; t = next()) {
            String key = parser.currentName();
            String childPath = path.isEmpty() ? key : path + "." + key;
            Node keyNode = scalar(here(), Node.Kind.STRING, childPath, key, null);
            Node value = value(next(), childPath);
            Node.Entry first = entries.get(key);
            if (first != null) {
                problems.error(keyNode, "duplicate key '" + key + "' " + in(path) + " (first defined at line "
                        + first.key.line() + ", column " + first.key.column() + ")");
            } else {
                entries.put(key, new Node.Entry(keyNode, value));
            }
        }
        return Node.map(source, at.line(), at.column(), path, entries);
    }

    private Node list(Node at, String path) throws IOException {
        List<Node> items = new ArrayList<Node>();
        for (JsonToken t = next(); t != JsonToken.END_ARRAY; t = next()) {
            items.add(value(t, path + "[" + items.size() + "]"));
        }
        return Node.list(source, at.line(), at.column(), path, items);
    }

    private JsonToken next() throws IOException {
        JsonToken t = parser.nextToken();
        if (t == null) {
            throw new JsonParseException(parser, "unexpected end of the document");
        }
        return t;
    }

    private BigDecimal decimal() throws IOException {
        try {
            return parser.getDecimalValue();
        } catch (NumberFormatException e) { // NaN, infinity
            return null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** A location-only node for the current token. */
    private Node here() {
        JsonLocation l = parser.currentTokenLocation();
        int column = l.getLineNr() == 1 && firstLineShift != 0
                ? Math.max(l.getColumnNr() - firstLineShift, 1)
                : l.getColumnNr();
        return scalar(l.getLineNr(), column);
    }

    private Node scalar(int line, int column) {
        return Node.scalar(Node.Kind.NULL, source, Math.max(line, 0), Math.max(column, 0), "", null, null);
    }

    private Node scalar(Node at, Node.Kind kind, String path, String text, BigDecimal number) {
        return Node.scalar(kind, source, at.line(), at.column(), path, text, number);
    }

    private static String path(String path) {
        return path.isEmpty() ? "the top level" : path;
    }

    /** "in services.inventory" or "at the top level". */
    static String in(String path) {
        return path.isEmpty() ? "at the top level" : "in " + path;
    }

    private static char firstNonBlank(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c) && c != '\uFEFF') {
                return c;
            }
        }
        return 0;
    }

    /**
     * Turns Jackson's exception into one Problem. SnakeYAML's messages span several lines with
     * "in 'reader', line L, column C:" marks and a snippet; they are folded into one line, and the
     * last mark (the problem itself, after any context) gives the location.
     */
    static Problem syntaxProblem(JsonProcessingException e, String source, boolean json) {
        JsonLocation loc = e.getLocation();
        int line = loc == null ? 0 : Math.max(loc.getLineNr(), 0);
        int column = loc == null ? 0 : Math.max(loc.getColumnNr(), 0);
        String original = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
        StringBuilder message = new StringBuilder();
        String[] lines = original.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            Matcher m = YAML_MARK.matcher(lines[i]);
            if (!json && m.matches()) {
                line = Integer.parseInt(m.group(1));
                column = Integer.parseInt(m.group(2));
                if (i + 2 < lines.length && lines[i + 2].trim().equals("^")) {
                    i += 2; // skip the snippet and its caret
                }
            } else if (!lines[i].trim().isEmpty()) {
                if (message.length() > 0) {
                    message.append("; ");
                }
                message.append(lines[i].trim());
            }
        }
        return new Problem(source, line, column, (json ? "JSON" : "YAML") + " syntax error: " + message);
    }
}
