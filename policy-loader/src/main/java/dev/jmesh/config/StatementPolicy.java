package dev.jmesh.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A policy for some SQL statements of a database ({@code databases.<name>.statements[]}): statements whose
 * verb is {@link #verb()} and that name a table matching {@link #table()} (each when set) get
 * {@link #queryTimeout()} instead of the database's (when set), and {@link #retry()} for reads outside a
 * transaction (when set). The first matching policy wins.
 */
public final class StatementPolicy extends ConfigValue {

    private final String verb;
    private final String table;
    private final Pattern tablePattern;
    private final Duration queryTimeout;
    private final RetryConfig retry;
    private final Mode mode;

    StatementPolicy(String verb, String table, Duration queryTimeout, RetryConfig retry, Mode mode) {
        this.verb = verb;
        this.table = table;
        this.tablePattern = table == null ? null : Globs.compile(table);
        this.queryTimeout = queryTimeout;
        this.retry = retry;
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

    /** The timeout of matching statements; null: the database's. */
    public Duration queryTimeout() {
        return queryTimeout;
    }

    /**
     * Retries of matching SELECT statements that run outside a transaction and fail with a transient SQLState
     * ({@code maxAttempts}, {@code backoff}, {@code mode}); null: such statements are never retried.
     */
    public RetryConfig retry() {
        return retry;
    }

    public Mode mode() {
        return mode;
    }

    @Override
    Object[] fields() {
        return new Object[] {"verb", verb, "table", table, "queryTimeout", queryTimeout, "retry", retry,
                "mode", mode};
    }
}
