package dev.jmesh.agent.engine;

/**
 * Envoy's response flags, so that anyone who reads Envoy access logs reads ours:
 * UF upstream connect failure, UT upstream timeout, UC upstream connection termination,
 * UO circuit open (overflow), URX retries exhausted.
 */
final class ResponseFlags {
    static final String CONNECT_FAILURE = "UF";
    static final String TIMEOUT = "UT";
    static final String CONNECTION_TERMINATION = "UC";
    static final String CIRCUIT_OPEN = "UO";
    static final String RETRIES_EXHAUSTED = "URX";

    private final StringBuilder flags = new StringBuilder(0);

    synchronized void add(String flag) {
        if (flags.length() > 0) {
            flags.append(',');
        }
        flags.append(flag);
    }

    /** Comma-separated flags, or "-" when there are none (as Envoy prints it). */
    @Override
    public synchronized String toString() {
        return flags.length() == 0 ? "-" : flags.toString();
    }
}
