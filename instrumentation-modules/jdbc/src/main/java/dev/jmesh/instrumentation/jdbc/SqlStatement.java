package dev.jmesh.instrumentation.jdbc;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the mesh and its telemetry know of a SQL statement: its verb ({@code db.operation.name}), the main
 * table it names ({@code db.collection.name}) and its text with every literal replaced by {@code ?}
 * (never values: string, number, hex and dollar-quoted literals all go; comments are dropped, since they may
 * hold values too). A small lexer, not a parser: it reads the first keyword and the first table after
 * {@code FROM}/{@code INTO}/{@code UPDATE} at the top level; anything it cannot tell stays null.
 */
final class SqlStatement {
    /** Longest sanitised text kept; longer statements are cut (with "...") so a record stays small. */
    static final int MAX_TEXT = 2000;
    private static final int CACHE_SIZE = 2048;
    private static final ConcurrentHashMap<String, SqlStatement> CACHE = new ConcurrentHashMap<String, SqlStatement>();

    final String verb;
    final String table;
    final String sanitised;

    private SqlStatement(String verb, String table, String sanitised) {
        this.verb = verb;
        this.table = table;
        this.sanitised = sanitised;
    }

    /** Classified once per distinct text (bounded cache: an app that builds SQL with literals is still served). */
    static SqlStatement of(String sql) {
        SqlStatement known = CACHE.get(sql);
        if (known != null) {
            return known;
        }
        SqlStatement parsed = parse(sql);
        if (CACHE.size() < CACHE_SIZE) {
            CACHE.putIfAbsent(sql, parsed);
        }
        return parsed;
    }

