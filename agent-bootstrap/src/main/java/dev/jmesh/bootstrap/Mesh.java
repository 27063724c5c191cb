package dev.jmesh.bootstrap;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The facade that instrumentation calls. It forwards to the engine the agent registered and keeps
 * the application safe from the engine: with no engine, or when the engine itself fails, the call
 * runs untouched against the address the application asked for (fail-open).
 */
public final class Mesh {
    private static volatile MeshEngine engine;
    private static final AtomicLong ENGINE_FAILURES = new AtomicLong();
    /** The inbound request this thread is serving, so that nested server layers record it once. */
    private static final ThreadLocal<Inbound> SERVING = new ThreadLocal<Inbound>();

    private Mesh() {
    }

    public static void install(MeshEngine meshEngine) {
        engine = meshEngine;
    }

    /** How many calls fell back to pass-through because the engine failed. */
    public static long engineFailures() {
        return ENGINE_FAILURES.get();
    }

    public static <R> R call(OutboundCall call, BlockingExchange<R> exchange) throws Exception {
        MeshEngine current = engine;
        if (current == null) {
            return exchange.attempt(call.host(), call.port(), 0);
        }
        GuardedBlocking<R> guarded = new GuardedBlocking<R>(exchange);
        try {
            return current.call(call, guarded);
        } catch (Throwable t) {
            if (guarded.owns(t)) {
                throw LibraryFailures.<Exception>rethrow(t);
            }
            engineFailed(call, t);
            if (guarded.attempted && !call.replayable()) {
                // Bytes may already have left; sending them again could duplicate the request.
                throw exchange.rejectedException("jmesh: internal error after the request was sent: " + t);
            }
            return exchange.attempt(call.host(), call.port(), 0);
        }
    }

    public static <R> CompletableFuture<R> callAsync(final OutboundCall call, final AsyncExchange<R> exchange) {
        MeshEngine current = engine;
        if (current == null) {
            return exchange.attempt(call.host(), call.port(), 0);
        }
        final GuardedAsync<R> guarded = new GuardedAsync<R>(exchange);
        CompletableFuture<R> result;
        try {
            result = current.callAsync(call, guarded);
        } catch (Throwable t) {
            engineFailed(call, t);
            return exchange.attempt(call.host(), call.port(), 0);
        }
        final CompletableFuture<R> app = new CompletableFuture<R>();
        result.whenComplete((value, failure) -> {
            if (failure == null) {
                app.complete(value);
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (guarded.owns(cause) || (guarded.attempted && !call.replayable())) {
                app.completeExceptionally(cause);
                return;
            }
            engineFailed(call, cause);
            exchange.attempt(call.host(), call.port(), 0).whenComplete((v, f) -> {
                if (f == null) {
                    app.complete(v);
                } else {
                    app.completeExceptionally(f);
                }
            });
        });
        return app;
    }

    /**
     * Whether this thread is already serving an inbound request that the mesh recorded: a servlet
     * forwarding to another servlet, or a container layered over another instrumented server, is one
     * request. Server instrumentation checks this before describing the request.
     */
    public static boolean serving() {
        return SERVING.get() != null;
    }

    /** The inbound request this thread is serving, or null. */
    public static Inbound currentInbound() {
        return SERVING.get();
    }

    /**
     * Starts an inbound request on this thread. Null means "let it through untouched": no engine, an
     * engine failure (fail-open), or a request nested in one already being served. Otherwise the server
     * must answer {@link Inbound#rejectedStatus()} itself when it is not 0, and in every case call
     * {@link #inboundEnd} exactly once on this thread.
     */
    public static Inbound inbound(InboundCall call) {
        MeshEngine current = engine;
        if (current == null || SERVING.get() != null) {
            return null;
        }
        try {
            Inbound inbound = current.inbound(call);
            if (inbound != null) {
                SERVING.set(inbound);
            }
            return inbound;
        } catch (Throwable t) {
            engineFailed(call, t);
            return null;
        }
    }

    /**
     * The serving thread is done with {@code inbound}, which stays open: the application completes the
     * request later on another thread (an asynchronous servlet), which then calls {@link #inboundEnd}.
     */
    public static void inboundLeave(Inbound inbound) {
        if (inbound != null && SERVING.get() == inbound) {
            SERVING.remove();
        }
    }

    /** Ends what {@link #inbound} started (on any thread; the first end counts); null is ignored. */
    public static void inboundEnd(Inbound inbound, int status, Throwable failure) {
        if (inbound == null) {
            return;
        }
        if (SERVING.get() == inbound) {
            SERVING.remove();
        }
        try {
            inbound.end(status, failure);
        } catch (Throwable t) {
            engineFailed(inbound, t);
        }
    }

    private static void engineFailed(Object call, Throwable t) {
        ENGINE_FAILURES.incrementAndGet();
        AgentLog.warnOnce("engine-failure:" + t.getClass().getName(),
                "internal failure (" + t + ") while handling " + call
                        + "; the call proceeds without mesh policies. Please report this.");
    }

    /** Remembers which failures came from the library, so they are never mistaken for engine bugs. */
    private abstract static class Guarded<R> implements Exchange<R> {
        private final Exchange<R> delegate;
        private final LibraryFailures own = new LibraryFailures();
        volatile boolean attempted;

        Guarded(Exchange<R> delegate) {
            this.delegate = delegate;
        }

        final <T extends Throwable> T remember(T t) {
            return own.remember(t);
        }

        final boolean owns(Throwable t) {
            return own.owns(t);
        }

        @Override
        public int statusOf(R response) {
            return delegate.statusOf(response);
        }

        @Override
        public String headerOf(R response, String name) {
            return delegate.headerOf(response, name);
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
    }

    private static final class GuardedBlocking<R> extends Guarded<R> implements BlockingExchange<R> {
        private final BlockingExchange<R> delegate;

        GuardedBlocking(BlockingExchange<R> delegate) {
            super(delegate);
            this.delegate = delegate;
        }

        @Override
        public R attempt(String host, int port, int timeoutMillis) throws Exception {
            attempted = true;
            try {
                return delegate.attempt(host, port, timeoutMillis);
            } catch (Throwable t) {
                throw LibraryFailures.<Exception>rethrow(remember(t));
            }
        }
    }

    private static final class GuardedAsync<R> extends Guarded<R> implements AsyncExchange<R> {
        private final AsyncExchange<R> delegate;

        GuardedAsync(AsyncExchange<R> delegate) {
            super(delegate);
            this.delegate = delegate;
        }

        @Override
        public CompletableFuture<R> attempt(String host, int port, int timeoutMillis) {
            attempted = true;
            CompletableFuture<R> attempt;
            try {
                attempt = delegate.attempt(host, port, timeoutMillis);
            } catch (Throwable t) {
                remember(t);
                throw t;
            }
            return attempt.whenComplete((value, failure) -> {
                if (failure != null) {
                    remember(failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure);
                }
            });
        }
    }
}
