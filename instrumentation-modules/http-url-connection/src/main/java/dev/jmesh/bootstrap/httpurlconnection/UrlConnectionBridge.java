package dev.jmesh.bootstrap.httpurlconnection;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.CallDepth;

import java.net.Proxy;
import java.net.URL;
import java.net.URLConnection;

/**
 * The hop from advice woven into the JDK's {@code http} URL handler (a bootstrap class that sees only
 * the bootstrap class path) to the interceptor that lives in the agent's class loader.
 */
public final class UrlConnectionBridge {

    /** Turns the connection the JDK opened into one the mesh manages, or returns it unchanged. */
    public interface Interceptor {
        URLConnection intercept(URLConnection opened, URL url, Proxy proxy);
    }

    private static volatile Interceptor interceptor;

    private UrlConnectionBridge() {
    }

    public static void register(Interceptor value) {
        interceptor = value;
    }

    /** Called from advice: never throws, and returns {@code opened} whenever the mesh stays out. */
    public static URLConnection intercept(URLConnection opened, URL url, Proxy proxy) {
        Interceptor current = interceptor;
        if (current == null || opened == null || CallDepth.nested()) {
            return opened;
        }
        try {
            return current.intercept(opened, url, proxy);
        } catch (Throwable t) {
            AgentLog.warnOnce("http-url-connection-intercept",
                    "could not take over an HttpURLConnection (" + t + "); such calls pass through untouched");
            return opened;
        }
    }
}
