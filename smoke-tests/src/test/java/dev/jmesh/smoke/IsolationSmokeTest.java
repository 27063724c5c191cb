package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves the app keeps its own world: the bundled-libraries demo brings its own old Jackson (2.6), another Byte
 * Buddy, the OpenTelemetry SDK and OkHttp 3 in one unrelocated fat jar. With the agent attached (its OkHttp calls
 * routed by service name) the app prints exactly what it prints without the agent, calling the upstream
 * directly: the same library versions, the same JSON, the same class made at run time, the same span, the same
 * answers, the same exit code; none of the agent's own classes (engine, shaded Byte Buddy, Failsafe and Jackson,
 * the OkHttp helper) is visible to its class loader, and neither are second copies of its libraries' resources.
 * Only {@code dev.jmesh.bootstrap.Mesh}, the facade, becomes visible, by design. And jmesh still meshes the app's
 * own OkHttp 3: one access-log line per call.
 */
class IsolationSmokeTest {
    private static final int CALLS = 4;
    private static final int EXIT_CODE = 9;

    /** The versions demo-apps/bundled-libraries/pom.xml bundles (the agent's own are 2.21.x and 1.18.x). */
    private static final String APP_JACKSON = "2.6.7";
    private static final String APP_BYTE_BUDDY = "1.14.18";
    private static final String APP_OKHTTP = "3.14.9";
    private static final String APP_OPENTELEMETRY = "1.66.0";

