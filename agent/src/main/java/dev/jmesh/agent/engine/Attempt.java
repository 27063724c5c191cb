package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.Exchange;

/** The response of one attempt, with its status read once so policies can test it cheaply. */
final class Attempt<R> {
    final R response;
    final int status;
    private final Exchange<R> exchange;
    /** The call had taken longer than the breaker's slowCallDuration when this response arrived. */
    boolean slow;
    /** The wait its {@code Retry-After} asks for (at most a day), or -1 (none, not read, or not honoured). */
    int retryAfterMillis = -1;
    /** Its {@code Retry-After} asks for a wait beyond the call's overall timeout: it is not retried. */
    boolean retryAfterBeyondDeadline;

    Attempt(R response, Exchange<R> exchange) {
        this.response = response;
        this.status = exchange.statusOf(response);
        this.exchange = exchange;
    }

    /**
     * Reads this response's {@code Retry-After} when it is a 429 or 503; {@code deadline} is the call's
     * ({@link System#nanoTime()} based, 0 = none).
     */
    Attempt<R> readRetryAfter(long deadline, long nowMillis) {
        if (RetryAfter.applies(status)) {
            retryAfterMillis = (int) RetryAfter.millis(exchange.headerOf(response, RetryAfter.HEADER), nowMillis);
            retryAfterBeyondDeadline = retryAfterMillis > 0 && deadline != 0
                    && System.nanoTime() + retryAfterMillis * 1_000_000L > deadline;
        }
        return this;
    }

    /** Releases the response of an attempt that a retry replaces. */
    void discard() {
        exchange.discard(response);
    }
}
