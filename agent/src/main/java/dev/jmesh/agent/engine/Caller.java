package dev.jmesh.agent.engine;

/**
 * Finds the application frame that made an outbound call: the first frame that belongs neither to
 * the JDK nor to jmesh. This is the insight no sidecar has.
 */
final class Caller {
    private Caller() {
    }

    /** {@code class.method:line} of the calling application frame, or null when there is none. */
    static String find() {
        for (StackTraceElement frame : new Throwable().getStackTrace()) {
            if (!isInfrastructure(frame.getClassName())) {
                return frame.getClassName() + "." + frame.getMethodName() + ":" + frame.getLineNumber();
            }
        }
        return null;
    }

    private static boolean isInfrastructure(String className) {
        return className.startsWith("java.")
                || className.startsWith("javax.")
                || className.startsWith("jdk.")
                || className.startsWith("sun.")
                || className.startsWith("com.sun.")
                || className.startsWith("dev.jmesh.agent.")
                || className.startsWith("dev.jmesh.bootstrap.")
                || className.startsWith("dev.jmesh.instrumentation.")
                || className.startsWith("dev.jmesh.shaded.");
    }
}
