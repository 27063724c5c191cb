package dev.jmesh.instrumentation.apachehttpclient4;

import dev.jmesh.bootstrap.Helpers;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the agent's HelperClassLoader does, for tests: defines {@code dev.jmesh.instrumentation..} classes
 * afresh in a child of the library's loader (here the test class path), and refuses what a helper must
 * not use at run time (Byte Buddy, the agent), so a helper that reaches for them fails the tests.
 */
final class TestHelperLoader extends ClassLoader {
    /** Every helper the factory created, in order. */
    static final List<Object> CREATED = new CopyOnWriteArrayList<>();

    TestHelperLoader(ClassLoader libraryLoader) {
        super(libraryLoader);
    }

    static Helpers.Factory factory() {
        return (className, libraryLoader) -> {
            Object helper = new TestHelperLoader(libraryLoader).loadClass(className).getConstructor().newInstance();
            CREATED.add(helper);
            return helper;
        };
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
