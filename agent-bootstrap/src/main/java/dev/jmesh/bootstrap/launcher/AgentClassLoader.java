package dev.jmesh.bootstrap.launcher;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads the agent's own classes and its shaded libraries from the {@code inst/} folder of the agent
 * jar, where they are stored as {@code .classdata} so that no other class loader (and no class path
 * scanner) can find them. Its parent is the platform loader: the agent sees the JDK and
 * {@code dev.jmesh.bootstrap}, never the application's classes.
 */
final class AgentClassLoader extends ClassLoader {
    static final String PREFIX = "inst/";
    private static final String CLASS_SUFFIX = ".classdata";

    static {
        registerAsParallelCapable();
    }

    private final JarFile jar;
    private final String jarUrl;
    private final ProtectionDomain domain;

    AgentClassLoader(File agentJar, ClassLoader parent) throws IOException {
        super(parent);
        this.jar = new JarFile(agentJar, false);
        URL location = agentJar.toURI().toURL();
        this.jarUrl = "jar:" + location + "!/";
        this.domain = new ProtectionDomain(new CodeSource(location, (Certificate[]) null), null, this, null);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        JarEntry entry = jar.getJarEntry(PREFIX + name.replace('.', '/') + CLASS_SUFFIX);
        if (entry == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] bytes;
        try {
            bytes = read(entry);
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
        definePackageFor(name);
        return defineClass(name, bytes, 0, bytes.length, domain);
    }

    @Override
    protected URL findResource(String name) {
        JarEntry entry = jar.getJarEntry(entryName(name));
        if (entry == null) {
            return null;
        }
        try {
            return new URL(jarUrl + entry.getName());
        } catch (MalformedURLException e) {
            return null;
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL url = findResource(name);
        return url == null ? Collections.<URL>emptyEnumeration() : Collections.enumeration(Collections.singleton(url));
    }

    @Override
    public InputStream getResourceAsStream(String name) {
        // Read straight from the open jar: cheaper than a jar: URL connection, and Byte Buddy reads
        // every advice class this way at start-up.
        JarEntry entry = jar.getJarEntry(entryName(name));
        if (entry != null) {
            try {
                return jar.getInputStream(entry);
            } catch (IOException e) {
                return null;
            }
        }
        return super.getResourceAsStream(name);
    }

    private static String entryName(String resource) {
        return resource.endsWith(".class")
                ? PREFIX + resource.substring(0, resource.length() - ".class".length()) + CLASS_SUFFIX
                : PREFIX + resource;
    }

    private void definePackageFor(String className) {
        int dot = className.lastIndexOf('.');
        if (dot < 0) {
            return;
        }
        String pkg = className.substring(0, dot);
        if (getPackage(pkg) == null) {
            try {
                definePackage(pkg, null, null, null, null, null, null, null);
            } catch (IllegalArgumentException alreadyDefinedConcurrently) {
                // another thread won the race; the package exists, which is all we need
            }
        }
    }

    private byte[] read(JarEntry entry) throws IOException {
        try (InputStream in = jar.getInputStream(entry)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(entry.getSize() > 0 ? (int) entry.getSize() : 4096);
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) != -1) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }
}
