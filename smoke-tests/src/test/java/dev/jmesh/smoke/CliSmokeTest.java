package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves {@code java -jar jmesh-agent.jar validate FILE} exits 1 listing every problem of a broken config
 * as {@code file:line:col: message} at the right place, and exits 0 for a valid one; and that
 * {@code explain FILE URL} shows the service, endpoints and each policy with the origin of its value.
 */
class CliSmokeTest {

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void validateListsEveryProblemWithItsPosition() {
        List<String> yaml = List.of(
                "services:",
                "  inventory:",
                "    endpoints: [\"127.0.0.1:8080\", \"127.0.0.1:notaport\"]",
                "    loadBalancer: fastest",
                "    timeout: 2 seconds",
                "    retry: { maxAttempts: 0, perTryTimeout: 500ms }",
                "    timout: 1s");
        Path file = MeshYaml.write(dir, "broken.yaml", String.join("\n", yaml) + "\n");
        // Where each problem is, found in the text itself (1-based line and column).
        List<String> expected = List.of(
                position(yaml, 3, "\"127.0.0.1:notaport\""),
                position(yaml, 4, "fastest"),
                position(yaml, 5, "2 seconds"),
                position(yaml, 6, "0,"),
                position(yaml, 7, "timout"));

        JavaProcess validate = validate(file);

        assertEquals(1, validate.awaitExit(Duration.ofSeconds(60)), validate.describe());
        Pattern problem = Pattern.compile(Pattern.quote(file.toString()) + ":(\\d+):(\\d+): (.+)");
        List<String> found = new ArrayList<>();
        for (String line : output(validate)) {
            Matcher m = problem.matcher(line);
            if (m.matches()) {
                found.add(m.group(1) + ":" + m.group(2));
            }
        }
        assertEquals(expected, found, "one file:line:col: message per problem, in document order\n" + validate.describe());
        String text = validate.stdout() + validate.stderr();
        for (String mentioned : List.of("notaport", "fastest", "2 seconds", "maxAttempts", "timout")) {
            assertTrue(text.contains(mentioned), "the messages mention " + mentioned + "\n" + validate.describe());
        }
    }

    @Test
    void validateAcceptsAValidFile() {
        Path file = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: ["127.0.0.1:8080", "127.0.0.1:8081"]
                    loadBalancer: round_robin
                    timeout: 2s
                    retry: %s
                    circuitBreaker: { failureRateThreshold: 50%%, minimumCalls: 5, window: 10s, openDuration: 30s, halfOpenCalls: 2 }
                """.formatted(MeshYaml.RETRY) + MeshYaml.accessLog(dir.resolve("access.log")));

        JavaProcess validate = validate(file);

        assertEquals(0, validate.awaitExit(Duration.ofSeconds(60)), validate.describe());
        assertTrue(output(validate).stream().noneMatch(l -> l.matches(".*:\\d+:\\d+: .*")),
                "no problems expected\n" + validate.describe());
    }

    @Test
    void explainShowsTheServiceEndpointsAndEveryPolicyWithWhereItsValueCameFrom() {
        List<String> yaml = List.of(
                "services:",
                "  inventory:",
                "    endpoints: [\"10.0.0.5:8080\", \"10.0.0.6:8080\"]",
                "    timeout: 2s",
                "    retry: { maxAttempts: 3, perTryTimeout: 500ms }");
        Path file = MeshYaml.write(dir, "mesh.yaml", String.join("\n", yaml) + "\n");

        JavaProcess explain = processes.javaJar("jmesh-explain", List.of("-Djmesh.services.inventory.timeout=1500ms"),
                SmokeEnv.agentJar(), List.of("explain", file.toString(), "http://inventory/items/42?x=1"), null);

        assertEquals(0, explain.awaitExit(Duration.ofSeconds(60)), explain.describe());
        String out = explain.stdout();
        assertTrue(out.matches("(?s).*service +inventory .*"), out);
        assertTrue(out.matches("(?s).*endpoints +10\\.0\\.0\\.5:8080, 10\\.0\\.0\\.6:8080 +\\("
                + Pattern.quote(file + ":" + position(yaml, 3, "[")) + "\\).*"), out);
        assertTrue(out.matches("(?s).*timeout +1500ms +\\(-Djmesh\\.services\\.inventory\\.timeout\\).*"),
                "the override wins and says so\n" + out);
        assertTrue(out.matches("(?s).*retry\\.maxAttempts +3 +\\(" + Pattern.quote(file + ":" + position(yaml, 5, "3,"))
                + "\\).*"), out);
        assertTrue(out.matches("(?s).*loadBalancer +round_robin +\\(default\\).*"), out);
        assertTrue(out.matches("(?s).*circuitBreaker +none +\\(default\\).*"), out);
    }

    @Test
    void explainShowsTheMatchingRouteItsWeightedDestinationsAndItsOverrides() {
        Path file = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory: { endpoints: ["10.0.0.5:8080"], timeout: 2s }
                  inventory-v2: { endpoints: ["10.0.0.9:8080"] }
                routes:
                  - name: canary
                    match: { host: inventory, pathPrefix: /v2/ }
                    to: [ { service: inventory-v2, weight: 10 }, { service: inventory, weight: 90 } ]
                    timeout: 500ms
                """);

