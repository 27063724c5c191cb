package dev.jmesh.smoke;

import dev.jmesh.instrumentation.testing.TestTls;
import dev.jmesh.instrumentation.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Apache clients with {@code https:} in real JVMs with the agent, oldest and newest version lines: the app calls
 * {@code https://inventory/...} with its own trust (only a certificate made for this test); the mesh routes the call
 * to a TLS server on 127.0.0.1 whose certificate is valid for the name {@code inventory} only. As for
 * {@code HttpsURLConnection} ({@link HttpsUrlConnectionSmokeTest}), TLS is checked against the service's name, the
 * first request's 503 is retried over TLS, and a certificate for another name fails the call with the library's
 * own SSL exception before any request leaves. Apache HttpClient 4.3 cannot connect to an address under another
 * name (its {@code HttpHost} has no address): there the endpoint's address is verified, and the service's
 * certificate is refused.
 */
class HttpsClientsSmokeTest {
    private static final String MAIN_CLASS = "dev.jmesh.demo.clients.LibraryClients";
    private static final List<String> CLIENTS = List.of("apache4", "apache5", "apache5-async", "apache5-stream");

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

    enum Lines {
        OLDEST(LibraryClientsSmokeTest.VersionSet.OLDEST),
        NEWEST(LibraryClientsSmokeTest.VersionSet.NEWEST);

        final LibraryClientsSmokeTest.VersionSet set;

        Lines(LibraryClientsSmokeTest.VersionSet set) {
            this.set = set;
        }

        /** Whether this line's client can verify the service's name on the endpoint's address. */
        boolean verifiesTheServiceName(String client) {
            return !(this == OLDEST && client.equals("apache4"));
        }
    }

    private Shop.Run run(Lines lines, TestTls tls) throws Exception {
        // The first request gets a 503: the retry runs over TLS as well.
        upstream = new TestUpstream(n -> n == 0 ? new TestUpstream.Reply(503, 0, "busy")
                : new TestUpstream.Reply(200, 0, "secure"), tls.serverContext());
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: ["%s"]
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms } }
                """.formatted(upstream.authority()) + MeshYaml.accessLog(dir.resolve("access.log")));
        List<String> args = new ArrayList<>(List.of("--base", "https://inventory", "--calls",
                String.valueOf(CLIENTS.size()), "--client", String.join(",", CLIENTS),
                "--trust-store", tls.trustStore.toString()));
        JavaProcess process = processes.javaMain("library-clients-https-" + lines.name().toLowerCase() + "+agent",
                Shop.agent(config), lines.set.classPath(), MAIN_CLASS, args, null);
        return new Shop.Run(process, process.awaitExit(Shop.TIMEOUT));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Lines.class)
    void aCertificateForTheServiceNameIsAcceptedOnTheEndpointsAddress(Lines lines) throws Exception {
        Shop.Run run = run(lines, TestTls.generate(dir, "inventory", "dns:inventory"));

        assertEquals(0, run.exitCode(), run.describe());
        int verified = 0;
        for (int i = 0; i < CLIENTS.size(); i++) {
            String client = CLIENTS.get(i);
            String line = run.lines().get(i);
            if (lines.verifiesTheServiceName(client)) {
                assertEquals("OK " + client + " GET /items/" + i + " 200 6", line, run.describe());
                verified++;
            } else {
                assertTrue(line.matches("FAIL " + client + " GET /items/" + i + " SSL\\w*Exception: .*"), run.describe());
            }
        }
        var entries = AccessLogFile.read(dir.resolve("access.log"));
        assertEquals(CLIENTS.size(), entries.size(), run.describe());
        for (var e : entries) {
            assertEquals("inventory", e.service(), e.line());
        }
        // one 503 and its retry, then one request per other verified client
        assertEquals(verified + 1, upstream.seen.size(), "the first call was retried over TLS: " + upstream.seen);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Lines.class)
    void aCertificateForAnotherNameFailsEveryCallWithTheLibrarysSslException(Lines lines) throws Exception {
        Shop.Run run = run(lines, TestTls.generate(dir, "billing", "dns:billing"));

        assertEquals(0, run.exitCode(), run.describe());
        for (int i = 0; i < CLIENTS.size(); i++) {
            assertTrue(run.lines().get(i).matches("FAIL " + CLIENTS.get(i) + " GET /items/" + i
                    + " SSL\\w*Exception: .*"), run.describe());
        }
        assertEquals(List.of(), upstream.seen, "no request left the client");
    }
}
