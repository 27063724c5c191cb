package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #11, secrets: an app that sends an Authorization header, a cookie, a token in the query string and a
 * password in the URL's user info, through routes that match on those very headers and parameters, against an
 * upstream that fails and resets (so error paths run too). None of the secrets may appear in anything the agent
 * writes: the access log and its own lines on stderr.
 */
class SecretsSmokeTest {
    private static final List<String> SECRETS = List.of("B34rer-t0ken", "c00kie-v4lue", "qu3ry-t0ken", "pa55w0rd");

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void noSecretOfTheAppReachesTheAgentsOutput() throws IOException {
        Upstream upstream = Upstream.start(processes, "faulty", "--fail-503", "0.3", "--reset", "0.2", "--seed", "5");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                services:
                  inventory:
                    endpoints: %s
                    retry: { maxAttempts: 2, perTryTimeout: 1s }
                  inventory-v2: { endpoints: %s }
                routes:
                  - name: authorised
                    match: { host: inventory, headers: { authorization: { present: true } },
                             cookies: { session: { prefix: "c00kie" } }, queryParameters: { token: { present: true } } }
                    to: [ { service: inventory-v2 } ]
                """.formatted(MeshYaml.endpoints(upstream), MeshYaml.endpoints(upstream))
                + MeshYaml.accessLog(accessLog));

        Shop.Run run = Shop.run(processes, Shop.agent(config), "--base", "http://app:pa55w0rd@inventory",
                "--calls", "30", "--post-every", "5", "--query", "token=qu3ry-t0ken",
                "--header", "Authorization: Bearer B34rer-t0ken", "--header", "Cookie: session=c00kie-v4lue");

        assertEquals(0, run.exitCode(), run.describe());
        var entries = AccessLogFile.read(accessLog);
        assertEquals(30, entries.size(), run.describe());
        assertTrue(entries.stream().anyMatch(e -> "authorised".equals(e.text("route"))),
                "the route read the secrets to match: the test covers the matching path\n" + run.describe());
        assertTrue(entries.stream().anyMatch(e -> e.text("error") != null || !"-".equals(e.flags())),
                "some calls failed, so error paths ran\n" + run.describe());
        String written = Files.readString(accessLog) + String.join("\n", run.process().stderrLines());
        for (String secret : SECRETS) {
            assertFalse(written.contains(secret), "'" + secret + "' leaked:\n" + written);
        }
    }
}
