package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.BlockingExchange;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A library stand-in: each attempt takes the next scripted outcome (a status code or an exception). */
class ScriptedExchange implements BlockingExchange<ScriptedExchange.Response> {
    record Response(int status, String endpoint, java.util.Map<String, String> headers) {
        Response(int status, String endpoint) {
            this(status, endpoint, java.util.Map.of());
        }
    }

    /** A scripted response that carries headers. */
    record Reply(int status, java.util.Map<String, String> headers) { }

    record Attempt(String endpoint, int timeoutMillis, java.util.Map<String, String> addedHeaders, long startedNanos) {
        Attempt(String endpoint, int timeoutMillis, java.util.Map<String, String> addedHeaders) {
            this(endpoint, timeoutMillis, addedHeaders, System.nanoTime());
        }
    }

    private final Deque<Object> script = new ArrayDeque<>();
    final List<Attempt> attempts = new ArrayList<>();
    final List<Response> discarded = new ArrayList<>();

    ScriptedExchange then(Object... outcomes) {
        for (Object outcome : outcomes) {
            script.add(outcome);
        }
        return this;
    }

    @Override
    public Response attempt(String host, int port, int timeoutMillis) throws Exception {
        String endpoint = host + ":" + port;
        java.util.Map<String, String> added = new java.util.LinkedHashMap<>();
        dev.jmesh.bootstrap.OutgoingHeaders.addTo(added::put);
        attempts.add(new Attempt(endpoint, timeoutMillis, added));
        Object next = script.isEmpty() ? 200 : script.poll();
        if (next instanceof Exception e) {
            throw e;
        }
        if (next instanceof Reply reply) {
            return new Response(reply.status(), endpoint, reply.headers());
        }
        return new Response((Integer) next, endpoint);
    }

    @Override
    public int statusOf(Response response) {
        return response.status();
    }

    @Override
    public String headerOf(Response response, String name) {
        return response.headers().get(name);
    }

    @Override
    public void discard(Response response) {
        discarded.add(response);
    }

    @Override
    public Exception timeoutException(String message) {
        return new SocketTimeoutException(message);
    }

    @Override
    public Exception rejectedException(String message) {
        return new IOException(message);
    }
}
