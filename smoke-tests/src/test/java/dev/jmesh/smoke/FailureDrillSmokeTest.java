package dev.jmesh.smoke;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves fail-open at every stage of the agent: with a test-only switch making config loading, routing,
 * balancing, the policy pipeline or telemetry throw, every client's calls behave exactly as without the
 * agent — same output, same exit code, and each request reaches the upstream exactly once: the JDK's clients
 * in the legacy shop, and every HTTP client library the agent weaves in the library-clients demo. (Servers:
 * {@code InboundSmokeTest.aBrokenEngineLeavesTheServerUntouched}.)
 */
class FailureDrillSmokeTest {
    private static final int CALLS = 12;
    private static final int EXIT_CODE = 3;

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    /**
     * Shared by every test: the upstream (a plain one answers each call the same whatever came before) and the
     * runs without the agent, one per app, which do not depend on the stage drilled.
     */
    @RegisterExtension
    static final ChildProcesses shared = ChildProcesses.forTheWholeClass();
    private static Upstream upstream;
    private static Baseline shopWithout;
    private static Baseline libraryClientsWithout;

    /** A run without the agent and the number of requests it made upstream. */
    private record Baseline(Shop.Run run, long requests) {
        static Baseline of(Supplier<Shop.Run> app) {
            long before = upstream.stats().requests();
            Shop.Run run = app.get();
            return new Baseline(run, upstream.stats().requests() - before);
        }
    }

    @BeforeAll
    static void startTheUpstream() {
        upstream = Upstream.start(shared, "plain");
    }

    @ParameterizedTest(name = "failing at {0}")
    @ValueSource(strings = {"config", "routing", "balancing", "policy", "telemetry"})
    void aFailingStageLeavesEveryCallAsWithoutTheAgent(String stage) {
        if (shopWithout == null) {
            shopWithout = Baseline.of(() -> shop(shared, Shop.noAgent()));
        }
        List<String> agent = drilledAgent(stage);

        long before = upstream.stats().requests();
        Shop.Run with = shop(processes, agent);

        assertAsWithoutTheAgent(shopWithout, with, CALLS, upstream.stats().requests() - before);
        assertTrue(with.jmeshLines().size() <= 3, "a failing stage is reported once, not per call\n" + with.describe());
    }

    /**
     * The same drill for every HTTP client library the agent weaves (OkHttp sync and async, Apache HttpClient 4
     * and 5 classic and async, the JDK's clients), at their newest supported versions, side by side in one app.
     */
    @ParameterizedTest(name = "failing at {0}")
    @ValueSource(strings = {"config", "routing", "balancing", "policy", "telemetry"})
    void aFailingStageLeavesEveryLibraryClientsCallsAsWithoutTheAgent(String stage) {
        if (libraryClientsWithout == null) {
            libraryClientsWithout = Baseline.of(() -> libraryClients(shared, List.of()));
        }
        List<String> agent = drilledAgent(stage);

        long before = upstream.stats().requests();
        Shop.Run with = libraryClients(processes, agent);

        assertAsWithoutTheAgent(libraryClientsWithout, with, 2 * LIBRARY_CLIENTS.size(),
                upstream.stats().requests() - before);
    }

    private static final LibraryClientsSmokeTest.VersionSet LIBRARIES = LibraryClientsSmokeTest.VersionSet.NEWEST;
    private static final List<String> LIBRARY_CLIENTS = libraryClientNames();

    private static List<String> libraryClientNames() {
        List<String> clients = new ArrayList<>(LIBRARIES.clients());
        clients.addAll(List.of("jdk", "jdk-async", "huc"));
        return List.copyOf(clients);
    }

    /** The agent with the upstream's own address as a service, so that calls go through the whole pipeline. */
    private List<String> drilledAgent(String stage) {
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  "127.0.0.1":
                    endpoints: %s
                    timeout: 2s
                    retry: %s
                """.formatted(MeshYaml.endpoints(upstream), MeshYaml.RETRY) + MeshYaml.accessLog(dir.resolve("access.log")));
        List<String> agent = new ArrayList<>(Shop.agent(config));
        agent.add("-Djmesh.agent.test.failAt=" + stage);
        return agent;
    }

    /** Same output and exit code as without the agent, each request sent once, and the drill reported. */
    private static void assertAsWithoutTheAgent(Baseline without, Shop.Run with, int calls, long requestsWith) {
        assertEquals(EXIT_CODE, with.exitCode(), with.describe());
        assertArrayEquals(without.run().stdoutBytes(), with.stdoutBytes(), () -> "stdout differs from the run without"
                + " the agent\n--- without:\n" + new String(without.run().stdoutBytes(), StandardCharsets.UTF_8)
                + with.describe());
        assertEquals("SUMMARY ok=" + calls + " failed=0", with.lines().get(with.lines().size() - 1), with.describe());
        assertEquals(without.requests(), requestsWith,
                "each call reached the upstream exactly once, as without the agent\n" + with.describe());
        assertTrue(!with.jmeshLines().isEmpty(), "the drill fired and was reported\n" + with.describe());
        assertTrue(with.jmeshLines().stream().allMatch(l -> l.startsWith("[jmesh] WARN")), with.describe());
    }

    private static Shop.Run libraryClients(ChildProcesses processes, List<String> jvmArgs) {
        List<String> args = List.of("--base", upstream.baseUrl(), "--calls", String.valueOf(2 * LIBRARY_CLIENTS.size()),
                "--client", String.join(",", LIBRARY_CLIENTS), "--post-every", "4", "--exit-code",
                String.valueOf(EXIT_CODE));
        JavaProcess process = processes.javaMain("library-clients" + (jvmArgs.isEmpty() ? "" : "+agent"), jvmArgs,
                LIBRARIES.classPath(), LibraryClientsSmokeTest.MAIN_CLASS, args, null);
        return new Shop.Run(process, process.awaitExit(Shop.TIMEOUT));
    }

    private static Shop.Run shop(ChildProcesses processes, List<String> jvmArgs) {
        return Shop.run(processes, jvmArgs, "--base", upstream.baseUrl(), "--calls", String.valueOf(CALLS),
                "--post-every", "4", "--exit-code", String.valueOf(EXIT_CODE));
    }
}
