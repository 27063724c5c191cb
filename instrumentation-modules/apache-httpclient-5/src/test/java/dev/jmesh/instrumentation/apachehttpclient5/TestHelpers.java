package dev.jmesh.instrumentation.apachehttpclient5;

import dev.jmesh.bootstrap.Helpers;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Defines helpers the way the agent's {@code HelperClassLoader} does: in a new loader whose parent is
 * the library's loader, with every {@code dev.jmesh.instrumentation.} class defined by that loader itself
 * from class files. It also refuses Byte Buddy, so a helper that reached for the agent's world (e.g.
 * through the module class) would fail here as it would in the agent.
 */
final class TestHelpers implements Helpers.Factory {
    /**
     * The one factory the tests install: the bridge caches the interceptor per woven class for the life of
     * the JVM, so whichever test weaves first decides which factory made it.
     */
    static final TestHelpers INSTANCE = new TestHelpers();

    final List<Object> created = new CopyOnWriteArrayList<>();

    @Override
    public Object create(String className, ClassLoader libraryLoader) throws Exception {
        Object helper = new HelperLoader(libraryLoader).loadClass(className).getConstructor().newInstance();
        created.add(helper);
        return helper;
    }

    static final class HelperLoader extends ClassLoader {
        private final ClassLoader source;

        HelperLoader(ClassLoader parent) {
            super(parent);
            this.source = parent;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("net.bytebuddy.")) {
                throw new ClassNotFoundException(name + " is not visible to helpers");
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
            try (InputStream in = source.getResourceAsStream(name.replace('.', '/') + ".class")) {
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
