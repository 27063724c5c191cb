package dev.jmesh.agent;

import dev.jmesh.bootstrap.Helpers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.security.ProtectionDomain;

/**
 * Defines an instrumentation module's helper classes next to the library they call: parent is the
 * library's class loader (so the helper links against the application's copy of the library, and
 * through it against {@code dev.jmesh.bootstrap}); the class files come from the agent jar. Only
 * {@code dev.jmesh.instrumentation} classes are defined here: a helper never sees the engine, it talks
 * to it through the bootstrap facade.
 */
final class HelperClassLoader extends ClassLoader {
    private static final String HELPER_PACKAGES = "dev.jmesh.instrumentation.";

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader agentLoader;
    private final ProtectionDomain domain;

    private HelperClassLoader(ClassLoader libraryLoader, ClassLoader agentLoader) {
        super(libraryLoader);
        this.agentLoader = agentLoader;
        this.domain = HelperClassLoader.class.getProtectionDomain();
    }

    /** The factory the bootstrap bridges use; one helper loader per library loader and helper. */
    static Helpers.Factory factory() {
        final ClassLoader agentLoader = HelperClassLoader.class.getClassLoader();
        return (className, libraryLoader) -> {
            ClassLoader parent = libraryLoader != null ? libraryLoader : ClassLoader.getSystemClassLoader().getParent();
            Class<?> type = new HelperClassLoader(parent, agentLoader).loadClass(className);
            try {
                return type.getConstructor().newInstance();
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e; // say what really failed
            }
        };
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith(HELPER_PACKAGES)) {
            return super.loadClass(name, resolve);
        }
        // Helper classes are ours to define, even if the application has a copy of the agent jar.
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                loaded = findClass(name);
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = agentLoader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ClassNotFoundException(name);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) != -1) {
                bytes.write(buffer, 0, n);
            }
            return defineClass(name, bytes.toByteArray(), 0, bytes.size(), domain);
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }
}
