package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.AsyncExchange;

import java.util.concurrent.CompletableFuture;

/** {@link ScriptedExchange} behind the asynchronous interface. */
final class AsyncScriptedExchange implements AsyncExchange<ScriptedExchange.Response> {
    private final ScriptedExchange blocking;

    AsyncScriptedExchange(ScriptedExchange blocking) {
        this.blocking = blocking;
    }

    @Override
    public CompletableFuture<ScriptedExchange.Response> attempt(String host, int port, int timeoutMillis) {
        CompletableFuture<ScriptedExchange.Response> future = new CompletableFuture<>();
        try {
            future.complete(blocking.attempt(host, port, timeoutMillis));
        } catch (Exception e) {
            future.completeExceptionally(e);
        }
        return future;
    }

    @Override
    public int statusOf(ScriptedExchange.Response response) {
        return blocking.statusOf(response);
    }

    @Override
    public String headerOf(ScriptedExchange.Response response, String name) {
        return blocking.headerOf(response, name);
    }

    @Override
    public void discard(ScriptedExchange.Response response) {
        blocking.discard(response);
    }

    @Override
    public Exception timeoutException(String message) {
        return blocking.timeoutException(message);
    }

    @Override
    public Exception rejectedException(String message) {
        return blocking.rejectedException(message);
    }
}
