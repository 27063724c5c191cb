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
            if (guard.succeeded) {
                return guard.lastResult; // the SDK call already happened: its result is the application's
            }
            if (guard.lastFailure != null) {
                throw LibraryFailures.<Exception>rethrow(guard.lastFailure);
            }
            if (guard.attempted) {
                throw exchange.rejectedException("jmesh: internal error after the call was made: " + t);
            }
            return exchange.attempt(call.host(), call.port(), 0);
        }
    }

    /** Remembers what the SDK did, so that its failures are never mistaken for engine bugs. */
    private static final class Guard<R> implements AwsExchange<R> {
        private final AwsExchange<R> delegate;
        private final LibraryFailures own = new LibraryFailures();
        volatile boolean attempted;
        volatile boolean succeeded;
        volatile R lastResult;
        volatile Throwable lastFailure;

        Guard(AwsExchange<R> delegate) {
            this.delegate = delegate;
        }

        final <T extends Throwable> T remember(T t) {
            return own.remember(t);
        }

        final boolean owns(Throwable t) {
            return own.owns(t);
        }

        @Override
        public R attempt(String host, int port, int timeoutMillis) throws Exception {
            attempted = true;
            try {
                R result = delegate.attempt(host, port, timeoutMillis);
                lastResult = result;
                succeeded = true;
                lastFailure = null;
                return result;
            } catch (Throwable t) {
                lastFailure = t;
                succeeded = false;
                throw LibraryFailures.<Exception>rethrow(remember(t));
            }
        }

        @Override
        public int statusOf(R response) {
            return delegate.statusOf(response);
        }

        @Override
        public void discard(R response) {
            delegate.discard(response);
        }

        @Override
        public Exception timeoutException(String message) {
            return remember(delegate.timeoutException(message));
        }

        @Override
        public Exception rejectedException(String message) {
            return remember(delegate.rejectedException(message));
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
