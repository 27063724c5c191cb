package dev.jmesh.instrumentation.testing;

import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.MeshEngine;
import dev.jmesh.bootstrap.OutboundCall;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the agent's engine: a call whose host is {@code inventory} goes to 127.0.0.1:{@code port} with
 * the given per-try timeout, and a 503 is retried once; any other host keeps the application's address and gets
 * no timeout (as the real engine does for hosts that are not mesh services).
 */
public final class FakeEngine implements MeshEngine {
    /** The host this engine routes. */
    public static final String SERVICE = "inventory";

    public final List<OutboundCall> calls = new CopyOnWriteArrayList<>();
    public final List<Integer> statuses = new CopyOnWriteArrayList<>();
    private final int port;
    private final int timeoutMillis;

    public FakeEngine(int port, int timeoutMillis) {
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public <R> R call(OutboundCall call, BlockingExchange<R> exchange) throws Exception {
        calls.add(call);
        if (!SERVICE.equals(call.host())) {
            return exchange.attempt(call.host(), call.port(), 0);
        }
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
        calls.add(call);
        if (!SERVICE.equals(call.host())) {
            return exchange.attempt(call.host(), call.port(), 0);
        }
        return exchange.attempt("127.0.0.1", port, timeoutMillis).thenCompose(response -> {
            statuses.add(exchange.statusOf(response));
            if (exchange.statusOf(response) != 503) {
                return CompletableFuture.completedFuture(response);
            }
            exchange.discard(response);
            return exchange.attempt("127.0.0.1", port, timeoutMillis).thenApply(retried -> {
                statuses.add(exchange.statusOf(retried));
                return retried;
            });
        });
    }
}
