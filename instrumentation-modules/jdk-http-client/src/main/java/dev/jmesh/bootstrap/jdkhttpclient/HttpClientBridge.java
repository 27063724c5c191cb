package dev.jmesh.bootstrap.jdkhttpclient;

import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Outcome;

/**
 * The hop from advice woven into {@code jdk.internal.net.http.HttpClientFacade} (a class of the
 * platform loader, which sees the JDK and the bootstrap class path but not the agent) to the
 * interceptor that lives in the agent's class loader.
 *
 * <p>Signatures use {@code Object} because the bootstrap loader, which defines this class, cannot see
 * {@code java.net.http}: the client is an {@code HttpClient}, the request an {@code HttpRequest}, the
 * handlers {@code HttpResponse.BodyHandler} and {@code HttpResponse.PushPromiseHandler}.
 */
public final class HttpClientBridge {

    /** Runs an {@code HttpClient} call through the mesh. */
    public interface Interceptor {

        /**
         * {@code HttpClient.send}: returns the {@code HttpResponse} for the application, or null to
         * decline (the original method then runs untouched). Whatever it throws reaches the
         * application as the outcome of {@code send}.
         */
        Object send(Object client, Object request, Object bodyHandler) throws Exception;

        /**
         * {@code HttpClient.sendAsync}: returns the {@code CompletableFuture<HttpResponse>} for the
         * application, or null to decline. {@code pushPromiseHandler} is null for the two-argument
         * variant.
         */
        Object sendAsync(Object client, Object request, Object bodyHandler, Object pushPromiseHandler);
    }

    private static volatile Interceptor interceptor;

    private HttpClientBridge() {
    }

    public static void register(Interceptor value) {
        interceptor = value;
    }

    /**
     * Called from the enter advice of {@code send}: null when the mesh stays out (nothing registered,
     * an attempt the mesh itself is making, or the interceptor declined), otherwise the outcome.
     */
    public static Outcome send(Object client, Object request, Object bodyHandler) {
        Interceptor current = interceptor;
        if (current == null || request == null || bodyHandler == null || CallDepth.nested()) {
            return null;
        }
        Object response;
        try {
            response = current.send(client, request, bodyHandler);
        } catch (Throwable t) {
            return Outcome.thrown(t);
        }
        return response == null ? null : Outcome.returned(response);
    }

    /** Called from the enter advice of both {@code sendAsync} variants; see {@link #send}. */
    public static Outcome sendAsync(Object client, Object request, Object bodyHandler, Object pushPromiseHandler) {
        Interceptor current = interceptor;
        if (current == null || request == null || bodyHandler == null || CallDepth.nested()) {
            return null;
        }
        Object future;
        try {
            future = current.sendAsync(client, request, bodyHandler, pushPromiseHandler);
        } catch (Throwable t) {
            return Outcome.thrown(t);
        }
        return future == null ? null : Outcome.returned(future);
    }
}
