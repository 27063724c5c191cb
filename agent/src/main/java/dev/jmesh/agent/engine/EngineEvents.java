package dev.jmesh.agent.engine;

/**
 * The engine's rare events (breaker transitions, ejections) for whoever counts them (metrics). One listener,
 * set once by telemetry; until then, and whenever a listener throws, events go nowhere. Never on the
 * per-call fast path: transitions and ejections happen a few times per incident, not per call.
 */
public final class EngineEvents {
    /** The breaker that opens on the failure rate. */
    public static final String FAILURE_RATE = "failure_rate";
    /** The breaker that opens on the slow-call rate. */
    public static final String SLOW_CALLS = "slow_calls";

    /** What a listener hears. Implementations must be quick and must not block. */
    public interface Listener {
        /**
         * A circuit breaker changed state; states are {@code closed}, {@code open}, {@code half_open}.
         *
         * @param breaker {@link #FAILURE_RATE} or {@link #SLOW_CALLS}
         */
        void breakerTransition(String service, String breaker, String from, String to, boolean shadow);

        /** Outlier detection took an endpoint out of rotation (or, in shadow mode, would have). */
        void ejected(String service, String endpoint, boolean shadow);
    }

    private static volatile Listener listener;

    private EngineEvents() {
    }

    public static void listen(Listener l) {
        listener = l;
    }

    static void breakerTransition(String service, String breaker, Object from, Object to, boolean shadow) {
        Listener l = listener;
        if (l != null) {
            try {
                l.breakerTransition(service, breaker, stateName(from), stateName(to), shadow);
            } catch (Throwable ignored) {
                // counting must never change what the engine does
            }
        }
    }

    static void ejected(String service, String endpoint, boolean shadow) {
        Listener l = listener;
        if (l != null) {
            try {
                l.ejected(service, endpoint, shadow);
            } catch (Throwable ignored) {
                // counting must never change what the engine does
            }
        }
    }

    /** Failsafe's CLOSED / OPEN / HALF_OPEN as {@code closed}, {@code open}, {@code half_open}. */
    static String stateName(Object state) {
        return state == null ? "closed" : state.toString().toLowerCase(java.util.Locale.ROOT);
    }
}
