package dev.jmesh.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A policy for some SQL statements of a database ({@code databases.<name>.statements[]}): statements whose
 * verb is {@link #verb()} and that name a table matching {@link #table()} (each when set) get
 * {@link #queryTimeout()} instead of the database's. The first matching policy wins.
 */
public final class StatementPolicy extends ConfigValue {

    private final String verb;
    private final String table;
    private final Pattern tablePattern;
    private final Duration queryTimeout;
    private final Mode mode;

    StatementPolicy(String verb, String table, Duration queryTimeout, Mode mode) {
        this.verb = verb;
        this.table = table;
        this.tablePattern = table == null ? null : Globs.compile(table);
        this.queryTimeout = queryTimeout;
        this.mode = mode;
    }

    /** SELECT, INSERT, UPDATE, DELETE, MERGE or CALL; null for any verb. */
    public String verb() {
        return verb;
    }

    /** A table name or glob ({@code order*}), compared without case; null for any table. */
    public String table() {
        return table;
    }

    /** Whether a statement with this verb that names this table matches (null: unknown, matches only "any"). */
    public boolean matches(String statementVerb, String statementTable) {
        if (verb != null && (statementVerb == null || !verb.equals(statementVerb.toUpperCase(Locale.ROOT)))) {
            return false;
        }
        return tablePattern == null || (statementTable != null && tablePattern.matcher(statementTable).matches());
    }

    public Duration queryTimeout() {
        return queryTimeout;
    }

    public Mode mode() {
        return mode;
    }

    @Override
    Object[] fields() {
        return new Object[] {"verb", verb, "table", table, "queryTimeout", queryTimeout, "mode", mode};
    }
}
