package dev.jmesh.agent.engine;

import dev.jmesh.config.Endpoint;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One endpoint of a {@link Cluster} with the state the mesh keeps about it (Envoy: a host): calls in
 * flight (least request), consecutive failures and ejections (outlier detection), and the result of
 * active health checks. A host keeps its identity, and so its state, for as long as its address stays in
 * the cluster (a DNS refresh that returns the same address again keeps it).
 *
 * <p>The call path touches only the atomics and reads the volatile flags; everything else is written
 * under the cluster's lock (ejections) or by the one health-check task.
 */
final class Host {
    final Endpoint endpoint;
    /** {@code host:port} as the access log's {@code upstream} shows it; computed once. */
    final String name;
    /** Relative share of the calls, 1..10000. */
    final int weight;

    /** Attempts in flight to this host (least request). */
    final AtomicInteger inFlight = new AtomicInteger();

    // ---- outlier detection: the call path counts, lock-free ----
    final AtomicInteger consecutive5xx = new AtomicInteger();
    final AtomicInteger consecutiveGatewayErrors = new AtomicInteger();
    final AtomicInteger consecutiveConnectFailures = new AtomicInteger();

    // ---- outlier detection: guarded by the cluster's lock ----
    /** Out of rotation (mode enforce). */
    volatile boolean ejected;
    /** Would be out of rotation (mode shadow): evaluated and logged, but the host stays in rotation. */
    boolean wouldBeEjected;
    /** Ejection multiplier: ejections in a row, decremented for each interval the host stays in rotation. */
    int ejections;
    /** When the current ejection ends, in the cluster clock's nanoseconds. */
    long ejectedUntilNanos;

    // ---- active health checks: written by the one health-check task ----
    volatile boolean healthy = true;
    int checksPassedInARow;
    int checksFailedInARow;

    Host(Endpoint endpoint) {
        this.endpoint = endpoint;
        this.name = endpoint.toString();
        this.weight = endpoint.weight();
    }

    String host() {
        return endpoint.host();
    }

    int port() {
        return endpoint.port();
    }

    /** Whether the balancer may choose this host outside panic mode. */
    boolean available() {
        return healthy && !ejected;
    }

    @Override
    public String toString() {
        return name;
    }
}
