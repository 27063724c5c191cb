package dev.jmesh.smoke;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Starts the JVMs of one test and kills whatever is still running after it, pass or fail. Register as
 * an instance field: {@code @RegisterExtension final ChildProcesses processes = new ChildProcesses();}.
 * For processes the tests of a class share (an upstream that keeps no state between calls), register
 * {@link #forTheWholeClass()} as a static field: those are killed after the class's last test.
 * A shutdown hook kills leftovers too, should the test JVM itself be stopped mid-test.
 */
final class ChildProcesses implements AfterEachCallback, AfterAllCallback {
    private static final Set<JavaProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(JavaProcess::kill), "smoke-kill-children"));
    }

    private final List<JavaProcess> mine = new ArrayList<>();
    private final boolean wholeClass;

    ChildProcesses() {
        this(false);
    }

    private ChildProcesses(boolean wholeClass) {
        this.wholeClass = wholeClass;
    }

    /** Processes that live until the last test of the class has run (register as a static field). */
    static ChildProcesses forTheWholeClass() {
        return new ChildProcesses(true);
    }

    /** {@code java <jvmArgs...> -jar <jar> <args...>} on the JVM chosen with {@code -Djmesh.test.java}. */
    synchronized JavaProcess javaJar(String name, List<String> jvmArgs, Path jar, List<String> args, Path workDir) {
        List<String> command = new ArrayList<>();
        command.add(SmokeEnv.java().toString());
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        JavaProcess process = JavaProcess.start(name, command, workDir);
        mine.add(process);
        LIVE.add(process);
        return process;
    }

    /**
     * {@code java <jvmArgs...> -cp <classPath> <mainClass> <args...>} on the JVM chosen with
     * {@code -Djmesh.test.java}: an app whose libraries are not bundled in its jar.
     */
    synchronized JavaProcess javaMain(String name, List<String> jvmArgs, List<Path> classPath, String mainClass,
                                      List<String> args, Path workDir) {
        List<String> command = new ArrayList<>();
        command.add(SmokeEnv.java().toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classPath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        command.add(mainClass);
        command.addAll(args);
        JavaProcess process = JavaProcess.start(name, command, workDir);
        mine.add(process);
        LIVE.add(process);
        return process;
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) {
        if (!wholeClass) {
            killAll();
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        killAll();
    }

    private void killAll() {
        for (JavaProcess process : mine) {
            if (process.isAlive()) {
                process.kill();
            }
            LIVE.remove(process);
        }
        mine.clear();
    }
}
