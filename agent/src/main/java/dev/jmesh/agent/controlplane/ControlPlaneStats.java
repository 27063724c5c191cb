package dev.jmesh.agent.controlplane;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of the control plane client, for the metrics exporter to publish (as
 * {@code jmesh.control_plane.updates{result=applied|rejected}}, {@code jmesh.control_plane.outages},
 * {@code jmesh.control_plane.recoveries}). Process-wide: a JVM has at most one control plane.
 */
public final class ControlPlaneStats {
    /** Documents (or xDS updates) validated and swapped in. */
    public static final AtomicLong UPDATES_APPLIED = new AtomicLong();
    /** Documents (or xDS updates) that could not be used (invalid, too large, wrong type, NACKed). */
    public static final AtomicLong UPDATES_REJECTED = new AtomicLong();
    /** Times the control plane stopped answering (unreachable, timeout, TLS failure, HTTP error status). */
    public static final AtomicLong OUTAGES = new AtomicLong();
    /** Times it answered again after an outage. */
    public static final AtomicLong RECOVERIES = new AtomicLong();

    private ControlPlaneStats() {
    }
}
