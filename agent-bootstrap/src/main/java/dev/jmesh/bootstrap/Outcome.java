package dev.jmesh.bootstrap;

/**
 * What the mesh made of a call it took over, for advice that replaces a library method's result: the value the
 * intercepted method returns, or the throwable it throws. The enter advice receives it from the library's bridge
 * (a non-null outcome skips the original method body); the exit advice hands it to the caller.
 */
public final class Outcome {
    private final Object result;
    private final Throwable failure;

    private Outcome(Object result, Throwable failure) {
        this.result = result;
        this.failure = failure;
    }

    public static Outcome returned(Object result) {
        return new Outcome(result, null);
    }

    public static Outcome thrown(Throwable failure) {
        return new Outcome(null, failure);
    }

    /** The value to return; meaningful only when {@link #failure()} is null. */
    public Object result() {
        return result;
    }

    /** The throwable to throw, or null when the call returns {@link #result()}. */
    public Throwable failure() {
        return failure;
    }
}
