package dev.jmesh.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code databases.<name>: { match: "jdbc:postgresql://orders-db*", endpoints: ["db1:5432"], connectTimeout: 2s,
 * queryTimeout: 5s, circuitBreaker: {...}, retry: { maxAttempts, backoff, mode }, statements: [ { match: { verb:
 * SELECT, table: orders }, queryTimeout: 1s, retry: { maxAttempts: 3, backoff }, mode: enforce } ] }}.
 */
final class DatabaseParser {

    static final List<String> KEYS = Fields.keys("match", "endpoints", "connectTimeout", "queryTimeout",
            "circuitBreaker", "retry", "statements");
    static final List<String> STATEMENT_KEYS = Fields.keys("match", "queryTimeout", "retry", "mode");
    static final List<String> STATEMENT_MATCH_KEYS = Fields.keys("verb", "table");
    static final Map<String, String> VERBS;

    static {
        Map<String, String> m = new LinkedHashMap<String, String>();
        for (String verb : new String[] {"SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "CALL"}) {
            m.put(verb, verb);
        }
        VERBS = Collections.unmodifiableMap(m);
    }

    private DatabaseParser() {
    }

    /** The {@code databases} map; databases with problems are left out (and reported). */
    static Map<String, DatabaseConfig> parseAll(Node databases, Problems problems) {
        Map<String, DatabaseConfig> result = new LinkedHashMap<String, DatabaseConfig>();
        if (!databases.is(Node.Kind.MAP)) {
            problems.error(databases, databases.where() + ": expected a map from database names to databases, got "
                    + databases.describe());
            return result;
        }
        Map<String, Node> matches = new LinkedHashMap<String, Node>();
        for (Map.Entry<String, Node.Entry> e : databases.entries().entrySet()) {
            String name = e.getKey();
            if (name.trim().isEmpty()) {
                problems.error(e.getValue().key, databases.where() + ": a database name must not be empty");
                continue;
            }
            DatabaseConfig db = parse(name, e.getValue().value, problems);
            if (db == null) {
                continue;
            }
            Node matchNode = e.getValue().value.get("match");
            Node first = matches.get(db.match().toLowerCase(Locale.ROOT));
            if (first != null) {
                problems.warn(matchNode, matchNode.where() + ": " + first.where() + " (line " + first.line()
                        + ") has the same match, so this database is never used");
            } else {
                matches.put(db.match().toLowerCase(Locale.ROOT), matchNode);
            }
            result.put(name, db);
        }
        return result;
    }

    static DatabaseConfig parse(String name, Node node, Problems problems) {
        Fields f = Fields.open(node, problems, KEYS);
        if (f == null) {
            return null;
        }
        Node matchNode = f.require("match");
        String match = matchNode == null ? null : f.track(Values.string(matchNode, problems));
        if (match != null && !match.regionMatches(true, 0, "jdbc:", 0, 5)) {
            problems.error(matchNode, matchNode.where() + ": '" + match + "' is not a JDBC URL pattern; start it with"
                    + " 'jdbc:', like \"jdbc:postgresql://orders-db*\"");
            f.fail();
        }
        List<Endpoint> endpoints = f.has("endpoints")
                ? f.track(EndpointParser.parseList(f.get("endpoints"), problems))
                : Collections.<Endpoint>emptyList();
        Duration connectTimeout = f.duration("connectTimeout", null);
        Duration queryTimeout = f.duration("queryTimeout", null);
        CircuitBreakerConfig circuitBreaker = f.has("circuitBreaker")
                ? f.track(CircuitBreakerParser.parse(f.get("circuitBreaker"), null, problems))
                : null;
        RetryConfig retry = f.has("retry") ? f.track(RetryParser.parseDatabase(f.get("retry"), problems)) : null;
        List<StatementPolicy> statements = f.has("statements")
                ? f.track(statements(f.get("statements"), problems))
                : Collections.<StatementPolicy>emptyList();
        if (!f.ok()) {
            return null;
        }
        return new DatabaseConfig(name, match, endpoints, connectTimeout, queryTimeout, circuitBreaker, retry,
                statements);
    }

    private static List<StatementPolicy> statements(Node node, Problems problems) {
        if (!node.is(Node.Kind.LIST)) {
            problems.error(node, node.where() + ": expected a list of statement policies like [ { match: { verb:"
                    + " SELECT }, queryTimeout: 1s } ], got " + node.describe());
            return null;
        }
        List<StatementPolicy> result = new ArrayList<StatementPolicy>();
        boolean ok = true;
        for (Node item : node.items()) {
            StatementPolicy p = statement(item, problems);
            ok &= p != null;
            if (p != null) {
                result.add(p);
            }
        }
        return ok ? result : null;
    }

    private static StatementPolicy statement(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, STATEMENT_KEYS);
        if (f == null) {
            return null;
        }
        String verb = null;
        String table = null;
        Node matchNode = f.require("match");
        if (matchNode != null) {
            Fields m = Fields.open(matchNode, problems, STATEMENT_MATCH_KEYS);
            if (m == null) {
                f.fail();
            } else {
                verb = m.choice("verb", VERBS, null);
                table = m.string("table", null);
                if (!m.has("verb") && !m.has("table")) {
                    problems.error(matchNode, matchNode.where() + ": give verb, table or both");
                    m.fail();
                }
                if (!m.ok()) {
                    f.fail();
                }
            }
        }
        Duration queryTimeout = f.duration("queryTimeout", null);
        RetryConfig retry = null;
        if (f.has("retry")) {
            retry = f.track(RetryParser.parseStatement(f.get("retry"), problems));
            if (verb != null && !"SELECT".equals(verb)) {
                Node retryNode = f.get("retry");
                problems.error(retryNode, retryNode.where() + ": only reads are retried, and this policy matches "
                        + verb + " statements; use verb: SELECT, or leave the verb out (then only the SELECT"
                        + " statements it matches are retried)");
                f.fail();
            }
        }
        if (!f.has("queryTimeout") && !f.has("retry")) {
            problems.error(node, node.where() + ": give queryTimeout, retry or both");
            f.fail();
        }
        Mode mode = f.mode(Mode.ENFORCE);
        return f.ok() ? new StatementPolicy(verb, table, queryTimeout, retry, mode) : null;
    }
}
