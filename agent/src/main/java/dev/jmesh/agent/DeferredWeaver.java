package dev.jmesh.agent;

import dev.jmesh.bootstrap.AgentLog;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The only transformer registered at premain. It looks at a class's name and nothing else: all but
 * the few target types leave it after one hash lookup, and Byte Buddy is not even loaded until the
 * initializer has built it in the background. A target type that loads before that waits for it
 * (bounded), so no call can slip past the mesh because the application was quick.
 */
final class DeferredWeaver implements ClassFileTransformer {
    private static final long MAX_WAIT_SECONDS = 10;

    /** Target types in the JVM's internal form, e.g. {@code sun/net/www/protocol/http/Handler}. */
    private final Set<String> targets;
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile ClassFileTransformer weaver;
    private volatile Thread initializer;

    DeferredWeaver(Set<String> internalNames) {
        this.targets = internalNames;
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
        if (internalName == null || !targets.contains(internalName) || Thread.currentThread() == initializer) {
            return null;
        }
        try {
            if (!ready.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS)) {
                AgentLog.warnOnce("weaver-timeout", "the agent was not ready after " + MAX_WAIT_SECONDS
                        + "s; " + internalName.replace('/', '.') + " is left untouched");
                return null;
            }
            ClassFileTransformer current = weaver;
            return current == null ? null : current.transform(loader, internalName, redefined, domain, classFile);
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