        JavaProcess routed = processes.javaJar("jmesh-explain", List.of(), SmokeEnv.agentJar(),
                List.of("explain", file.toString(), "http://inventory/v2/items"), null);
        JavaProcess unrouted = processes.javaJar("jmesh-explain", List.of(), SmokeEnv.agentJar(),
                List.of("explain", file.toString(), "http://inventory/items"), null);

        assertEquals(0, routed.awaitExit(Duration.ofSeconds(60)), routed.describe());
        assertEquals(0, unrouted.awaitExit(Duration.ofSeconds(60)), unrouted.describe());
        String out = routed.stdout();
        assertTrue(out.matches("(?s).*route +canary .*"), out);
        assertTrue(out.matches("(?s).*destinations +inventory-v2 weight 10, inventory weight 90\\n.*"), out);
        assertTrue(out.matches("(?s).*timeout +500ms \\(the route's\\) +\\(" + Pattern.quote(file + ":8:") + ".*"), out);
        assertTrue(!unrouted.stdout().contains("route "), "no route takes /items\n" + unrouted.stdout());
        assertTrue(unrouted.stdout().matches("(?s).*timeout +2s .*"), unrouted.stdout());
    }

    @Test
    void explainSaysAHostThatIsNoServicePassesThrough() {
        Path file = MeshYaml.write(dir, "mesh.yaml", "services:\n  inventory:\n    endpoints: [\"10.0.0.5:8080\"]\n");

        JavaProcess explain = processes.javaJar("jmesh-explain", List.of(), SmokeEnv.agentJar(),
                List.of("explain", file.toString(), "http://example.org/"), null);

        assertEquals(0, explain.awaitExit(Duration.ofSeconds(60)), explain.describe());
        assertTrue(explain.stdout().contains("example.org:80 as the application asked, untouched"), explain.describe());
    }

    private JavaProcess validate(Path file) {
        return processes.javaJar("jmesh-validate", List.of(), SmokeEnv.agentJar(), List.of("validate", file.toString()), null);
    }

    private static List<String> output(JavaProcess process) {
        List<String> lines = new ArrayList<>(process.stdoutLines());
        lines.addAll(process.stderrLines());
        return lines;
    }

    private static String position(List<String> lines, int line, String token) {
        int column = lines.get(line - 1).indexOf(token);
        if (column < 0) {
            throw new IllegalArgumentException(token + " is not on line " + line);
        }
        return line + ":" + (column + 1);
    }
}
