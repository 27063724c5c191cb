package dev.jmesh.instrumentation.testing;

import dev.jmesh.bootstrap.Helpers;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Does in tests what the agent's {@code HelperClassLoader} does: defines a module's {@code dev.jmesh.instrumentation.}
 * classes afresh in a small loader whose parent is the library's loader, one loader per helper, from the class
 * files the parent sees. It refuses what a helper must not use at run time (Byte Buddy, the agent), so a helper that
 * reached for them fails here as it would in the agent.
 */
public final class TestHelpers implements Helpers.Factory {
    /**
     * The one factory tests install: a bridge caches its interceptor per woven class for the life of the JVM, so
     * whichever test weaves first decides which factory made it.
     */
    public static final TestHelpers INSTANCE = new TestHelpers();

    /** Every helper this factory made, in order. */
    public final List<Object> created = new CopyOnWriteArrayList<>();

    private TestHelpers() {
    }

    @Override
    public Object create(String className, ClassLoader libraryLoader) throws Exception {
        Object helper = new HelperLoader(libraryLoader).loadClass(className).getConstructor().newInstance();
        created.add(helper);
        return helper;
    }

    /** The loader of one helper. */
    public static final class HelperLoader extends ClassLoader {
        HelperLoader(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("net.bytebuddy.") || name.startsWith("dev.jmesh.agent.")) {
                throw new ClassNotFoundException(name + " is not visible to instrumentation helpers");
            }
            if (!name.startsWith("dev.jmesh.instrumentation.")) {
                return super.loadClass(name, resolve);
            }
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
            try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                if (in == null) {
                    throw new ClassNotFoundException(name);
                }
                byte[] bytes = in.readAllBytes();
                return defineClass(name, bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
        }
    }
}
