package dev.jmesh.bootstrap;

/**
 * What the engine needs from a client library to run one logical call: how to read an attempt's
 * status, how to release a response the application will never see, and how to build the failures
 * the application expects from that library. Sub-interfaces add the way to perform one attempt.
 *
 * @param <R> the library's response type
 */
public interface Exchange<R> {

    /** The protocol status of a response (HTTP status code), or -1 where the protocol has none. */
    int statusOf(R response);

    /**
     * The first value of response header {@code name} (any case), or null when absent. HTTP modules implement it
     * (the engine reads {@code Retry-After}); protocols without headers (JDBC) keep this default.
     */
    default String headerOf(R response, String name) {
        return null;
    }

    /** Releases a response that a retry replaces (drain and close it so the connection can be reused). */
    void discard(R response);

    /** The library's own timeout exception, e.g. {@code SocketTimeoutException}. */
    Exception timeoutException(String message);

    /** The library's own I/O failure for a call the mesh refused (open breaker, throttled, denied). */
    Exception rejectedException(String message);
}
