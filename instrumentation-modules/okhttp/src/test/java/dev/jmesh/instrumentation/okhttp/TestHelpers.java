package dev.jmesh.instrumentation.okhttp;

import dev.jmesh.bootstrap.Helpers;

import java.io.IOException;
import java.io.InputStream;

/**
 * Does in tests what the agent's helper loader does: defines the module's {@code dev.jmesh.instrumentation}
 * classes afresh in a small loader whose parent is the library's loader, one loader per helper.
 */
final class TestHelpers {
    private TestHelpers() {
    }

    static Helpers.Factory factory() {
        return (className, libraryLoader) -> new HelperLoader(libraryLoader).loadClass(className)
                .getConstructor().newInstance();
    }

    static final class HelperLoader extends ClassLoader {
        HelperLoader(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("dev.jmesh.instrumentation.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        byte[] bytes = in.readAllBytes();
                        loaded = defineClass(name, bytes, 0, bytes.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }
    }
}
