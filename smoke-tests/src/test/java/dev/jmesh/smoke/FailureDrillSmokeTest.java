package dev.jmesh.smoke;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    @ParameterizedTest(name = "failing at {0}")
    @ValueSource(strings = {"config", "routing", "balancing", "policy", "telemetry"})
    void aFailingStageLeavesEveryCallAsWithoutTheAgent(String stage) {
        Upstream upstream = Upstream.start(processes, "plain");
        Shop.Run without = shop(upstream, Shop.noAgent());
        long requestsWithout = upstream.stats().requests();
        List<String> agent = drilledAgent(upstream, stage);

        Shop.Run with = shop(upstream, agent);

        assertAsWithoutTheAgent(without, with, CALLS, upstream, requestsWithout);
        assertTrue(with.jmeshLines().size() <= 3, "a failing stage is reported once, not per call\n" + with.describe());
    }

    /**
     * The same drill for every HTTP client library the agent weaves (OkHttp sync and async, Apache HttpClient 4
     * and 5 classic and async, the JDK's clients), at their newest supported versions, side by side in one app.
     */
    @ParameterizedTest(name = "failing at {0}")
    @ValueSource(strings = {"config", "routing", "balancing", "policy", "telemetry"})
    void aFailingStageLeavesEveryLibraryClientsCallsAsWithoutTheAgent(String stage) {
        Upstream upstream = Upstream.start(processes, "plain");
        LibraryClientsSmokeTest.VersionSet libraries = LibraryClientsSmokeTest.VersionSet.NEWEST;
        List<String> clients = new ArrayList<>(libraries.clients());
        clients.addAll(List.of("jdk", "jdk-async", "huc"));
        int calls = 2 * clients.size();
        List<String> args = List.of("--base", upstream.baseUrl(), "--calls", String.valueOf(calls),
                "--client", String.join(",", clients), "--post-every", "4", "--exit-code", String.valueOf(EXIT_CODE));
        Shop.Run without = libraryClients(libraries, List.of(), args);
        long requestsWithout = upstream.stats().requests();
        List<String> agent = drilledAgent(upstream, stage);

        Shop.Run with = libraryClients(libraries, agent, args);

        assertAsWithoutTheAgent(without, with, calls, upstream, requestsWithout);
    }

    /** The agent with the upstream's own address as a service, so that calls go through the whole pipeline. */
    private List<String> drilledAgent(Upstream upstream, String stage) {
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
    private static void assertAsWithoutTheAgent(Shop.Run without, Shop.Run with, int calls, Upstream upstream,
                                                long requestsWithout) {
        assertEquals(EXIT_CODE, with.exitCode(), with.describe());
        assertArrayEquals(without.stdoutBytes(), with.stdoutBytes(), () -> "stdout differs from the run without the agent"
                + "\n--- without:\n" + new String(without.stdoutBytes(), StandardCharsets.UTF_8) + with.describe());
        assertEquals("SUMMARY ok=" + calls + " failed=0", with.lines().get(with.lines().size() - 1), with.describe());
        assertEquals(requestsWithout, upstream.stats().requests() - requestsWithout,
                "each call reached the upstream exactly once, as without the agent\n" + with.describe());
        assertTrue(!with.jmeshLines().isEmpty(), "the drill fired and was reported\n" + with.describe());
        assertTrue(with.jmeshLines().stream().allMatch(l -> l.startsWith("[jmesh] WARN")), with.describe());
    }

    private Shop.Run libraryClients(LibraryClientsSmokeTest.VersionSet libraries, List<String> jvmArgs, List<String> args) {
        JavaProcess process = processes.javaMain("library-clients" + (jvmArgs.isEmpty() ? "" : "+agent"), jvmArgs,
                libraries.classPath(), LibraryClientsSmokeTest.MAIN_CLASS, args, null);
        return new Shop.Run(process, process.awaitExit(Shop.TIMEOUT));
    }

    private Shop.Run shop(Upstream upstream, List<String> jvmArgs) {
        return Shop.run(processes, jvmArgs, "--base", upstream.baseUrl(), "--calls", String.valueOf(CALLS),
                "--post-every", "4", "--exit-code", String.valueOf(EXIT_CODE));
    }
}