    private static final List<String> AGENT_CLASSES = List.of(
            "dev.jmesh.agent.Agent",
            "dev.jmesh.agent.engine.MeshEngineImpl",
            "dev.jmesh.shaded.bytebuddy.ByteBuddy",
            "dev.jmesh.shaded.failsafe.Failsafe",
            "dev.jmesh.shaded.jackson.core.JsonFactory",
            "dev.jmesh.instrumentation.okhttp.MeshInterceptor");
    private static final String FACADE = "class dev.jmesh.bootstrap.Mesh ";
    private static final Pattern JVM_CDS_NOTE = Pattern.compile(
            ".* VM warning: Sharing is only supported for boot loader classes because bootstrap classpath has been appended");

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void theAppsOwnLibrariesWorkUnchangedAndNoAgentClassIsVisibleToIt() {
        Upstream upstream = Upstream.start(processes, "plain");
        Shop.Run without = run(List.of(), upstream.baseUrl());
        long requestsWithout = upstream.stats().requests();
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                """.formatted(MeshYaml.endpoints(upstream)) + MeshYaml.accessLog(accessLog));

        Shop.Run with = run(Shop.agent(config), "http://inventory");

        // Without the agent: the app's own libraries do what they should (the baseline is right).
        assertEquals(EXIT_CODE, without.exitCode(), without.describe());
        assertEquals(CALLS, requestsWithout, "each call reached the upstream once\n" + without.describe());
        List<String> lines = without.lines();
        for (String expected : expectedLines()) {
            assertTrue(lines.contains(expected), "missing line: " + expected + "\n" + without.describe());
        }
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("FAIL ")), without.describe());
        assertTrue(lines.contains(FACADE + "hidden"), without.describe());
        assertEquals(List.of(), without.process().stderrLines(), without.describe());

        // With the agent: the same, line by line, but for the facade, which is visible by design.
        assertEquals(EXIT_CODE, with.exitCode(), with.describe());
        assertEquals(withoutFacade(without.lines()), withoutFacade(with.lines()),
                "stdout must be as without the agent\n--- without:\n" + without.process().stdout() + with.describe());
        assertEquals(without.lines().indexOf(FACADE + "hidden"), with.lines().indexOf(FACADE + "VISIBLE"),
                "dev.jmesh.bootstrap.Mesh, and only it, is visible with the agent\n" + with.describe());
        for (String agentClass : AGENT_CLASSES) {
            assertTrue(with.lines().contains("class " + agentClass + " hidden"),
                    agentClass + " must be hidden from the app's class loader\n" + with.describe());
        }
        List<String> addedToStderr = with.process().stderrLines().stream()
                .filter(line -> !line.startsWith("[jmesh]") && !JVM_CDS_NOTE.matcher(line).matches())
                .toList();
        assertEquals(without.process().stderrLines(), addedToStderr,
                "the agent must add nothing but its own lines to stderr\n" + with.describe());
        assertTrue(with.jmeshLines().stream().noneMatch(l -> l.startsWith("[jmesh] WARN") || l.startsWith("[jmesh] ERROR")),
                "a valid config must not produce warnings\n" + with.describe());

        // And the app's own OkHttp 3 is still meshed: routed by service name, one access-log line per call.
        assertEquals(2L * CALLS, upstream.stats().requests(), "each routed call reached the upstream once");
        var entries = AccessLogFile.read(accessLog);
        assertEquals(CALLS, entries.size(), "one access-log line per OkHttp call\n" + joined(entries));
        for (int i = 0; i < CALLS; i++) {
            var e = entries.get(i);
            assertEquals("outbound", e.direction(), e.line());
            assertEquals("http", e.protocol(), e.line());
            assertEquals("inventory", e.service(), e.line());
            assertEquals("inventory", e.authority(), e.line());
            assertEquals("GET", e.method(), e.line());
            assertEquals("/items/" + i, e.path(), e.line());
            assertEquals(200L, e.status(), e.line());
            assertEquals(1L, e.attempts(), e.line());
            assertEquals(upstream.address(), e.upstream(), e.line());
            assertTrue(e.caller() != null && e.caller().startsWith("dev.jmesh.demo.bundled.OkHttpPart.run:"),
                    "the app's own frame is the caller: " + e.line());
        }
    }

    /** Lines the app prints in every correct run, agent or not. */
    private static List<String> expectedLines() {
        List<String> expected = new ArrayList<>(List.of(
                "jackson databind " + APP_JACKSON,
                "jackson core " + APP_JACKSON,
                "jackson write {\"sku\":\"A-1\",\"quantity\":2,\"tags\":[\"red\",\"small\"]}",
                "jackson read sku=A-1 quantity=2 tags=[red, small]",
                "bytebuddy " + APP_BYTE_BUDDY,
                "bytebuddy net.bytebuddy.ByteBuddy from the app's jar",
                "bytebuddy made dev.jmesh.demo.bundled.GeneratedGreeter (a Greeter): hello from a class made at run time",
                "otel sdk " + APP_OPENTELEMETRY,
                "otel span inventory.lookup kind=CLIENT items=3 events=1 valid=true ended=true",
                "otel exported 1",
                "okhttp okhttp/" + APP_OKHTTP));
        for (int i = 0; i < CALLS; i++) {
            expected.add("okhttp GET /items/" + i + " 200 name=item-" + i);
        }
        for (String agentClass : AGENT_CLASSES) {
            expected.add("class " + agentClass + " hidden");
        }
        // One copy each of the libraries' resources: the agent's Byte Buddy and Jackson bring none of theirs.
        for (String resource : List.of(
                "META-INF/maven/net.bytebuddy/byte-buddy/pom.properties",
                "META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.properties",
                "META-INF/maven/com.fasterxml.jackson.core/jackson-core/pom.properties",
                "META-INF/services/com.fasterxml.jackson.core.JsonFactory",
                "net/bytebuddy/ByteBuddy.class",
                "com/fasterxml/jackson/core/JsonFactory.class",
                "okhttp3/OkHttpClient.class")) {
            expected.add("resource " + resource + " 1");
        }
        // The agent's Byte Buddy settings (relocated) do not reach the app's Byte Buddy.
        expected.add("property net.bytebuddy.* none");
        expected.add("SUMMARY ok=" + CALLS + " failed=0");
        return expected;
    }

    private Shop.Run run(List<String> jvmArgs, String base) {
        JavaProcess process = processes.javaJar(jvmArgs.isEmpty() ? "bundled-libraries" : "bundled-libraries+agent",
                jvmArgs, SmokeEnv.bundledLibrariesJar(),
                List.of("--base", base, "--calls", String.valueOf(CALLS), "--exit-code", String.valueOf(EXIT_CODE)), null);
        return new Shop.Run(process, process.awaitExit(Shop.TIMEOUT));
    }

    private static List<String> withoutFacade(List<String> lines) {
        return lines.stream().filter(l -> !l.startsWith(FACADE)).toList();
    }

    private static String joined(List<AccessLogFile.Entry> entries) {
        return entries.stream().map(AccessLogFile.Entry::line).collect(Collectors.joining("\n"));
    }
}
