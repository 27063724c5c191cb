package dev.jmesh.bootstrap;

/**
 * Read access to an outbound request's headers, supplied by the instrumentation, so the engine can
 * join the application's trace (and, later, match routes on headers) without knowing the library.
 */
public interface RequestHeaders {
    RequestHeaders NONE = name -> null;

    /** The first value of header {@code name} (case-insensitive), or null when absent. */
    String get(String name);
}
