package dev.jmesh.instrumentation.okhttp;

import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.MeshEngine;
import dev.jmesh.bootstrap.OutboundCall;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the agent's engine: every attempt goes to 127.0.0.1:{@code port} with the given
 * per-try timeout, and a 503 is retried once. OkHttp's interceptor only ever makes blocking calls.
 */
final class FakeEngine implements MeshEngine {
    final List<OutboundCall> calls = new CopyOnWriteArrayList<>();
    final List<Integer> statuses = new CopyOnWriteArrayList<>();
    private final int port;
    private final int timeoutMillis;

    FakeEngine(int port, int timeoutMillis) {
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public <R> R call(OutboundCall call, BlockingExchange<R> exchange) throws Exception {
        calls.add(call);
        R response = exchange.attempt("127.0.0.1", port, timeoutMillis);
        statuses.add(exchange.statusOf(response));
        if (exchange.statusOf(response) == 503) {
            exchange.discard(response);
            response = exchange.attempt("127.0.0.1", port, timeoutMillis);
            statuses.add(exchange.statusOf(response));
        }
        return response;
    }

    @Override
    public <R> CompletableFuture<R> callAsync(OutboundCall call, AsyncExchange<R> exchange) {
        throw new AssertionError("the OkHttp instrumentation makes blocking calls only");
    }
}
