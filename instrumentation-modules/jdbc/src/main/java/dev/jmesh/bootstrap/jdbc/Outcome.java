package dev.jmesh.bootstrap.jdbc;

/**
 * What the mesh made of a JDBC call it took over: the value the intercepted method returns, or the
 * throwable it throws. Enter advice receives it from {@link JdbcBridge} (non-null skips the original body,
 * which the mesh already ran once through the interface) and exit advice hands it to the caller.
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

    public Object result() {
        return result;
    }

    /** The throwable to throw, or null when the call returns {@link #result()}. */
    public Throwable failure() {
        return failure;
    }
}
