package dev.jmesh.smoke;

import dev.jmesh.instrumentation.testing.TestTls;
import dev.jmesh.instrumentation.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code HttpURLConnection} with {@code https:} in a real JVM with the agent: the app calls
 * {@code https://inventory/...}, casts to {@code HttpsURLConnection} and sets its own socket factory (trusting only a
 * certificate made for this test); the mesh routes the call to a TLS server on 127.0.0.1 whose certificate is valid
 * for the name {@code inventory} only. TLS is checked against the name the app used.
 */
class HttpsUrlConnectionSmokeTest {
    private static final String MAIN_CLASS = "dev.jmesh.demo.clients.LibraryClients";

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    private TestUpstream upstream;

    @AfterEach
    void stop() {
        if (upstream != null) {
            upstream.close();
        }
    }

    private Shop.Run run(TestTls trusted, TestTls served, int calls) throws Exception {
        // The first request gets a 503: the retry runs over TLS as well.
        upstream = new TestUpstream(n -> n == 0 ? new TestUpstream.Reply(503, 0, "busy")
                : new TestUpstream.Reply(200, 0, "secure"), served.serverContext());
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: ["%s"]
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms } }
                """.formatted(upstream.authority()) + MeshYaml.accessLog(accessLog));
        List<String> args = new ArrayList<>(List.of("--base", "https://inventory", "--calls", String.valueOf(calls),
                "--client", "huc", "--trust-store", trusted.trustStore.toString()));
        JavaProcess process = processes.javaMain("library-clients+agent", Shop.agent(config),
                List.of(SmokeEnv.libraryClientsJar()), MAIN_CLASS, args, null);
        return new Shop.Run(process, process.awaitExit(Shop.TIMEOUT));
    }

    @Test
    void anHttpsCallIsRoutedRetriedAndVerifiedAgainstTheServiceName() throws Exception {
        TestTls tls = TestTls.generate(dir, "inventory", "dns:inventory");

        Shop.Run run = run(tls, tls, 2);

        assertEquals(0, run.exitCode(), run.describe());
        assertEquals(List.of("OK huc GET /items/0 200 6", "OK huc GET /items/1 200 6", "SUMMARY ok=2 failed=0"),
                run.lines(), run.describe());
        assertTrue(run.process().stderrLines().contains(
                "library-clients: huc https://inventory/items/0 server certificate CN=inventory"),
                "the app reads the server's certificate from its HttpsURLConnection\n" + run.describe());
        var entries = AccessLogFile.read(dir.resolve("access.log"));
        assertEquals(2, entries.size());
        assertEquals(2L, entries.get(0).attempts(), entries.get(0).line());
        for (var e : entries) {
            assertEquals("inventory", e.service(), e.line());
            assertEquals(200L, e.status(), e.line());
            assertEquals(upstream.authority(), e.upstream(), e.line());
        }
        assertEquals(3, upstream.seen.size(), "two calls, one retry");
    }

    @Test
    void aCertificateForAnotherNameFailsTheCallAsWithoutTheMesh() throws Exception {
        TestTls billing = TestTls.generate(dir, "billing", "dns:billing");

        Shop.Run run = run(billing, billing, 1);

        assertEquals(0, run.exitCode(), run.describe());
        assertTrue(run.lines().get(0).startsWith("FAIL huc GET /items/0 SSLHandshakeException: "), run.describe());
        assertEquals(List.of(), upstream.seen, "no request left the client");
    }
}
