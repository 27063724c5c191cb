package dev.jmesh.smoke;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the agent's JSON access log (one flat JSON object per line). Read it only after the app exited:
 * the agent writes asynchronously and flushes at JVM exit. Every line must carry the contract's fields.
 */
final class AccessLogFile {
    static final Set<String> FIELDS = Set.of("start_time", "direction", "protocol", "service", "method", "authority",
            "path", "status", "duration_ms", "attempts", "upstream", "endpoints_tried", "flags", "trace_id", "caller",
            "error");

    private AccessLogFile() {
    }

    static List<Entry> read(Path file) {
        if (!Files.exists(file)) {
            throw new AssertionError("no access log at " + file);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return parse(file, lines);
    }

    /** The complete lines of a log that a running process may be writing; none while it does not exist. */
    static List<Entry> readWhileWritten(Path file) {
        String text;
        try {
            text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String complete = text.substring(0, text.lastIndexOf('\n') + 1);
        return parse(file, complete.lines().toList());
    }

    /**
     * Waits until the log that {@code process} is writing satisfies {@code condition}, and returns its complete
     * lines then; fails with the process's output when that does not happen within {@code within}.
     */
    static List<Entry> awaitWhileWritten(Path file, java.util.function.Predicate<List<Entry>> condition,
                                         JavaProcess process, java.time.Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            List<Entry> entries = readWhileWritten(file);
            if (condition.test(entries)) {
                return entries;
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("access log never reached the expected state (" + entries.size()
                        + " lines)\n" + process.describe());
            }
            Thread.sleep(50);
        }
    }

    private static List<Entry> parse(Path file, List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Map<String, Object> fields;
            try {
                fields = FlatJson.parse(line);
            } catch (IllegalArgumentException e) {
                throw new AssertionError(file + ":" + (i + 1) + ": not a flat JSON object (" + e.getMessage() + "): " + line);
            }
            if (!fields.keySet().containsAll(FIELDS)) {
                Set<String> missing = new TreeSet<>(FIELDS);
                missing.removeAll(fields.keySet());
                throw new AssertionError(file + ":" + (i + 1) + ": missing fields " + missing + ": " + line);
            }
            entries.add(new Entry(line, fields));
        }
        return entries;
    }

    /** One access-log line. */
    record Entry(String line, Map<String, Object> fields) {

        String text(String field) {
            Object value = fields.get(field);
            if (value != null && !(value instanceof String)) {
                throw new AssertionError("'" + field + "' is not a string: " + line);
            }
            return (String) value;
        }

        /** A whole number, or null when the field is JSON null. */
        Long integer(String field) {
            Object value = fields.get(field);
            if (value == null) {
                return null;
            }
            if (!(value instanceof Double d) || d != Math.rint(d)) {
                throw new AssertionError("'" + field + "' is not a whole number: " + line);
            }
            return d.longValue();
        }

        Double number(String field) {
            Object value = fields.get(field);
            if (value != null && !(value instanceof Double)) {
                throw new AssertionError("'" + field + "' is not a number: " + line);
            }
            return (Double) value;
        }

        String service() { return text("service"); }
        String direction() { return text("direction"); }
        String protocol() { return text("protocol"); }
        String method() { return text("method"); }
        String authority() { return text("authority"); }
        String path() { return text("path"); }
        Long status() { return integer("status"); }
        double durationMs() { return number("duration_ms"); }
        long attempts() { return integer("attempts"); }
        String upstream() { return text("upstream"); }
        String endpointsTried() { return text("endpoints_tried"); }
        String caller() { return text("caller"); }
        String error() { return text("error"); }

        List<String> flags() {
            String flags = text("flags");
            return flags == null || flags.equals("-") ? List.of() : List.of(flags.split(","));
        }

        @Override
        public String toString() {
            return line;
        }
    }

    /** Just enough JSON for one flat object: string, number, true/false/null values; no nesting. */
    static final class FlatJson {
        private final String s;
        private int i;

        private FlatJson(String s) {
            this.s = s;
        }

        static Map<String, Object> parse(String text) {
            FlatJson p = new FlatJson(text);
            Map<String, Object> fields = p.object();
            p.space();
            if (p.i != p.s.length()) {
                throw new IllegalArgumentException("trailing text at " + p.i);
            }
            return fields;
        }

        private Map<String, Object> object() {
            Map<String, Object> fields = new LinkedHashMap<>();
            expect('{');
            space();
            if (peek() == '}') {
                i++;
                return fields;
            }
            while (true) {
                space();
                String key = string();
                space();
                expect(':');
                space();
                if (fields.containsKey(key)) {
                    throw new IllegalArgumentException("duplicate key " + key);
                }
                fields.put(key, value());
                space();
                char c = next();
                if (c == '}') {
                    return fields;
                }
                if (c != ',') {
                    throw new IllegalArgumentException("expected ',' or '}' at " + (i - 1));
                }
            }
        }

        private Object value() {
            char c = peek();
            if (c == '"') {
                return string();
            }
            if (s.startsWith("null", i)) {
                i += 4;
                return null;
            }
            if (s.startsWith("true", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("unexpected '" + c + "' at " + i + " (nested values are not expected)");
            }
            return Double.parseDouble(s.substring(start, i));
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw new IllegalArgumentException("short \\u escape");
                        }
                        out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw new IllegalArgumentException("bad escape \\" + e);
                }
            }
        }

        private void space() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private char peek() {
            if (i >= s.length()) {
                throw new IllegalArgumentException("unexpected end");
            }
            return s.charAt(i);
        }

        private char next() {
            char c = peek();
            i++;
            return c;
        }

        private void expect(char c) {
            if (next() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + (i - 1));
            }
        }
    }
}
