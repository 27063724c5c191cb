package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.Exchange;

/** The response of one attempt, with its status read once so policies can test it cheaply. */
final class Attempt<R> {
    final R response;
    final int status;
    private final Exchange<R> exchange;
    /** The call had taken longer than the breaker's slowCallDuration when this response arrived. */
    boolean slow;

    Attempt(R response, Exchange<R> exchange) {
        this.response = response;
        this.status = exchange.statusOf(response);
        this.exchange = exchange;
    }

    /** Releases the response of an attempt that a retry replaces. */
    void discard() {
        exchange.discard(response);
    }
}