    static SqlStatement parse(String sql) {
        StringBuilder out = new StringBuilder(Math.min(sql.length(), MAX_TEXT + 3));
        // top-level words, upper-cased, with the identifiers that follow them
        String verb = null;
        String table = null;
        String previousWord = null;
        boolean wantTable = false;
        boolean cteSkipped = false;
        int depth = 0;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') { // line comment
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') { // block comment
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                space(out);
                continue;
            }
            if (c == '\'') { // string literal, '' escapes a quote
                i = skipQuoted(sql, i, '\'');
                literal(out);
                previousWord = null;
                continue;
            }
            if (c == '$' && i + 1 < n && (sql.charAt(i + 1) == '$' || Character.isLetter(sql.charAt(i + 1)))) {
                int tagEnd = sql.indexOf('$', i + 1);
                if (tagEnd > 0 && isTag(sql, i + 1, tagEnd)) { // PostgreSQL dollar quoting: $$...$$ or $tag$...$tag$
                    String tag = sql.substring(i, tagEnd + 1);
                    int end = sql.indexOf(tag, tagEnd + 1);
                    i = end < 0 ? n : end + tag.length();
                    literal(out);
                    previousWord = null;
                    continue;
                }
            }
            if (c == '"' || c == '`' || c == '[') { // quoted identifier: kept, it is a name, not a value
                char close = c == '[' ? ']' : c;
                int end = skipQuoted(sql, i, close);
                String quoted = sql.substring(i, end);
                append(out, quoted);
                if (wantTable && depth == 0) {
                    table = qualified(sql, i, end, quoted.substring(1, Math.max(1, quoted.length() - 1)));
                    wantTable = false;
                }
                i = end;
                continue;
            }
            if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                boolean partOfWord = out.length() > 0 && isWordChar(out.charAt(out.length() - 1));
                int end = i;
                while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '.'
                        || sql.charAt(end) == '_')) {
                    end++;
                }
                if (partOfWord) {
                    append(out, sql.substring(i, end));
                } else {
                    literal(out);
                }
                i = end;
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                int end = i;
                while (end < n && isWordChar(sql.charAt(end))) {
                    end++;
                }
                String word = sql.substring(i, end);
                String upper = word.toUpperCase(Locale.ROOT);
                append(out, word);
                if (depth == 0) {
                    if (wantTable && !"ONLY".equals(upper) && !"TABLE".equals(upper) && !"LATERAL".equals(upper)) {
                        if ("SELECT".equals(upper) || "VALUES".equals(upper)) {
                            wantTable = false;
                        } else {
                            table = qualified(sql, i, end, word);
                            wantTable = false;
                        }
                    } else if (verb == null) {
                        if ("WITH".equals(upper) && !cteSkipped) {
                            cteSkipped = true; // the verb is the first one after the common table expressions
                        } else if (!cteSkipped || isVerb(upper)) {
                            verb = upper;
                            if ("UPDATE".equals(upper) || "CALL".equals(upper)) {
                                wantTable = true;
                            }
                        }
                    } else if (table == null && (("FROM".equals(upper) && !"DISTINCT".equals(previousWord))
                            || ("INTO".equals(upper) && ("INSERT".equals(verb) || "MERGE".equals(verb))))) {
                        wantTable = true;
                    }
                }
                previousWord = upper;
                i = end;
                continue;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
            } else if (c == '{' && verb == null) {
                // JDBC escape {call proc(?)} / {? = call proc(?)}: the verb follows
                i++;
                continue;
            }
            if (Character.isWhitespace(c)) {
                space(out);
            } else if (c != '}' || verb == null || !"CALL".equals(verb)) {
                append(out, String.valueOf(c));
            }
            i++;
        }
        String text = out.toString().trim();
        if (text.length() > MAX_TEXT) {
            text = text.substring(0, MAX_TEXT) + "...";
        }
        return new SqlStatement(verb, table, text);
    }

    private static boolean isVerb(String word) {
        return "SELECT".equals(word) || "INSERT".equals(word) || "UPDATE".equals(word) || "DELETE".equals(word)
                || "MERGE".equals(word);
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static boolean isTag(String sql, int from, int to) {
        for (int k = from; k < to; k++) {
            if (!Character.isLetterOrDigit(sql.charAt(k)) && sql.charAt(k) != '_') {
                return false;
            }
        }
        return true;
    }

    /** The name with its schema qualifier when one follows ({@code public.orders}), quotes removed. */
    private static String qualified(String sql, int start, int end, String name) {
        StringBuilder result = new StringBuilder(name);
        int k = end;
        while (k + 1 < sql.length() && sql.charAt(k) == '.') {
            int partStart = k + 1;
            int partEnd = partStart;
            char first = sql.charAt(partStart);
            if (first == '"' || first == '`') {
                partEnd = skipQuoted(sql, partStart, first);
                result.append('.').append(sql, partStart + 1, Math.max(partStart + 1, partEnd - 1));
            } else {
                while (partEnd < sql.length() && isWordChar(sql.charAt(partEnd))) {
                    partEnd++;
                }
                if (partEnd == partStart) {
                    break;
                }
                result.append('.').append(sql, partStart, partEnd);
            }
            k = partEnd;
        }
        return result.toString();
    }

    /** Index just after the closing quote (a doubled quote inside is an escaped quote). */
    private static int skipQuoted(String sql, int open, char close) {
        int k = open + 1;
        while (k < sql.length()) {
            char c = sql.charAt(k);
            if (c == close) {
                if (k + 1 < sql.length() && sql.charAt(k + 1) == close && close != ']') {
                    k += 2;
                    continue;
                }
                return k + 1;
            }
            if (c == '\\' && close == '\'' ) {
                k += 2; // MySQL-style backslash escape; harmless elsewhere (the literal is dropped anyway)
                continue;
            }
            k++;
        }
        return sql.length();
    }

    private static void literal(StringBuilder out) {
        append(out, "?");
    }

    private static void space(StringBuilder out) {
        if (out.length() > 0 && out.charAt(out.length() - 1) != ' ') {
            out.append(' ');
        }
    }

    private static void append(StringBuilder out, String s) {
        if (out.length() <= MAX_TEXT) {
            out.append(s);
        }
    }
}
