package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves the agent's threads never keep an app alive or hide among its threads: while the shop runs with the
 * agent (a service with retries, a watched config file, an access log; all three of its HTTP clients in turn),
 * thread dumps taken with {@code jcmd Thread.print} show that every thread the app does not have without the
 * agent is a daemon named {@code jmesh-*}, that every {@code jmesh-*} thread is a daemon, and that there are no
 * more non-daemon threads than the same app has without the agent.
 *
 * <p>"Threads the app has without the agent" are the kinds of thread (the name without its trailing number:
 * {@code HttpClient-1-Worker-}) in dumps of a run without the agent, taken at the same points of the run (after
 * calls 30, 45 and 60). The agent's own threads are the kinds in every dump with the agent and in none without.
 * Threads that live only for one task do not count as the agent's unless named {@code jmesh-*} (they must be
 * daemons all the same): on a machine with two cores Java 17's {@code CompletableFuture} runs each async step of
 * the JDK {@code HttpClient} on a new thread named {@code Thread-<n>}, with the agent or without. Threads that ran
 * and ended before the first dump (the agent's {@code jmesh-init}, {@code jmesh-config}) are not seen here; they
 * come from the same thread factory as those that are.
 */
class AgentThreadsSmokeTest {
    /** A Java thread's header line: {@code "name" #12 daemon prio=5 ...}; Java 19+ adds {@code [os id]} after the number. */
    private static final Pattern JAVA_THREAD = Pattern.compile("\"(.*)\" #\\d+(?: \\[\\d+])?( daemon)? prio=.*");
    private static final int[] DUMP_AFTER_CALLS = {30, 45, 60};
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    /** A live Java thread as a thread dump shows it. */
    record JavaThread(String name, boolean daemon) {
        /** The name without its trailing number: threads of one pool or factory share it. */
        String kind() {
            return name.replaceFirst("\\d+$", "");
        }

        @Override
        public String toString() {
            return "\"" + name + "\"" + (daemon ? " daemon" : " NON-DAEMON");
        }
    }

    @Test
    void everyAgentThreadIsADaemonNamedJmeshAndTheAgentAddsNoNonDaemonThread() {
        Upstream upstream = Upstream.start(processes, "plain");
        List<List<JavaThread>> without = dumpsOfARunningShop("shop", Shop.noAgent(), upstream.baseUrl());
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    retry: %s
                """.formatted(MeshYaml.endpoints(upstream), MeshYaml.RETRY) + MeshYaml.accessLog(dir.resolve("access.log")));

        List<List<JavaThread>> with = dumpsOfARunningShop("shop+agent", Shop.agent(config), "http://inventory");

        Set<String> appKinds = kinds(without.stream().flatMap(List::stream).toList());
        Map<String, JavaThread> withAgent = new LinkedHashMap<>();
        with.stream().flatMap(List::stream).forEach(t -> withAgent.putIfAbsent(t.name(), t));
        List<JavaThread> added = withAgent.values().stream().filter(t -> !appKinds.contains(t.kind())).toList();
        // Kinds of thread alive at every dump with the agent and at none without: the agent's long-lived threads.
        List<JavaThread> agents = added.stream().filter(t -> with.stream().allMatch(dump -> kinds(dump).contains(t.kind())))
                .toList();
        String context = "\nthe agent's threads (in every dump with the agent, in none without): " + agents
                + "\nall threads not seen without the agent: " + added
                + "\nthread kinds without the agent: " + appKinds
                + "\nthreads with the agent: " + withAgent.values();

        // The dumps do show the agent's threads (an access log and a watched config file run on threads of their own).
        assertTrue(agents.stream().anyMatch(t -> t.name().startsWith("jmesh-access-log-")), "no access-log thread" + context);
        assertTrue(agents.stream().anyMatch(t -> t.name().startsWith("jmesh-scheduler-")), "no scheduler thread" + context);
        for (JavaThread thread : agents) {
            assertTrue(thread.name().startsWith("jmesh-"), "a thread the agent started must be named jmesh-*: "
                    + thread + context);
        }
        for (JavaThread thread : added) {
            assertTrue(thread.daemon(), "a thread the app does not have without the agent must be a daemon: "
                    + thread + context);
        }
        for (JavaThread thread : withAgent.values()) {
            if (thread.name().startsWith("jmesh-")) {
                assertTrue(thread.daemon(), "every jmesh-* thread must be a daemon: " + thread + context);
            }
        }

        // Non-daemon threads keep a JVM alive: with the agent, no kind of them and no more of any kind than without.
        Map<String, Long> allowed = new HashMap<>();
        for (List<JavaThread> dump : without) {
            nonDaemonCounts(dump).forEach((kind, count) -> allowed.merge(kind, count, Math::max));
        }
        assertTrue(allowed.containsKey("main"), "the shop's main thread is a non-daemon thread: " + without);
        for (List<JavaThread> dump : with) {
            nonDaemonCounts(dump).forEach((kind, count) -> assertTrue(count <= allowed.getOrDefault(kind, 0L),
                    count + " non-daemon thread(s) of kind \"" + kind + "\" with the agent, " + allowed.getOrDefault(kind, 0L)
                            + " without: " + dump + "\nnon-daemon kinds without the agent: " + allowed));
        }
    }

    private static Set<String> kinds(List<JavaThread> threads) {
        return threads.stream().map(JavaThread::kind).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Runs the shop (all three clients, a call every 20 ms) against {@code base} and takes a thread dump after each
     * of {@link #DUMP_AFTER_CALLS}; then stops it.
     */
    private List<List<JavaThread>> dumpsOfARunningShop(String name, List<String> jvmArgs, String base) {
        Set<Long> childrenBefore = childPids();
        JavaProcess shop = processes.javaJar(name, jvmArgs, SmokeEnv.shopJar(),
                List.of("--base", base, "--calls", "100000", "--interval-ms", "20", "--client", "all"), null);
        long pid = pidOf(shop, childrenBefore);
        List<List<JavaThread>> dumps = new ArrayList<>();
        for (int call : DUMP_AFTER_CALLS) {
            shop.awaitStdoutLine(Pattern.compile("\\S+ \\S+ GET /items/" + call + " .*"), WAIT);
            List<String> lines = shop.stdoutLines();
            assertTrue(lines.stream().allMatch(l -> l.startsWith("OK ")), "every call so far succeeded\n" + shop.describe());
            dumps.add(threadDump(pid, shop));
        }
        shop.kill();
        return dumps;
    }

    /** {@code jcmd <pid> Thread.print}, with the jcmd of the JDK the shop runs on; its Java threads. */
    private static List<JavaThread> threadDump(long pid, JavaProcess target) {
        JavaProcess jcmd = JavaProcess.start("jcmd-" + pid, List.of(SmokeEnv.jcmd().toString(), String.valueOf(pid), "Thread.print"), null);
        int exit = jcmd.awaitExit(WAIT);
        assertEquals(0, exit, "jcmd failed\n" + jcmd.describe() + "\n" + target.describe());
        List<JavaThread> threads = new ArrayList<>();
        for (String line : jcmd.stdoutLines()) {
            Matcher m = JAVA_THREAD.matcher(line);
            if (m.matches()) {
                threads.add(new JavaThread(m.group(1), m.group(2) != null));
            }
        }
        assertTrue(threads.stream().anyMatch(t -> t.name().equals("main") && !t.daemon()),
                "a thread dump with a non-daemon main thread\n" + jcmd.describe());
        return threads;
    }

    private static Map<String, Long> nonDaemonCounts(List<JavaThread> dump) {
        return dump.stream().filter(t -> !t.daemon())
                .collect(Collectors.groupingBy(JavaThread::kind, TreeMap::new, Collectors.counting()));
    }


    /** The pid of the one process {@code process} started as a child of this JVM since {@code before}. */
    private static long pidOf(JavaProcess process, Set<Long> before) {
        List<Long> started = ProcessHandle.current().children().map(ProcessHandle::pid)
                .filter(pid -> !before.contains(pid)).toList();
        assertEquals(1, started.size(), "exactly one new child process: " + started + "\n" + process.describe());
        return started.get(0);
    }

    private static Set<Long> childPids() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

}
