package dev.jmesh.agent.controlplane;

import dev.jmesh.bootstrap.AgentLog;

/**
 * Keeps the log quiet through a long outage: a problem is reported once, when it first shows (a different
 * problem is a new line), and the control plane answering again is reported once. Used by one thread.
 */
final class Outages {
    private final String source;
    private boolean down;
    private long downSinceNanos;
    private int failedInARow;
    private String lastProblem;

    Outages(String source) {
        this.source = source;
    }

    /**
     * @param problem one line saying what went wrong (no secrets)
     * @param outage  true when the control plane gave no usable answer at all (unreachable, timeout, TLS,
     *                an HTTP error status); false when it answered with something unusable
     */
    void failed(String problem, boolean outage) {
        if (outage) {
            failedInARow++;
            if (!down) {
                down = true;
                downSinceNanos = System.nanoTime();
                ControlPlaneStats.OUTAGES.incrementAndGet();
            }
        }
        if (!problem.equals(lastProblem)) {
            lastProblem = problem;
            AgentLog.warn(problem);
        }
    }

    /** The control plane answered (whatever the document turns out to be). */
    void answered() {
        failedInARow = 0;
        if (down) {
            down = false;
            lastProblem = null;
            ControlPlaneStats.RECOVERIES.incrementAndGet();
            AgentLog.info("control plane " + source + " answers again after "
                    + (System.nanoTime() - downSinceNanos) / 1_000_000_000L + "s");
        }
    }

    /** The last good document is in force again: the next problem, even one seen before, is news. */
    void applied() {
        lastProblem = null;
    }

    /** Outages in a row so far (0 while the control plane answers), for back-off. */
    int failedInARow() {
        return failedInARow;
    }
}
