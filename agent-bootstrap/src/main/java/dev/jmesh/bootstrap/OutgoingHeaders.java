package dev.jmesh.bootstrap;

/**
 * Headers the engine adds to the request of the attempt it is about to make, such as W3C
 * {@code traceparent}. The engine sets them on the thread that calls {@code Exchange.attempt} just
 * before the call; the instrumentation copies them into the request it builds inside {@code attempt}.
 * No other header of the application's request is changed.
 */
public final class OutgoingHeaders {

    /** Receives each header to add. */
    public interface Sink {
        void header(String name, String value);
    }

    private static final ThreadLocal<String[]> CURRENT = new ThreadLocal<String[]>();

    private OutgoingHeaders() {
    }

    /**
     * Called by the engine around one attempt: name/value pairs, or null for none. Null is stored, not removed: the
     * thread keeps its entry, so that the next attempt does not allocate a new one.
     */
    public static void set(String[] namesAndValues) {
        CURRENT.set(namesAndValues);
    }

    /** Called by the instrumentation while it builds an attempt's request. */
    public static void addTo(Sink sink) {
        String[] headers = CURRENT.get();
        if (headers == null) {
            return;
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            sink.header(headers[i], headers[i + 1]);
        }
    }
}
