package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves W3C trace propagation: every attempt of a logical call reaches the upstream with a
 * {@code traceparent} that carries the trace id the access log shows for that call, and a span id of its
 * own, for each JDK client.
 */
class TraceSmokeTest {
    private static final Pattern LINE = Pattern.compile("(\\S+) (\\S+) 00-([0-9a-f]{32})-([0-9a-f]{16})-01");

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void everyAttemptCarriesTheCallsTraceId() throws IOException {
        Path traceLog = dir.resolve("received.txt");
        Upstream upstream = Upstream.start(processes, "traced", "--fail-503", "0.3", "--seed", "9",
                "--trace-log", traceLog.toString());
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    retry: %s
                """.formatted(MeshYaml.endpoints(upstream), MeshYaml.RETRY) + MeshYaml.accessLog(accessLog));

        Shop.Run run = Shop.run(processes, Shop.agent(config), "--base", "http://inventory", "--calls", "30");

        assertEquals("SUMMARY ok=30 failed=0", run.lines().get(run.lines().size() - 1), run.describe());
        Map<String, Integer> attemptsPerTrace = new HashMap<>();
        Set<String> spans = new HashSet<>();
        List<String> received = Files.readAllLines(traceLog);
        for (String line : received) {
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), "every request carries a version-00 traceparent: " + line);
            attemptsPerTrace.merge(m.group(3), 1, Integer::sum);
            assertTrue(spans.add(m.group(4)), "each attempt has a span id of its own: " + line);
        }
        var entries = AccessLogFile.read(accessLog);
        assertEquals(30, entries.size());
        long retried = 0;
        for (var e : entries) {
            String traceId = e.text("trace_id");
            assertEquals(e.attempts(), (long) attemptsPerTrace.getOrDefault(traceId, 0),
                    "the upstream saw each attempt of this call under its trace id: " + e.line());
            retried += e.attempts() > 1 ? 1 : 0;
        }
        assertTrue(retried > 0, "some calls were retried, so traces with several attempts were checked");
        assertEquals(entries.size(), attemptsPerTrace.size(), "one trace per logical call");
    }
}
