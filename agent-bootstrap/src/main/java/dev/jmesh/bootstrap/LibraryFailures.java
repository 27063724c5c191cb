package dev.jmesh.bootstrap;

/**
 * The failures of one call that came from the application's library (raised by an attempt, or made by the
 * library's own exception factories for the engine), remembered so that a facade never mistakes them for engine
 * bugs: they reach the application unchanged, while anything else the engine throws is the engine's own failure.
 */
final class LibraryFailures {
    private static final Throwable[] NONE = new Throwable[0];

    /** Copied on write: most calls remember nothing, and none remembers more than a few. */
    private Throwable[] own = NONE;

    synchronized <T extends Throwable> T remember(T t) {
        Throwable[] more = new Throwable[own.length + 1];
        System.arraycopy(own, 0, more, 0, own.length);
        more[own.length] = t;
        own = more;
        return t;
    }

    synchronized boolean owns(Throwable t) {
        for (Throwable candidate : own) {
            if (candidate == t) {
                return true;
            }
        }
        return false;
    }

    /** Throws {@code t} as it is, checked or not. */
    @SuppressWarnings("unchecked")
    static <T extends Throwable> T rethrow(Throwable t) throws T {
        throw (T) t;
    }
}
