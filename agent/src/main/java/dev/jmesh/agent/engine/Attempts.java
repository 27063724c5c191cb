package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.OutgoingHeaders;

import java.util.concurrent.CompletableFuture;

/**
 * Starts one attempt of a call: counts it in the record and hands the library the headers the attempt
 * carries (trace context) for exactly the duration of the call that builds and sends its request.
 */
final class Attempts {
    private Attempts() {
    }

    static <R> R blocking(BlockingExchange<R> exchange, CallRecord record, String host, int port, String upstream,
                          int timeoutMillis) throws Exception {
        record.attemptStarted(upstream);
        OutgoingHeaders.set(record.attemptHeaders());
        try {
            R response = exchange.attempt(host, port, timeoutMillis);
            record.attemptEnded(response, exchange);
            return response;
        } catch (Exception e) {
            record.attemptFailed(e);
            throw e;
        } finally {
            OutgoingHeaders.set(null);
        }
    }

    static <R> CompletableFuture<R> async(AsyncExchange<R> exchange, CallRecord record, String host, int port,
                                          String upstream, int timeoutMillis) {
        record.attemptStarted(upstream);
        OutgoingHeaders.set(record.attemptHeaders());
        try {
            CompletableFuture<R> attempt = exchange.attempt(host, port, timeoutMillis);
            if (record.keepsAttemptSpans()) {
                // observed, not chained: the caller keeps the library's own future (cancellation reaches it)
                attempt.whenComplete((response, failure) -> {
                    if (failure == null) {
                        record.attemptEnded(response, exchange);
                    } else {
                        record.attemptFailed(failure);
                    }
                });
            }
            return attempt;
        } finally {
            OutgoingHeaders.set(null);
        }
    }
}
