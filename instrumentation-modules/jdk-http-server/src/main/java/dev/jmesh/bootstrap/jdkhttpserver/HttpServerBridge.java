package dev.jmesh.bootstrap.jdkhttpserver;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.Inbound;
import dev.jmesh.bootstrap.Mesh;

/**
 * The hop from advice woven into the JDK {@code HttpServer} ({@code com.sun.net.httpserver.Filter.Chain},
 * in the platform loader) to the interceptor the module registered from the agent's loader. Signatures
 * use {@code Object} for {@code HttpExchange} and the handle, so that this bootstrap class names neither.
 */
public final class HttpServerBridge {

    /** Implemented by the module, in the agent's loader. */
    public interface Interceptor {
        /** Starts the request of {@code exchange} (an {@code HttpExchange}); null lets it through untouched. */
        Inbound start(Object exchange);

        /** Answers a request the mesh refused, without calling the application. */
        void reject(Object exchange, Inbound inbound) throws Exception;

        /** The response status sent so far, or -1. */
        int status(Object exchange);
    }

    private static volatile Interceptor interceptor;

    private HttpServerBridge() {
    }

    public static void register(Interceptor value) {
        interceptor = value;
    }

    /**
     * Enter advice of {@code Filter.Chain.doFilter}: the first chain a request reaches on its thread starts an
     * inbound request; the chains nested in it (filters, the handler link) find one already open.
     */
    public static Object enter(Object exchange) {
        Interceptor current = interceptor;
        if (current == null || exchange == null || Mesh.serving()) {
            return null;
        }
        return current.start(exchange);
    }

    /** Whether the chain must be skipped because the mesh answered for the application (429). */
    public static boolean answeredByMesh(Object handle, Object exchange) {
        if (!(handle instanceof Inbound) || ((Inbound) handle).rejectedStatus() == 0) {
            return false;
        }
        try {
            interceptor.reject(exchange, (Inbound) handle);
            return true;
        } catch (Throwable t) {
            AgentLog.warnOnce("jdk-http-server-reject", "could not answer a rate-limited request (" + t
                    + "); it goes to the application");
            return false;
        }
    }

    /** Exit advice: the request ended, normally or with what the handler threw. */
    public static void exit(Object handle, Object exchange, Throwable thrown) {
        if (!(handle instanceof Inbound)) {
            return;
        }
        Inbound inbound = (Inbound) handle;
        int status = -1;
        try {
            status = interceptor.status(exchange);
        } catch (Throwable ignored) {
            // the record goes without a status
        }
        Mesh.inboundEnd(inbound, status, thrown);
    }
}
