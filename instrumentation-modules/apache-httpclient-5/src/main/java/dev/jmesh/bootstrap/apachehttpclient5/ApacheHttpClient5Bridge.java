package dev.jmesh.bootstrap.apachehttpclient5;

import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Helpers;
import dev.jmesh.bootstrap.Outcome;

/**
 * The hop from advice woven into Apache HttpClient 5 (classes of the application's class loader) to
 * the interceptor that speaks the library's API. The interceptor cannot live in the agent's loader,
 * which does not see the application's copy of the library: {@link Helpers} defines it inside (a child
 * of) the library's own loader, once per woven library class, cached here in a {@link ClassValue} so
 * that an undeployed web application takes its interceptor with it.
 *
 * <p>Signatures use {@code Object} because the bootstrap loader, which defines this class, cannot see
 * the library: the client is a {@code CloseableHttpClient}, the target an {@code HttpHost} (may be
 * null), the request a {@code ClassicHttpRequest}, the context an {@code HttpContext} (may be null).
 */
public final class ApacheHttpClient5Bridge {

    /** The helper class, defined per library class loader. */
    static final String CLASSIC_INTERCEPTOR =
            "dev.jmesh.instrumentation.apachehttpclient5.ApacheHttpClient5Interceptor";

    /** Runs a classic {@code CloseableHttpClient} call through the mesh. */
    public interface Interceptor {

        /**
         * {@code doExecute(HttpHost, ClassicHttpRequest, HttpContext)}: returns the
         * {@code CloseableHttpResponse} for the application, or null to decline (the original method then
         * runs untouched). Whatever it throws reaches the application as the outcome of the call.
         */
        Object execute(Object client, Object target, Object request, Object context) throws Exception;
    }

    /** The helper for async calls with a {@code SimpleHttpRequest}, defined per library class loader. */
    static final String ASYNC_INTERCEPTOR = "dev.jmesh.instrumentation.apachehttpclient5.SimpleAsyncInterceptor";

    /** Runs {@code CloseableHttpAsyncClient.execute(SimpleHttpRequest, HttpContext, FutureCallback)} through the mesh. */
    public interface AsyncInterceptor {

        /** Returns the {@code Future} for the application, or null to decline (the original method then runs). */
        Object executeSimple(Object client, Object request, Object context, Object callback);
    }

    /** The helper for async calls with any {@code AsyncRequestProducer}/{@code AsyncResponseConsumer} pair. */
    static final String STREAMING_INTERCEPTOR =
            "dev.jmesh.instrumentation.apachehttpclient5.StreamingAsyncInterceptor";

    /**
     * Runs {@code doExecute(HttpHost, AsyncRequestProducer, AsyncResponseConsumer, HandlerFactory, HttpContext,
     * FutureCallback)} of an async client through the mesh.
     */
    public interface StreamingInterceptor {

        /** Returns the {@code Future} for the application, or null to decline (the original method then runs). */
        Object execute(Object client, Object target, Object producer, Object consumer, Object pushHandlerFactory,
                       Object context, Object callback);
    }

    private static final ClassValue<StreamingInterceptor> STREAMING_INTERCEPTORS =
            new ClassValue<StreamingInterceptor>() {
                @Override
                protected StreamingInterceptor computeValue(Class<?> libraryType) {
                    Object helper = Helpers.create(STREAMING_INTERCEPTOR, libraryType);
                    return helper instanceof StreamingInterceptor ? (StreamingInterceptor) helper : null;
                }
            };

    private static final ClassValue<AsyncInterceptor> ASYNC_INTERCEPTORS = new ClassValue<AsyncInterceptor>() {
        @Override
        protected AsyncInterceptor computeValue(Class<?> libraryType) {
            Object helper = Helpers.create(ASYNC_INTERCEPTOR, libraryType);
            return helper instanceof AsyncInterceptor ? (AsyncInterceptor) helper : null;
        }
    };

    private static final ClassValue<Interceptor> INTERCEPTORS = new ClassValue<Interceptor>() {
        @Override
        protected Interceptor computeValue(Class<?> libraryType) {
            Object helper = Helpers.create(CLASSIC_INTERCEPTOR, libraryType);
            return helper instanceof Interceptor ? (Interceptor) helper : null;
        }
    };

    private ApacheHttpClient5Bridge() {
    }

    /**
     * Called from the enter advice of {@code doExecute}: null when the mesh stays out (an attempt the mesh
     * itself is making, no helper for this library, or the interceptor declined), otherwise the outcome.
     *
     * @param libraryType the woven class (its loader is the library's loader)
     */
    public static Outcome execute(Class<?> libraryType, Object client, Object target, Object request,
                                  Object context) {
        if (request == null || client == null || CallDepth.nested()) {
            return null;
        }
        Interceptor current = INTERCEPTORS.get(libraryType);
        if (current == null) {
            return null;
        }
        Object response;
        try {
            response = current.execute(client, target, request, context);
        } catch (Throwable t) {
            return Outcome.thrown(t);
        }
        return response == null ? null : Outcome.returned(response);
    }

    /**
     * Called from the enter advice of {@code CloseableHttpAsyncClient.execute(SimpleHttpRequest, HttpContext,
     * FutureCallback)}: null when the mesh stays out, otherwise the outcome (the application's {@code Future}).
     */
    public static Outcome executeSimple(Class<?> libraryType, Object client, Object request, Object context,
                                        Object callback) {
        if (request == null || client == null || CallDepth.nested()) {
            return null;
        }
        AsyncInterceptor current = ASYNC_INTERCEPTORS.get(libraryType);
        if (current == null) {
            return null;
        }
        Object future;
        try {
            future = current.executeSimple(client, request, context, callback);
        } catch (Throwable t) {
            return Outcome.thrown(t);
        }
        return future == null ? null : Outcome.returned(future);
    }

    /**
     * Called from the enter advice of an async client's {@code doExecute(HttpHost, AsyncRequestProducer,
     * AsyncResponseConsumer, HandlerFactory, HttpContext, FutureCallback)}: null when the mesh stays out (one of
     * its own attempts, a {@code SimpleHttpRequest} call it already runs, a producer it cannot read), otherwise
     * the outcome (the application's {@code Future}).
     */
    public static Outcome executeStreaming(Class<?> libraryType, Object client, Object target, Object producer,
                                           Object consumer, Object pushHandlerFactory, Object context,
                                           Object callback) {
        if (producer == null || client == null || CallDepth.nested()) {
            return null;
        }
        StreamingInterceptor current = STREAMING_INTERCEPTORS.get(libraryType);
        if (current == null) {
            return null;
        }
        Object future;
        try {
            future = current.execute(client, target, producer, consumer, pushHandlerFactory, context, callback);
        } catch (Throwable t) {
            return Outcome.thrown(t);
        }
        return future == null ? null : Outcome.returned(future);
    }
}
