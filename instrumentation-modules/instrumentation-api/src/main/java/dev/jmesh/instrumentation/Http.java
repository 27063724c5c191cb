package dev.jmesh.instrumentation;

/** Small HTTP facts shared by the HTTP client instrumentations. */
public final class Http {
    /** Bodies up to this size are buffered so that a retry can send them again. */
    public static final int REPLAYABLE_BODY_LIMIT = 64 * 1024;

    private Http() {
    }

    /** The path of a request target without its query string; "/" when empty. */
    public static String pathOf(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        int query = rawPath.indexOf('?');
        return query < 0 ? rawPath : (query == 0 ? "/" : rawPath.substring(0, query));
    }

    /** The raw query string of a request target ("/a?b=c" gives "b=c"), or null when it has none. */
    public static String queryOf(String requestTarget) {
        int query = requestTarget == null ? -1 : requestTarget.indexOf('?');
        return query < 0 ? null : requestTarget.substring(query + 1);
    }

    /**
     * The smaller of two socket timeouts in milliseconds where 0 means "none", as
     * {@code URLConnection} and the mesh both use it.
     */
    public static int tighterTimeout(int applicationMillis, int meshMillis) {
        if (meshMillis <= 0) {
            return applicationMillis;
        }
        if (applicationMillis <= 0) {
            return meshMillis;
        }
        return Math.min(applicationMillis, meshMillis);
    }
}
