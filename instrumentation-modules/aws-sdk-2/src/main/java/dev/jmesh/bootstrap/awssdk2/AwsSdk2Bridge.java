package dev.jmesh.bootstrap.awssdk2;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Helpers;
import dev.jmesh.bootstrap.Outcome;

/**
 * The hop from advice woven into the AWS SDK for Java v2 to the interceptor that speaks the SDK's API.
 *
 * <p>Two kinds of advice call it. {@code AwsSyncClientHandler.execute}, where every synchronous SDK API call of
 * every service begins, hands the call to {@link #execute}: the interceptor (defined next to the SDK through
 * {@link Helpers}, one per copy of the SDK) runs it through the mesh. And {@code prepareRequest} of the SDK's HTTP
 * clients hands each HTTP request the SDK is about to send to {@link #prepared}: while an SDK call runs through
 * the mesh on this thread, its {@link HttpObserver} counts the request (the SDK's own retries are attempts of the
 * call) and reads the answer's status and request id. Signatures use {@code Object}: no SDK type is visible here.
 */
public final class AwsSdk2Bridge {
    static final String INTERCEPTOR = "dev.jmesh.instrumentation.awssdk2.AwsSdk2Interceptor";

    /** Runs one SDK API call through the mesh. Implemented next to the SDK. */
    public interface Interceptor {

        /**
         * {@code execute(ClientExecutionParams params[, ResponseTransformer transformer])} of {@code handler}: the
         * value for the application, or {@link #DECLINED} to let the original method run untouched. Whatever it
         * throws reaches the application as the outcome of the call.
         */
        Object execute(Object handler, Object params, Object transformer, boolean withTransformer) throws Exception;
    }

    /** Watches the HTTP requests the SDK sends for the call that the mesh runs on this thread. */
    public interface HttpObserver {

        /**
         * The SDK prepared {@code request} ({@code HttpExecuteRequest}) as {@code executable}
         * ({@code ExecutableHttpRequest}); returns what the SDK gets instead (a wrapper that reads the answer).
         */
        Object prepared(Object request, Object executable);
    }

    /** What {@link Interceptor#execute} returns to leave a call to the SDK. */
    public static final Object DECLINED = new Object();

    private static final ThreadLocal<HttpObserver> OBSERVER = new ThreadLocal<HttpObserver>();

    private static final ClassValue<Interceptor> INTERCEPTORS = new ClassValue<Interceptor>() {
        @Override
        protected Interceptor computeValue(Class<?> wovenType) {
            Object helper = Helpers.create(INTERCEPTOR, wovenType);
            if (helper == null || helper instanceof Interceptor) {
                return (Interceptor) helper;
            }
            AgentLog.warnOnce("aws-sdk-2-helper", INTERCEPTOR + " for " + wovenType.getName()
                    + " is not an interceptor; SDK calls pass through untouched");
            return null;
        }
    };

    private AwsSdk2Bridge() {
    }

    /**
     * Called from the enter advice of {@code AwsSyncClientHandler.execute}: null when the mesh stays out (an attempt
     * the mesh itself is making, no interceptor, or the interceptor declined), otherwise the outcome. Never throws.
     */
    public static Outcome execute(Class<?> wovenType, Object handler, Object[] arguments) {
        if (CallDepth.nested() || wovenType == null || arguments == null || arguments.length == 0
                || arguments.length > 2) {
            return null;
        }
        Interceptor interceptor;
        try {
            interceptor = INTERCEPTORS.get(wovenType);
        } catch (Throwable t) {
            AgentLog.warnOnce("aws-sdk-2-lookup", "cannot set up the AWS SDK interceptor (" + t
                    + "); SDK calls pass through untouched");
            return null;
        }
        if (interceptor == null) {
            return null;
        }
        Object result;
        try {
            result = interceptor.execute(handler, arguments[0], arguments.length == 2 ? arguments[1] : null,
                    arguments.length == 2);
        } catch (Throwable t) {
            return Outcome.thrown(t);
        }
        return result == DECLINED ? null : Outcome.returned(result);
    }

    /** Sets the observer of this thread's HTTP requests; returns the previous one, for {@link #restore}. */
    public static HttpObserver observe(HttpObserver observer) {
        HttpObserver previous = OBSERVER.get();
        OBSERVER.set(observer);
        return previous;
    }

    public static void restore(HttpObserver previous) {
        if (previous == null) {
            OBSERVER.remove();
        } else {
            OBSERVER.set(previous);
        }
    }

    /**
     * Called from the exit advice of an SDK HTTP client's {@code prepareRequest}: {@code executable} itself, or
     * what the observer of this thread's SDK call puts in its place. Never throws.
     */
    public static Object prepared(Object request, Object executable) {
        HttpObserver observer = OBSERVER.get();
        if (observer == null || executable == null) {
            return executable;
        }
        try {
            Object replaced = observer.prepared(request, executable);
            return replaced == null ? executable : replaced;
        } catch (Throwable t) {
            AgentLog.warnOnce("aws-sdk-2-observe:" + t.getClass().getName(), "cannot observe an AWS SDK HTTP request ("
                    + t + "); the call's attempts may be under-counted");
            return executable;
        }
    }
}
