package dev.jmesh.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One logical database ({@code databases.<name>}): the JDBC connections whose URL matches {@link #match()}
 * get its endpoints, timeouts, circuit breaker, connection retry and statement policies. The first
 * database whose pattern matches wins.
 */
public final class DatabaseConfig extends ConfigValue {

    private final String name;
    private final String match;
    private final Pattern matchPattern;
    private final List<Endpoint> endpoints;
    private final Duration connectTimeout;
    private final Duration queryTimeout;
    private final CircuitBreakerConfig circuitBreaker;
    private final RetryConfig retry;
    private final List<StatementPolicy> statements;

    DatabaseConfig(String name, String match, List<Endpoint> endpoints, Duration connectTimeout,
            Duration queryTimeout, CircuitBreakerConfig circuitBreaker, RetryConfig retry,
            List<StatementPolicy> statements) {
        this.name = name;
        this.match = match;
        this.matchPattern = Globs.compile(match);
        this.endpoints = Collections.unmodifiableList(new ArrayList<Endpoint>(endpoints));
        this.connectTimeout = connectTimeout;
        this.queryTimeout = queryTimeout;
        this.circuitBreaker = circuitBreaker;
        this.retry = retry;
        this.statements = Collections.unmodifiableList(new ArrayList<StatementPolicy>(statements));
    }

    public String name() {
        return name;
    }

    /** A glob over the JDBC URL ({@code jdbc:postgresql://orders-db*}), compared without case. */
    public String match() {
        return match;
    }

    /** Whether a connection to {@code jdbcUrl} belongs to this database. */
    public boolean matches(String jdbcUrl) {
        return jdbcUrl != null && matchPattern.matcher(jdbcUrl).matches();
    }

    /** Hosts to connect to instead of the URL's own, in order; empty: the URL's own. */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** Timeout to establish a connection, or null for the driver's. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Timeout of each statement, or null for none (the statement policies may set one). */
    public Duration queryTimeout() {
        return queryTimeout;
    }

    /** Circuit breaker over connection attempts and statements, or null for none. */
    public CircuitBreakerConfig circuitBreaker() {
        return circuitBreaker;
    }

    /** Retry of connection acquisition (never of statements), or null for none. */
    public RetryConfig retry() {
        return retry;
    }

    /** Statement policies, in order; the first match wins. */
    public List<StatementPolicy> statements() {
        return statements;
    }

    @Override
    Object[] fields() {
        return new Object[] {"name", name, "match", match, "endpoints", endpoints.isEmpty() ? null : endpoints,
            "connectTimeout", connectTimeout, "queryTimeout", queryTimeout, "circuitBreaker", circuitBreaker,
            "retry", retry, "statements", statements.isEmpty() ? null : statements};
    }
}
