package dev.jmesh.bootstrap;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The facade that AWS SDK instrumentation calls, the SDK counterpart of {@link Mesh}. With no engine, or when the
 * engine itself fails, the SDK call runs untouched (fail-open), and it is never made twice because of the engine:
 * when the engine fails after the call was made, the application gets that call's result or exception.
 */
public final class AwsCalls {
    private static volatile AwsEngine engine;
    private static final AtomicLong ENGINE_FAILURES = new AtomicLong();

    private AwsCalls() {
    }

    public static void install(AwsEngine awsEngine) {
        engine = awsEngine;
    }

    /** How many calls fell back to pass-through because the engine failed. */
    public static long engineFailures() {
        return ENGINE_FAILURES.get();
    }

    public static <R> R call(String service, String operation, OutboundCall call, AwsExchange<R> exchange)
            throws Exception {
        AwsEngine current = engine;
        if (current == null) {
            return exchange.attempt(call.host(), call.port(), 0);
        }
        Guard<R> guard = new Guard<R>(exchange);
        try {
            return current.call(service, operation, call, guard);
        } catch (Throwable t) {
            if (guard.owns(t)) {
                throw LibraryFailures.<Exception>rethrow(t);
            }
            ENGINE_FAILURES.incrementAndGet();
            AgentLog.warnOnce("aws-engine-failure:" + t.getClass().getName(), "internal failure (" + t
                    + ") while handling " + service + "." + operation + "; the call proceeds without mesh policies."
                    + " Please report this.");
            return guard.fallBack(t, call);
        }
    }

    /** The SDK's exchange, guarded; the SDK-specific questions go straight to it. */
    private static final class Guard<R> extends GuardedExchange<R> implements AwsExchange<R> {
        private final AwsExchange<R> delegate;

        Guard(AwsExchange<R> delegate) {
            super(delegate);
            this.delegate = delegate;
        }

        @Override
        public String requestId() {
            return delegate.requestId();
        }

        @Override
        public int lastStatus() {
            return delegate.lastStatus();
        }

        @Override
        public int httpAttempts() {
            return delegate.httpAttempts();
        }

        @Override
        public String lastEndpoint() {
            return delegate.lastEndpoint();
        }

        @Override
        public boolean isTimeout(Throwable failure) {
            return delegate.isTimeout(failure);
        }
    }
}
