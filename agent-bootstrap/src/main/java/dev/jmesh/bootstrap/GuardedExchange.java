package dev.jmesh.bootstrap;

/**
 * A blocking exchange handed to an engine by a fail-open facade ({@link Databases}, {@link AwsCalls}): it remembers
 * what the library did — its failures, so they are never mistaken for engine bugs, and the outcome of the last
 * attempt — so that when the engine itself fails, {@link #fallBack} can answer the application as the library
 * would have, without making a call that already happened a second time.
 */
class GuardedExchange<R> implements BlockingExchange<R> {
    private final BlockingExchange<R> delegate;
    private final LibraryFailures own = new LibraryFailures();
    private volatile boolean attempted;
    private volatile boolean succeeded;
    private volatile R lastResult;
    private volatile Throwable lastFailure;

    GuardedExchange(BlockingExchange<R> delegate) {
        this.delegate = delegate;
    }

    /** Whether {@code t} came from the library (or its exception factories), and so is the application's answer. */
    final boolean owns(Throwable t) {
        return own.owns(t);
    }

    /**
     * The application's answer after the engine failed with {@code engineFailure} (already reported): the last
     * attempt's result or the library's failure when one was made, else the call made once without the mesh.
     */
    final R fallBack(Throwable engineFailure, OutboundCall call) throws Exception {
        if (succeeded) {
            return lastResult; // the call already happened: its result is the application's
        }
        if (lastFailure != null) {
            throw LibraryFailures.<Exception>rethrow(lastFailure); // the library's own answer to the call
        }
        if (attempted) {
            throw delegate.rejectedException("jmesh: internal error after the call was made: " + engineFailure);
        }
        return delegate.attempt(call.host(), call.port(), 0);
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
            throw LibraryFailures.<Exception>rethrow(own.remember(t));
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
        return own.remember(delegate.timeoutException(message));
    }

    @Override
    public Exception rejectedException(String message) {
        return own.remember(delegate.rejectedException(message));
    }
}
