package dev.jmesh.bootstrap;

/** An {@link Exchange} whose attempts block the calling thread until the response arrives. */
public interface BlockingExchange<R> extends Exchange<R> {

    /**
     * Performs one attempt against {@code host:port}. The library enforces {@code timeoutMillis}
     * (0 = no limit) itself, so that a timed-out attempt fails with its own exception and leaks nothing.
     */
    R attempt(String host, int port, int timeoutMillis) throws Exception;
}
