package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves that a mesh can be given without a file: as {@code -Djmesh.*} properties alone, or as an inline
 * document, and that a property overrides the file it sits beside.
 */
class OverridesSmokeTest {

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void systemPropertiesAloneDefineAService() {
        Upstream upstream = Upstream.start(processes, "plain");
        Path accessLog = dir.resolve("access.log");

        Shop.Run run = Shop.run(processes, List.of("-javaagent:" + SmokeEnv.agentJar(),
                        "-Djmesh.services.inventory.endpoints=" + upstream.address(),
                        "-Djmesh.telemetry.accessLog.path=" + accessLog),
                "--base", "http://inventory", "--calls", "6");

        assertEquals("SUMMARY ok=6 failed=0", run.lines().get(run.lines().size() - 1), run.describe());
        assertEquals(List.of(), run.jmeshLines(), run.describe());
        var entries = AccessLogFile.read(accessLog);
        assertEquals(6, entries.size());
        assertTrue(entries.stream().allMatch(e -> "inventory".equals(e.service())
                && upstream.address().equals(e.upstream())), entries.toString());
        assertTrue(entries.stream().allMatch(e -> e.caller() != null && e.caller().startsWith("dev.jmesh.demo.shop.")),
                "each line names the shop's calling frame: " + entries);
    }

    @Test
    void anAccessLogWithoutTheCallerNamesNoFrame() {
        Upstream upstream = Upstream.start(processes, "plain");
        Path accessLog = dir.resolve("access.log");

        Shop.Run run = Shop.run(processes, List.of("-javaagent:" + SmokeEnv.agentJar(),
                        "-Djmesh.services.inventory.endpoints=" + upstream.address(),
                        "-Djmesh.telemetry.accessLog.path=" + accessLog,
                        "-Djmesh.telemetry.accessLog.caller=false"),
                "--base", "http://inventory", "--calls", "3");

        assertEquals("SUMMARY ok=3 failed=0", run.lines().get(run.lines().size() - 1), run.describe());
        assertEquals(List.of(), run.jmeshLines(), run.describe());
        var entries = AccessLogFile.read(accessLog);
        assertEquals(3, entries.size());
        assertTrue(entries.stream().allMatch(e -> e.caller() == null), "caller: false: " + entries);
    }

    @Test
    void anInlineDocumentWorksLikeAFileAndAPropertyOverridesIt() {
        Upstream wrong = Upstream.start(processes, "wrong");
        Upstream right = Upstream.start(processes, "right");
        String inline = "{\"services\": {\"inventory\": {\"endpoints\": [\"" + wrong.address() + "\"]}}}";

        Shop.Run run = Shop.run(processes, List.of("-javaagent:" + SmokeEnv.agentJar(),
                        "-Djmesh.config.inline=" + inline,
                        "-Djmesh.services.inventory.endpoints=" + right.address()),
                "--base", "http://inventory", "--calls", "4");

        assertEquals("SUMMARY ok=4 failed=0", run.lines().get(run.lines().size() - 1), run.describe());
        assertEquals(4, right.stats().requests(), "the property's endpoint wins over the document's");
        assertEquals(0, wrong.stats().requests());
    }

    @Test
    void aBadOverrideIsReportedWithItsNameAndTheAppRunsAsPassThrough() {
        Upstream upstream = Upstream.start(processes, "plain");

        Shop.Run run = Shop.run(processes, List.of("-javaagent:" + SmokeEnv.agentJar(),
                        "-Djmesh.services.inventory.endpoints=" + upstream.address(),
                        "-Djmesh.services.inventory.timout=1s"),
                "--base", upstream.baseUrl(), "--calls", "3", "--exit-code", "5");

        assertEquals(5, run.exitCode(), run.describe());
        assertEquals("SUMMARY ok=3 failed=0", run.lines().get(run.lines().size() - 1), run.describe());
        List<String> jmesh = run.jmeshLines();
        assertEquals(1, jmesh.size(), run.describe());
        assertTrue(jmesh.get(0).contains("-Djmesh.services.inventory.timout:1:1:")
                && jmesh.get(0).contains("did you mean 'timeout'"), jmesh.get(0));
    }
}
