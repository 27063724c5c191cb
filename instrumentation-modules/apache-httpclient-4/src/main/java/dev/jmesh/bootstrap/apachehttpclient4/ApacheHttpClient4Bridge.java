package dev.jmesh.bootstrap.apachehttpclient4;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Helpers;
import dev.jmesh.bootstrap.Outcome;

/**
 * The hop from advice woven into Apache HttpClient 4 ({@code doExecute} of {@code InternalHttpClient},
 * {@code MinimalHttpClient} and {@code AbstractHttpClient}) to the interceptor that speaks the library's
 * API.
 *
 * <p>The library lives in the application's class loader, which neither this class (bootstrap) nor the
 * agent can see. So the interceptor is a helper defined next to the library, through {@link Helpers},
 * once per copy of the library: the {@link ClassValue} is keyed by the library's
 * {@code CloseableHttpClient} class, which all woven types extend, so an application server with one
 * copy per web application gets one interceptor per copy, and an undeployed application takes its
 * interceptor with it. Signatures use {@code Object} because no library type is visible here.
 */
public final class ApacheHttpClient4Bridge {
    static final String INTERCEPTOR = "dev.jmesh.instrumentation.apachehttpclient4.ApacheHttpClient4Interceptor";
    private static final String CLOSEABLE_HTTP_CLIENT = "org.apache.http.impl.client.CloseableHttpClient";

    /** Runs one {@code doExecute} through the mesh. Implemented next to the library. */
    public interface Interceptor {

        /**
         * {@code doExecute(HttpHost target, HttpRequest request, HttpContext context)} of {@code client}:
         * returns the {@code CloseableHttpResponse} for the application, or null to decline (the original
         * method then runs untouched). Whatever it throws reaches the application as the outcome of the
         * call, so it throws only what {@code execute} declares ({@code IOException}) or unchecked
         * exceptions the library itself would throw.
         */
        Object execute(Object client, Object target, Object request, Object context) throws Exception;
    }

    private static final ClassValue<Interceptor> INTERCEPTORS = new ClassValue<Interceptor>() {
        @Override
        protected Interceptor computeValue(Class<?> wovenType) {
            for (Class<?> type = wovenType.getSuperclass(); type != null; type = type.getSuperclass()) {
                if (CLOSEABLE_HTTP_CLIENT.equals(type.getName())) {
                    return get(type); // one interceptor per copy of the library, whichever client class asks
                }
            }
            Object helper = Helpers.create(INTERCEPTOR, wovenType);
            if (helper == null || helper instanceof Interceptor) {
                return (Interceptor) helper;
            }
            AgentLog.warnOnce("apache-httpclient-4-helper", INTERCEPTOR + " for " + wovenType.getName()
                    + " is not an interceptor; its calls pass through untouched");
            return null;
        }
    };

    private ApacheHttpClient4Bridge() {
    }

    /**
     * Called from the enter advice of {@code doExecute}: null when the mesh stays out (an attempt the mesh
     * itself is making or any other nested call, no interceptor for this library, or the interceptor
     * declined), otherwise the outcome. Never throws.
     *
     * @param wovenType the class whose {@code doExecute} runs (a class of the library's loader)
     */
    public static Outcome execute(Class<?> wovenType, Object client, Object target, Object request, Object context) {
        if (CallDepth.nested() || wovenType == null || request == null) {
            return null;
        }
        Interceptor interceptor;
        try {
            interceptor = INTERCEPTORS.get(wovenType);
        } catch (Throwable t) {
            AgentLog.warnOnce("apache-httpclient-4-lookup", "cannot set up the Apache HttpClient 4 interceptor ("
                    + t + "); its calls pass through untouched");
            return null;
        }
        if (interceptor == null) {
            return null;
        }
        Object response;
        try {
            response = interceptor.execute(client, target, request, context);
        } catch (Throwable t) {
            return Outcome.thrown(t);
        }
        return response == null ? null : Outcome.returned(response);
    }
}
