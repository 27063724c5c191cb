package dev.jmesh.bootstrap;

import java.util.concurrent.CompletableFuture;

/** An {@link Exchange} whose attempts complete a future. */
public interface AsyncExchange<R> extends Exchange<R> {

    /** Starts one attempt against {@code host:port}; see {@link BlockingExchange#attempt}. */
    CompletableFuture<R> attempt(String host, int port, int timeoutMillis);
}
