package dev.jmesh.instrumentation;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Small HTTP facts shared by the HTTP client instrumentations. */
public final class Http {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private Http() {
    }

    /**
     * The address an IP literal names ({@code 10.0.0.5}, {@code ::1} or {@code [::1]}), or null for a host name:
     * never a DNS lookup. An https attempt to an endpoint given as an address connects there under the service's
     * name, so that TLS (SNI, the certificate's name) is about the name the application used.
     */
    public static InetAddress addressLiteral(String host) {
        if (host == null || !(IPV4.matcher(host).matches() || host.indexOf(':') >= 0)) {
            return null;
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            return InetAddress.getByName(bare); // a literal: parsed, not looked up
        } catch (UnknownHostException | SecurityException notAnAddress) {
            return null;
        }
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
     * The request body size the engine compares with {@code retry.maxReplayBodyBytes}
     * ({@code OutboundCall.withBodyBytes}): 0 without a body, its length when the library can
     * send it again and knows its length in advance, else -1 (a stream: sent at most once). Nothing is buffered.
     */
    public static long bodyBytes(boolean hasBody, boolean repeatable, long contentLength) {
        if (!hasBody) {
            return 0;
        }
        return repeatable && contentLength >= 0 ? contentLength : -1;
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
