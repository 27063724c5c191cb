package dev.jmesh.bootstrap.okhttp;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.CallSite;
import dev.jmesh.bootstrap.Helpers;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The hop from advice woven into OkHttp ({@code okhttp3.OkHttpClient}, {@code RealCall}), classes of the
 * application's loader, to the helper that speaks OkHttp's API. The helper,
 * {@code dev.jmesh.instrumentation.okhttp.MeshInterceptor}, is defined by the agent inside the class
 * loader of the OkHttp copy it serves (see {@link Helpers}), once per such copy, and cached here per
 * {@code OkHttpClient} class.
 *
 * <p>Signatures use {@code Object}: the bootstrap loader, which defines this class, cannot see OkHttp.
 */
public final class OkHttpBridge {
    static final String HELPER = "dev.jmesh.instrumentation.okhttp.MeshInterceptor";

    /** Implemented by the helper; every argument is an OkHttp object of the helper's own OkHttp copy. */
    public interface Interceptor {

        /**
         * An {@code OkHttpClient} is being constructed from {@code builder} (an {@code OkHttpClient.Builder}):
         * make the mesh's OkHttp interceptor the last of the builder's application interceptors, exactly once.
         */
        void clientBuilding(Object builder);
    }

    private static final ClassValue<Interceptor> INTERCEPTORS = new ClassValue<Interceptor>() {
        @Override
        protected Interceptor computeValue(Class<?> clientType) {
            Object helper = Helpers.create(HELPER, clientType);
            return helper instanceof Interceptor ? (Interceptor) helper : null;
        }
    };

    /** Calls enqueued while the mesh was making an attempt on that thread; see {@link #enqueued}. */
    private static final Map<Object, Boolean> NESTED_ENQUEUES =
            Collections.synchronizedMap(new WeakHashMap<Object, Boolean>());
    private static volatile boolean anyNestedEnqueue;
    /** The application frame that enqueued each call, captured on its thread; see {@link #callerOf}. */
    private static final Map<Object, String> CALLERS = Collections.synchronizedMap(new WeakHashMap<Object, String>());

    private OkHttpBridge() {
    }

    /**
     * Called from the enter advice of the {@code OkHttpClient(Builder)} constructor, which every client
     * (also {@code new OkHttpClient()} and {@code newBuilder().build()} copies) runs exactly once.
     * {@code clientType} is the woven {@code OkHttpClient} class, so that the helper belongs to its OkHttp.
     */
    public static void clientBuilding(Class<?> clientType, Object builder) {
        if (clientType == null || builder == null) {
            return;
        }
        Interceptor interceptor = INTERCEPTORS.get(clientType);
        if (interceptor == null) {
            return;
        }
        try {
            interceptor.clientBuilding(builder);
        } catch (Throwable t) {
            AgentLog.warnOnce("okhttp-client:" + t.getClass().getName(), "could not add the mesh to an OkHttpClient ("
                    + t + "); its calls pass through untouched");
        }
    }

    /**
     * Called from the enter advice of {@code RealCall.enqueue}. An asynchronous call runs its interceptors
     * on OkHttp's dispatcher thread, where {@link CallDepth} no longer tells that the mesh (or an outer
     * instrumented client) started it from within an attempt; such calls are remembered here so that the
     * mesh's interceptor lets them pass through, as it does for a nested {@code execute()}.
     */
    public static void enqueued(Object call) {
        if (call == null) {
            return;
        }
        if (CallDepth.nested()) {
            anyNestedEnqueue = true;
            NESTED_ENQUEUES.put(call, Boolean.TRUE);
            return;
        }
        String caller = CallSite.capture();
        if (caller != null) {
            CALLERS.put(call, caller);
        }
    }

    /** The application frame that enqueued {@code call}, or null (a call that was executed, not enqueued). */
    public static String callerOf(Object call) {
        return call == null ? null : CALLERS.remove(call);
    }

    /** Whether {@code call} (a {@code RealCall}) was enqueued from within an attempt. */
    public static boolean enqueuedNested(Object call) {
        return anyNestedEnqueue && call != null && NESTED_ENQUEUES.containsKey(call);
    }
}
