package dev.jmesh.smoke;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves fail-open: calls to hosts that are not mesh services, a missing config file and a broken config
 * leave the app's output and exit code byte-for-byte unchanged, and a bad config is reported in one
 * {@code [jmesh]} line that says where the problem is.
 */
class FailOpenSmokeTest {
    private static final int CALLS = 30;
    private static final int EXIT_CODE = 7;
    private static final Pattern JVM_CDS_NOTE = Pattern.compile(
            ".* VM warning: Sharing is only supported for boot loader classes because bootstrap classpath has been appended");

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    /**
     * Shared by every test: the upstream (a plain one answers each call the same whatever came before) and the
     * run without the agent that each test's run with the agent must match byte for byte.
     */
    @RegisterExtension
    static final ChildProcesses shared = ChildProcesses.forTheWholeClass();
    private static Upstream upstream;
    private static Shop.Run without;

    @BeforeAll
    static void runTheShopWithoutTheAgent() {
        upstream = Upstream.start(shared, "plain");
        without = shop(shared, Shop.noAgent());
    }

    @TempDir
    Path dir;

    @Test
    void callsToOtherHostsPassThroughUntouchedAndAreLogged() {
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    retry: %s
                """.formatted(MeshYaml.endpoints(upstream), MeshYaml.RETRY) + MeshYaml.accessLog(accessLog));

        Shop.Run with = shop(processes, Shop.agent(config));

        assertSameAsWithoutAgent(without, with);
        assertEquals(List.of(), with.jmeshLines(), with.describe());
        var entries = AccessLogFile.read(accessLog);
        assertEquals(CALLS, entries.size(), "pass-through calls are logged too");
        assertEquals(IntStream.range(0, CALLS).mapToObj(i -> "/items/" + i).collect(Collectors.toSet()),
                entries.stream().map(AccessLogFile.Entry::path).collect(Collectors.toSet()));
        for (var e : entries) {
            assertEquals(null, e.service(), "not a mesh service: " + e.line());
            assertEquals("outbound", e.direction(), e.line());
            assertEquals("GET", e.method(), e.line());
            assertEquals(upstream.address(), e.authority(), e.line());
            assertEquals(upstream.address(), e.upstream(), e.line());
            assertEquals(200L, e.status(), e.line());
            assertEquals(1L, e.attempts(), e.line());
            assertEquals(List.of(), e.flags(), e.line());
        }
    }

    @Test
    void aMissingConfigFileIsReportedOnceAndTheAppRunsUntouched() {
        Path missing = dir.resolve("no-such-mesh.yaml");

        Shop.Run with = shop(processes, Shop.agent(missing));

        assertSameAsWithoutAgent(without, with);
        List<String> jmesh = with.jmeshLines();
        assertEquals(1, jmesh.size(), "exactly one [jmesh] line\n" + with.describe());
        assertTrue(jmesh.get(0).contains(missing.toString()), "the line names the missing file: " + jmesh.get(0));
    }

    @Test
    void anUnknownKeyIsReportedWithItsPositionAndTheAppRunsUntouched() {
        assertBrokenConfigIsReported("""
                services:
                  inventory:
                    endpoints: ["127.0.0.1:1"]
                    timout: 2s
                """, 4, 5, "timout");
    }

    @Test
    void aYamlSyntaxErrorIsReportedWithItsPositionAndTheAppRunsUntouched() {
        // The flow sequence on line 3 is never closed; the parser notices at the next key (4:5).
        assertBrokenConfigIsReported("""
                services:
                  inventory:
                    endpoints: ["127.0.0.1:1"
                    timeout: 2s
                """, 4, 5, "syntax");
    }

    /**
     * Issue #11: an agent jar with a part that cannot be read (lost at download, cut by a proxy) must not take the
     * app down, whichever part it is: the launcher's first class, the engine, or a relocated library the policies
     * need. One [jmesh] line, and the app runs exactly as without the agent.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            "inst/dev/jmesh/agent/Agent.classdata",
            "inst/dev/jmesh/agent/engine/MeshEngineImpl.classdata",
            "inst/dev/jmesh/shaded/failsafe/internal/CircuitBreakerImpl.classdata"})
    void anAgentJarWithAnUnreadablePartLeavesTheAppUntouched(String brokenEntry) throws java.io.IOException {
        Path jar = dir.resolve("jmesh-agent.jar");
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(SmokeEnv.agentJar()));
             var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
            boolean found = false;
            for (var entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                out.putNextEntry(new java.util.zip.ZipEntry(entry.getName()));
                if (entry.getName().equals(brokenEntry)) {
                    found = true;
                    out.write(new byte[] {(byte) 0xCA, (byte) 0xFE, 0, 0}); // a truncated class
                } else {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
            assertTrue(found, brokenEntry + " is not in the agent jar");
        }
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  unused:
                    endpoints: ["127.0.0.1:1"]
                    circuitBreaker: { minimumCalls: 5 }
                """);

        Shop.Run with = shop(processes, List.of("-javaagent:" + jar, "-Djmesh.config=" + config));

        assertSameAsWithoutAgent(without, with);
        List<String> jmesh = with.jmeshLines();
        assertEquals(1, jmesh.size(), "exactly one [jmesh] line\n" + with.describe());
        assertTrue(jmesh.get(0).contains("the application runs without it"), jmesh.get(0));
    }

    private void assertBrokenConfigIsReported(String yaml, int line, int column, String mentions) {
        Path accessLog = dir.resolve("access.log");
        // An access log that must never appear: a config that does not load is not applied at all.
        Path config = MeshYaml.write(dir, "mesh.yaml", yaml + MeshYaml.accessLog(accessLog));

        Shop.Run with = shop(processes, Shop.agent(config));

        assertSameAsWithoutAgent(without, with);
        List<String> jmesh = with.jmeshLines();
        assertEquals(1, jmesh.size(), "exactly one [jmesh] line\n" + with.describe());
        String position = config + ":" + line + ":" + column + ":";
        assertTrue(jmesh.get(0).contains(position), "the line must contain " + position + ": " + jmesh.get(0));
        assertTrue(jmesh.get(0).contains(mentions), "the line must mention " + mentions + ": " + jmesh.get(0));
        assertFalse(Files.exists(accessLog), "a config that was not applied must not open its access log");
    }

    private static Shop.Run shop(ChildProcesses processes, List<String> jvmArgs) {
        return Shop.run(processes, jvmArgs, "--base", upstream.baseUrl(), "--calls", String.valueOf(CALLS),
                "--exit-code", String.valueOf(EXIT_CODE));
    }

    private static void assertSameAsWithoutAgent(Shop.Run without, Shop.Run with) {
        assertEquals(EXIT_CODE, without.exitCode(), without.describe());
        assertEquals("SUMMARY ok=" + CALLS + " failed=0", without.lines().get(without.lines().size() - 1),
                without.describe());
        assertEquals(EXIT_CODE, with.exitCode(), with.describe());
        assertArrayEquals(without.stdoutBytes(), with.stdoutBytes(), () -> "stdout differs from the run without the agent"
                + "\n--- without:\n" + new String(without.stdoutBytes(), StandardCharsets.UTF_8) + with.describe());
        // stderr too, but for the agent's own [jmesh] lines and the JVM's note that -javaagent appended
        // to the boot class path (printed by the JVM whenever an agent does that).
        List<String> added = with.process().stderrLines().stream()
                .filter(line -> !line.startsWith("[jmesh]") && !JVM_CDS_NOTE.matcher(line).matches())
                .toList();
        assertEquals(without.process().stderrLines(), added, "the agent must add nothing else to stderr\n" + with.describe());
    }
}
