package dev.jmesh.bootstrap.launcher;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.util.jar.JarFile;

/**
 * Entry points of {@code jmesh-agent.jar}: {@code Premain-Class}, {@code Agent-Class} and
 * {@code Main-Class}. It makes {@code dev.jmesh.bootstrap} visible to every class loader (by appending
 * the agent jar to the bootstrap search path) and starts the agent proper inside an
 * {@link AgentClassLoader}, so that none of the agent's classes or libraries are visible to the
 * application.
 *
 * <p>This class must not touch any other {@code dev.jmesh.bootstrap} class before the jar is on the
 * bootstrap path, or that class would be defined twice.
 */
public final class AgentLauncher {
    private static final String AGENT_CLASS = "dev.jmesh.agent.Agent";
    private static final String CLI_CLASS = "dev.jmesh.agent.cli.Cli";

    private AgentLauncher() {
    }

    public static void premain(String args, Instrumentation inst) {
        start(args, inst);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst);
    }

    public static void main(String[] args) throws Throwable {
        // No premain here, so dev.jmesh.bootstrap is not on the bootstrap path: the tools see it through
        // the loader that ran this class (the jar is the class path of `java -jar`).
        ClassLoader loader = new AgentClassLoader(agentJar(), AgentLauncher.class.getClassLoader());
        try {
            loader.loadClass(CLI_CLASS).getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void start(String args, Instrumentation inst) {
        try {
            File jar = agentJar();
            inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
            ClassLoader loader = new AgentClassLoader(jar, platformLoader());
            loader.loadClass(AGENT_CLASS)
                    .getMethod("start", String.class, Instrumentation.class)
                    .invoke(null, args, inst);
        } catch (Throwable t) {
            Throwable cause = t instanceof InvocationTargetException ? t.getCause() : t;
            // Fail-open: the application starts as if the agent were not there.
            System.err.println("[jmesh] WARN the agent could not start and is inactive; the application runs without it: "
                    + cause);
        }
    }

    private static File agentJar() throws Exception {
        return new File(AgentLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** The platform loader on Java 9+, the extension loader on Java 8: JDK classes, none of the application's. */
    private static ClassLoader platformLoader() {
        return ClassLoader.getSystemClassLoader().getParent();
    }
}
