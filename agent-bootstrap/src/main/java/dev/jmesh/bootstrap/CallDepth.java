package dev.jmesh.bootstrap;

/**
 * Per-thread guard that makes nested instrumented calls pass through: while the mesh performs an
 * attempt (which calls the same or a lower-level client again), advice must not start a second
 * logical call.
 */
public final class CallDepth {
    private static final ThreadLocal<int[]> DEPTH = new ThreadLocal<int[]>() {
        @Override
        protected int[] initialValue() {
            return new int[1];
        }
    };

    private CallDepth() {
    }

    /** True while this thread is inside an attempt that the mesh is performing. */
    public static boolean nested() {
        return DEPTH.get()[0] > 0;
    }

    public static void enter() {
        DEPTH.get()[0]++;
    }

    public static void exit() {
        DEPTH.get()[0]--;
    }
}
