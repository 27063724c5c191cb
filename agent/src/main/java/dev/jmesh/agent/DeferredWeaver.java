package dev.jmesh.agent;

import dev.jmesh.bootstrap.AgentLog;

import java.lang.instrument.ClassFileTransformer;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The only transformer registered at premain. It looks at a class's name and nothing else: all but
 * the few target types leave it after one hash lookup, and Byte Buddy is not even loaded until the
 * initializer has built it in the background. A target type that loads before that waits for it
 * (bounded), so no call can slip past the mesh because the application was quick.
 *
 * <p>Modules that weave implementations of an interface ({@code InstrumentationModule.superTypes()}, e.g. every
 * {@code java.sql.Driver}) cannot name their classes. For them a class outside the JDK and jmesh is a candidate
 * when its constant pool names one of the interfaces as a class ({@link #classEntry}): every class that declares
 * it implements one does (drivers and pools re-declare the interfaces on their concrete classes), and so does
 * code that calls its methods. Only candidates reach Byte Buddy, whose matcher then checks the real type
 * hierarchy; every other class costs one {@code String.indexOf} over its bytes.
 */
final class DeferredWeaver implements ClassFileTransformer {
    private static final long MAX_WAIT_SECONDS = 10;

    /** Target types in the JVM's internal form, e.g. {@code sun/net/www/protocol/http/Handler}. */
    private final Set<String> targets;
    /** Constant-pool entries ({@link #classEntry}) that make a class a candidate; empty: names only. */
    private final String[] markers;
    private final AtomicLong scanned = new AtomicLong();
    private final AtomicLong scanNanos = new AtomicLong();
    private final AtomicLong candidates = new AtomicLong();
    private final AtomicLong candidateNanos = new AtomicLong();
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile ClassFileTransformer weaver;
    private volatile Thread initializer;

    DeferredWeaver(Set<String> internalNames) {
        this(internalNames, java.util.Collections.<String>emptyList());
    }

    /** @param superTypes binary names of interfaces whose implementations are woven */
    DeferredWeaver(Set<String> internalNames, Collection<String> superTypes) {
        this.targets = internalNames;
        Set<String> markers = new LinkedHashSet<String>();
        for (String type : superTypes) {
            markers.add(classEntry(type.replace('.', '/')));
        }
        this.markers = markers.toArray(new String[0]);
    }

    /**
     * The constant-pool entry naming {@code internalName}, as Latin-1 text: tag 1 (UTF8), the length (u2), the name.
     * A class has it when it names that type itself (implements it, or calls its methods), not merely when a method
     * descriptor mentions it ({@code Ljava/sql/Statement;} is a different entry).
     */
    static String classEntry(String internalName) {
        int length = internalName.length();
        return new StringBuilder(length + 3).append('\u0001').append((char) (length >> 8))
                .append((char) (length & 0xff)).append(internalName).toString();
    }

    /** Scan statistics for {@code -Djmesh.debug}: classes scanned, time spent, candidates found. */
    String scanStatistics() {
        return markers.length == 0 ? "no interface scan" : scanned.get() + " classes scanned for "
                + "interface implementations in " + scanNanos.get() / 1_000_000 + "ms, " + candidates.get()
                + " candidates matched and woven in " + candidateNanos.get() / 1_000_000 + "ms";
    }

    /** Whether a class might implement one of the super types: it is outside the JDK and mentions their package. */
    private boolean isCandidate(ClassLoader loader, String internalName, byte[] classFile) {
        if (markers.length == 0 || loader == null || classFile == null || internalName.startsWith("java/")
                || internalName.startsWith("javax/") || internalName.startsWith("jdk/")
                || internalName.startsWith("sun/") || internalName.startsWith("com/sun/")
                || internalName.startsWith("dev/jmesh/")) {
            return false;
        }
        long started = System.nanoTime();
        // One Latin-1 copy, then String.indexOf: already compiled by the time the app loads classes (the JDK
        // uses it from the start) and vectorised, unlike a byte loop of our own, which would run interpreted
        // for the first thousands of classes.
        String text = new String(classFile, StandardCharsets.ISO_8859_1);
        boolean found = false;
        for (String marker : markers) {
            if (text.indexOf(marker) >= 0) {
                found = true;
                break;
            }
        }
        scanNanos.addAndGet(System.nanoTime() - started);
        scanned.incrementAndGet();
        if (found) {
            candidates.incrementAndGet();
        }
        return found;
    }

    boolean isTarget(String binaryName) {
        return targets.contains(binaryName.replace('.', '/'));
    }

    /** The thread that builds the weaver: a target it loads itself is woven by retransformation later. */
    void initializingOn(Thread thread) {
        initializer = thread;
    }

    /** Hands over the real weaver, or null when initialisation failed (targets then stay untouched). */
    void ready(ClassFileTransformer value) {
        weaver = value;
        initializer = null; // from now on the initializer's own retransformations must be woven too
        ready.countDown();
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> redefined,
                            ProtectionDomain domain, byte[] classFile) {
        if (internalName == null || Thread.currentThread() == initializer) {
            return null;
        }
        boolean candidate = !targets.contains(internalName);
        if (candidate && !isCandidate(loader, internalName, classFile)) {
            return null;
        }
        try {
            if (!ready.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS)) {
                AgentLog.warnOnce("weaver-timeout", "the agent was not ready after " + MAX_WAIT_SECONDS
                        + "s; " + internalName.replace('/', '.') + " is left untouched");
                return null;
            }
            ClassFileTransformer current = weaver;
            if (current == null) {
                return null;
            }
            long started = System.nanoTime();
            try {
                return current.transform(loader, internalName, redefined, domain, classFile);
            } finally {
                if (candidate) {
                    candidateNanos.addAndGet(System.nanoTime() - started);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Throwable t) {
            AgentLog.warnOnce("weave:" + internalName, "could not instrument " + internalName.replace('/', '.')
                    + "; its calls pass through untouched: " + t);
            return null;
        }
    }
}
