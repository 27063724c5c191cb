package dev.jmesh.agent.engine;

/**
 * Envoy's response flags, so that anyone who reads Envoy access logs reads ours:
 * UF upstream connect failure, UT upstream timeout, UC upstream connection termination,
 * UO circuit open (overflow), URX retries exhausted, NR no route (egress denied), DI delay injected,
 * FI fault (abort) injected, RL rate limited. UO also marks a call refused by {@code maxConcurrentRequests}
 * (Envoy: overflow), and URX a call whose retry the retry budget refused. A flag starting with {@code ~} is
 * shadow mode's "would have": {@code ~RL} would have been throttled, {@code ~UO} the breaker would have
 * rejected it, {@code ~RETRY} the retry policy would have retried it.
 */
final class ResponseFlags {
    static final String CONNECT_FAILURE = "UF";
    static final String TIMEOUT = "UT";
    static final String CONNECTION_TERMINATION = "UC";
    static final String CIRCUIT_OPEN = "UO";
    static final String RETRIES_EXHAUSTED = "URX";
    static final String NO_ROUTE = "NR";
    static final String DELAY_INJECTED = "DI";
    static final String FAULT_INJECTED = "FI";
    static final String RATE_LIMITED = "RL";
    static final String OVERFLOW = "UO";
    static final String SHADOW_RATE_LIMITED = "~RL";
    static final String SHADOW_CIRCUIT_OPEN = "~UO";
    static final String SHADOW_RETRY = "~RETRY";

    private ResponseFlags() {
    }
}
