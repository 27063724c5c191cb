package dev.jmesh.bootstrap;

import java.util.concurrent.CompletableFuture;

/** The policy engine, implemented by the agent and registered with {@link Mesh#install}. */
public interface MeshEngine {

    <R> R call(OutboundCall call, BlockingExchange<R> exchange) throws Exception;

    <R> CompletableFuture<R> callAsync(OutboundCall call, AsyncExchange<R> exchange);

    /** Starts an inbound request; null lets it through untouched and unrecorded. */
    default Inbound inbound(InboundCall call) {
        return null;
    }
}
