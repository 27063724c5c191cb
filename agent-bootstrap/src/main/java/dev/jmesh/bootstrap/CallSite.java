package dev.jmesh.bootstrap;

/**
 * Names the application frame that is making a call ({@code class.method:line}), for the access log.
 * The engine finds it on the calling thread; an instrumentation whose library runs the call later on
 * another thread (OkHttp's {@code enqueue}) captures it here while the application's frames are still
 * on the stack, and hands it over with {@link OutboundCall#withCaller}.
 */
public final class CallSite {

    /** Implemented by the agent. */
    public interface Locator {
        String locate();
    }

    private static volatile Locator locator;

    private CallSite() {
    }

    public static void install(Locator value) {
        locator = value;
    }

    /** The calling application frame, or null (no agent, or no application frame on this thread). */
    public static String capture() {
        Locator current = locator;
        if (current == null) {
            return null;
        }
        try {
            return current.locate();
        } catch (Throwable t) {
            return null;
        }
    }
}
