package dev.jmesh.agent.engine.db;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.Endpoint;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One server of a database with its health as connection attempts see it. A connect failure ejects it: for
 * {@link #BASE_EJECTION_NANOS} times the number of failures in a row (at most {@link #MAX_EJECTION_NANOS});
 * an ejected endpoint is tried after the healthy ones, not never, so a connection is still attempted when every
 * endpoint is ejected. A successful connection ends the streak. Lock-free: two volatile-ish fields per endpoint.
 */
final class DatabaseEndpoint {
    static final long BASE_EJECTION_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final long MAX_EJECTION_NANOS = TimeUnit.SECONDS.toNanos(300);

    final String host;
    final int port;
    /** {@code host:port}, the access log's {@code upstream}. */
    final String name;
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private volatile long ejectedUntilNanos;

    DatabaseEndpoint(String host, int port) {
        this.host = host;
        this.port = port;
        this.name = port < 0 ? host : (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    static DatabaseEndpoint of(Endpoint endpoint) {
        return new DatabaseEndpoint(endpoint.host(), endpoint.port());
    }

    boolean ejected(long now) {
        return failuresInARow.get() > 0 && now - ejectedUntilNanos < 0;
    }

    long ejectedUntil() {
        return ejectedUntilNanos;
    }

    void connectFailed(String database, long now) {
        boolean wasEjected = ejected(now);
        int n = failuresInARow.incrementAndGet();
        long duration = Math.min(MAX_EJECTION_NANOS, BASE_EJECTION_NANOS * Math.min(n, 1000));
        ejectedUntilNanos = now + duration;
        if (!wasEjected) {
            AgentLog.warn("database '" + database + "': endpoint " + name + " ejected for "
                    + TimeUnit.NANOSECONDS.toMillis(duration) + "ms after a connect failure (" + n
                    + " in a row); new connections try the other endpoints first");
        }
    }

    void connected(String database) {
        if (failuresInARow.get() != 0) {
            failuresInARow.set(0);
            ejectedUntilNanos = 0;
            AgentLog.info("database '" + database + "': endpoint " + name + " accepts connections again");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
