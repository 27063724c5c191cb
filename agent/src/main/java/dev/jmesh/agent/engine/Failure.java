package dev.jmesh.agent.engine;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/** What kind of upstream failure an attempt's exception is, in Envoy's retry-on vocabulary. */
enum Failure {
    /** The connection could not be established. Never reached the upstream, always safe to retry. */
    CONNECT_FAILURE(ResponseFlags.CONNECT_FAILURE),
    /** The attempt ran out of time (per-try timeout or the client's own timeout). */
    TIMEOUT(ResponseFlags.TIMEOUT),
    /** The upstream reset or closed the connection without a complete response. */
    RESET(ResponseFlags.CONNECTION_TERMINATION),
    /** Not an upstream failure: the library rejected the request, the thread was interrupted, ... */
    OTHER(null);

    final String flag;

    Failure(String flag) {
        this.flag = flag;
    }

    static Failure of(Throwable t) {
        if (t instanceof ConnectException || t instanceof NoRouteToHostException
                || t instanceof PortUnreachableException || t instanceof UnknownHostException
                || isConnectTimeout(t)) {
            return CONNECT_FAILURE;
        }
        if (t instanceof SocketTimeoutException || isHttpClientTimeout(t)) {
            return TIMEOUT;
        }
        if (t instanceof InterruptedIOException) {
            return OTHER; // the application interrupted the thread: stop, don't retry
        }
        if (t instanceof IOException) {
            return RESET;
        }
        return OTHER;
    }

    /** Library types are matched by name: the engine does not see the application's libraries. */
    private static boolean isConnectTimeout(Throwable t) {
        String type = t.getClass().getName();
        return type.equals("java.net.http.HttpConnectTimeoutException")
                || type.equals("org.apache.http.conn.ConnectTimeoutException")
                || type.equals("org.apache.hc.client5.http.ConnectTimeoutException")
                || (t instanceof SocketTimeoutException && "connect timed out".equals(t.getMessage()));
    }

    /** java.net.http types are matched by name: this class also loads on Java 8. */
    private static boolean isHttpClientTimeout(Throwable t) {
        return t.getClass().getName().equals("java.net.http.HttpTimeoutException");
    }
}
