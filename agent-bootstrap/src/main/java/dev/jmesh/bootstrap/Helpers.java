package dev.jmesh.bootstrap;

/**
 * Creates instrumentation helpers inside the class loader of the library they serve.
 *
 * <p>A library on the application's class path (Apache HttpClient, OkHttp, a JDBC driver) is invisible
 * to the agent's own class loader, so the code that speaks its API cannot live there. Instead the
 * agent defines that code (an instrumentation module's {@code dev.jmesh.instrumentation..} classes) in
 * a small loader whose parent is the library's loader, once per library loader. Bridges cache the
 * helper per library class with a {@link ClassValue}, so an undeployed web application takes its
 * helpers with it.
 */
public final class Helpers {

    /** Implemented by the agent. */
    public interface Factory {
        /** A new instance of {@code className} (public, no-argument constructor) seeing {@code libraryLoader}. */
        Object create(String className, ClassLoader libraryLoader) throws Exception;
    }

    private static volatile Factory factory;

    private Helpers() {
    }

    public static void install(Factory value) {
        factory = value;
    }

    /**
     * A helper for the library that {@code libraryType} belongs to, or null when there is no agent or it
     * cannot be created (the caller then passes the call through).
     */
    public static Object create(String className, Class<?> libraryType) {
        Factory current = factory;
        if (current == null) {
            return null;
        }
        try {
            return current.create(className, libraryType.getClassLoader());
        } catch (Throwable t) {
            AgentLog.warnOnce("helper:" + className, "cannot set up " + className + " for "
                    + libraryType.getName() + " (" + t + "); its calls pass through untouched");
            return null;
        }
    }
}
