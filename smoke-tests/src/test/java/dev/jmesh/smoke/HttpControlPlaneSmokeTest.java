package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code controlPlane.http} in real JVMs (legacy-shop with the agent, flaky-upstream endpoints) against a
 * control plane the test owns ({@link ConfigServer}): a changed document (new ETag) is followed, an unchanged
 * one costs a 304, a wrong token and hostile answers give one warning each while the app keeps its last good
 * config, a JVM started while the control plane is down runs on the cached config, and https works with a CA
 * generated here.
 */
class HttpControlPlaneSmokeTest {
    /** A liveness bound for "the change shows up" (polls run every 250 ms); not a performance check. */
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final String TOKEN = "s3cret-token-value";

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void followsChangesWithEtagsAndKeepsTheLastGoodConfigOnAWrongToken() throws Exception {
        Upstream a = Upstream.start(processes, "a");
        Upstream b = Upstream.start(processes, "b");
        Path accessLog = dir.resolve("access.log");
        Path tokenFile = MeshYaml.write(dir, "token", TOKEN + "\n");
        try (ConfigServer cp = ConfigServer.http(0)) {
            cp.requireToken(TOKEN);
            cp.serve(mesh(a, accessLog), "v1");
            Path cache = dir.resolve("cache.yaml");
            JavaProcess shop = shop(bootstrap(cp.url("http"), "tokenFile: " + MeshYaml.quoted(tokenFile.toString()),
                    cache));

            AccessLogFile.awaitWhileWritten(accessLog, e -> count(e, a) >= 5, shop, WITHIN);
            await(() -> cp.notModified.get() >= 2, shop, "304s while the document is unchanged");
            assertEquals("Bearer " + TOKEN, cp.lastAuthorization());

            cp.serve(mesh(b, accessLog), "v2");
            List<AccessLogFile.Entry> afterChange = AccessLogFile.awaitWhileWritten(accessLog, e -> count(e, b) >= 5,
                    shop, WITHIN);
            assertTrue(Files.readString(cache).contains(b.address()), "the applied document is cached");

            cp.requireToken("another-token");
            await(() -> cp.unauthorized.get() >= 3, shop, "three polls refused with 401");
            int atRefusals = AccessLogFile.readWhileWritten(accessLog).size();
            List<AccessLogFile.Entry> all = AccessLogFile.awaitWhileWritten(accessLog,
                    e -> e.size() >= atRefusals + 5, shop, WITHIN);
            shop.kill();

            int firstB = firstIndex(all, b);
            assertTrue(firstB > 0 && firstB <= afterChange.size());
            for (AccessLogFile.Entry e : all.subList(firstB, all.size())) {
                assertEquals(b.address(), e.upstream(), "after the change, and through the 401s: " + e.line());
                assertEquals(200L, e.status(), e.line());
            }
            for (AccessLogFile.Entry e : all) {
                assertFalse(e.authority().endsWith(":" + cp.port()), "a poll reached the access log: " + e.line());
            }
            assertTrue(cp.conditionalRequests.get() >= 2);

            List<String> jmesh = jmeshLines(shop);
            assertEquals(1, jmesh.stream().filter(l -> l.contains("answered HTTP 401")).count(), String.join("\n", jmesh));
            assertTrue(jmesh.stream().anyMatch(l -> l.matches("\\[jmesh] WARN control plane .* answered HTTP 401 \\(check"
                    + " the token in .*token\\); keeping the last good config")), String.join("\n", jmesh));
            assertEquals(2, jmesh.stream().filter(l -> l.contains(" applied: 1 services")).count(), String.join("\n", jmesh));
            assertFalse(shop.stderr().contains(TOKEN) || shop.stdout().contains(TOKEN), "the token was printed");
        }
    }

    @Test
    void aJvmStartedWhileTheControlPlaneIsDownRunsOnTheCachedConfig() throws Exception {
        Upstream local = Upstream.start(processes, "local");
        Upstream served = Upstream.start(processes, "served");
        Path cache = dir.resolve("cache.yaml");
        Path firstLog = dir.resolve("first.log");
        int port;
        String bootstrap;
        try (ConfigServer cp = ConfigServer.http(0)) {
            port = cp.port();
            cp.serve(mesh(served, firstLog), "v1");
            bootstrap = bootstrap(cp.url("http"), null, cache) + "services:\n  inventory:\n    endpoints: "
                    + MeshYaml.endpoints(local) + "\n";
            JavaProcess first = shop(bootstrap);
            AccessLogFile.awaitWhileWritten(firstLog, e -> count(e, served) >= 3, first, WITHIN);
            first.kill();
        }
        // The control plane is down now; a new JVM starts on the cached document, not on its local config.
        Path secondLog = dir.resolve("second.log");
        Files.writeString(cache, Files.readString(cache).replace(firstLog.toString(), secondLog.toString()));
        JavaProcess second = shop(bootstrap);
        AccessLogFile.awaitWhileWritten(secondLog, e -> e.size() >= 10, second, WITHIN);
        Thread.sleep(1500); // several failed polls (250 ms interval, back-off 500 ms, 1 s): still one warning
        try (ConfigServer cp = ConfigServer.http(port)) {
            cp.serve(mesh(local, secondLog), "v2");
            AccessLogFile.awaitWhileWritten(secondLog, e -> count(e, local) >= 3, second, WITHIN);
        }
        second.kill();

        List<AccessLogFile.Entry> entries = AccessLogFile.read(secondLog);
        int firstLocal = firstIndex(entries, local);
        assertTrue(firstLocal >= 10);
        for (AccessLogFile.Entry e : entries.subList(0, firstLocal)) {
            assertEquals(served.address(), e.upstream(), "from the first call on: the cached config; " + e.line());
            assertEquals(200L, e.status(), e.line());
        }
        List<String> jmesh = jmeshLines(second);
        assertTrue(jmesh.get(0).matches("\\[jmesh] INFO control plane .*: starting on the last good config in .*cache.yaml"
                + " until it answers"), String.join("\n", jmesh));
        assertEquals(1, jmesh.stream().filter(l -> l.contains("is unreachable")).count(), String.join("\n", jmesh));
        assertEquals(1, jmesh.stream().filter(l -> l.matches("\\[jmesh] INFO control plane .* answers again after \\d+s"))
                .count(), String.join("\n", jmesh));
    }

    @Test
    void hostileAnswersGiveOneWarningEachAndTheAppKeepsItsConfig() throws Exception {
        Upstream good = Upstream.start(processes, "good");
        Path accessLog = dir.resolve("access.log");
        try (ConfigServer cp = ConfigServer.http(0)) {
            cp.serve(mesh(good, accessLog), "v1");
            JavaProcess shop = shop(bootstrap(cp.url("http"), null, dir.resolve("cache.yaml")));
            AccessLogFile.awaitWhileWritten(accessLog, e -> count(e, good) >= 3, shop, WITHIN);

            List<String> expected = new ArrayList<>();
            for (ConfigServer.Mode mode : List.of(ConfigServer.Mode.GARBAGE, ConfigServer.Mode.HUGE,
                    ConfigServer.Mode.HTML, ConfigServer.Mode.SLOW)) {
                int before = cp.hostile.get();
                cp.mode(mode);
                await(() -> cp.hostile.get() >= before + 3, shop, "three polls answered " + mode);
                expected.add(mode.toString());
            }
            int atEnd = AccessLogFile.readWhileWritten(accessLog).size();
            List<AccessLogFile.Entry> all = AccessLogFile.awaitWhileWritten(accessLog, e -> e.size() >= atEnd + 3,
                    shop, WITHIN);
            shop.kill();

            for (AccessLogFile.Entry e : all) {
                assertEquals(good.address(), e.upstream(), e.line());
                assertEquals(200L, e.status(), e.line());
            }
            List<String> warnings = jmeshLines(shop).stream().filter(l -> l.startsWith("[jmesh] WARN")).toList();
            String shown = String.join("\n", warnings);
            assertEquals(4, warnings.size(), "one line per distinct problem, not per poll (" + expected + ")\n" + shown);
            assertTrue(warnings.get(0).matches("\\[jmesh] WARN control plane http://127.0.0.1:\\d+/mesh.yaml served a config"
                    + " that was not applied, keeping the last good config: http://127.0.0.1:\\d+/mesh.yaml:\\d+:\\d+: .*"), shown);
            assertTrue(warnings.get(1).contains("served a document larger than 4 MiB, which is not read"), shown);
            assertTrue(warnings.get(2).contains("answered with Content-Type 'text/html; charset=utf-8', not YAML or JSON"),
                    shown);
            assertTrue(warnings.get(3).contains("did not answer within 2000ms"), shown);
        }
    }

    @Test
    void httpsWithACaGeneratedHere() throws Exception {
        Tls tls = Tls.generate(dir);
        Upstream a = Upstream.start(processes, "a");
        Path accessLog = dir.resolve("access.log");
        try (ConfigServer cp = ConfigServer.https(tls.serverContext())) {
            cp.serve(mesh(a, accessLog), "v1");
            // Without the CA the JVM's trust store refuses the certificate: one warning, the local config stays.
            JavaProcess untrusting = shop(bootstrap(cp.url("https"), null, dir.resolve("cache1.yaml")));
            await(() -> cp.requests.get() == 0 && jmeshLines(untrusting).stream().anyMatch(l -> l.contains("TLS failure")),
                    untrusting, "a TLS failure");
            untrusting.kill();
            assertEquals(1, jmeshLines(untrusting).stream().filter(l -> l.contains("TLS failure")).count());
            assertFalse(Files.exists(accessLog), "nothing was applied");

            JavaProcess trusting = shop(bootstrap(cp.url("https"), "caFile: " + MeshYaml.quoted(tls.caPem().toString()),
                    dir.resolve("cache2.yaml")));
            AccessLogFile.awaitWhileWritten(accessLog, e -> count(e, a) >= 3, trusting, WITHIN);
            trusting.kill();
            assertTrue(jmeshLines(trusting).stream().noneMatch(l -> l.contains("WARN")), jmeshLines(trusting).toString());
        }
    }

    /** The served document: the inventory service at {@code upstream}, and an access log. */
    private static String mesh(Upstream upstream, Path accessLog) {
        return "service: shop\nservices:\n  inventory:\n    endpoints: " + MeshYaml.endpoints(upstream) + "\n"
                + MeshYaml.accessLog(accessLog);
    }

    /**
     * The local config: names the control plane, polled every 250 ms (so that the back-off after the failed polls,
     * at most 8 intervals, stays short).
     */
    private static String bootstrap(String url, String extra, Path cache) {
        return "service: shop\ncontrolPlane:\n  http:\n    url: " + MeshYaml.quoted(url) + "\n    interval: 250ms\n"
                + (extra == null ? "" : "    " + extra + "\n")
                + "  cacheFile: " + MeshYaml.quoted(cache.toString()) + "\n";
    }

    private JavaProcess shop(String bootstrap) {
        Path config = MeshYaml.write(dir, "bootstrap-" + System.nanoTime() + ".yaml", bootstrap);
        return processes.javaJar("shop+agent", Shop.agent(config), SmokeEnv.shopJar(),
                List.of("--calls", "100000", "--interval-ms", "25", "--client", "urlconnection", "--quiet"), null);
    }

    private static long count(List<AccessLogFile.Entry> entries, Upstream upstream) {
        return entries.stream().filter(e -> upstream.address().equals(e.upstream())).count();
    }

    private static int firstIndex(List<AccessLogFile.Entry> entries, Upstream upstream) {
        for (int i = 0; i < entries.size(); i++) {
            if (upstream.address().equals(entries.get(i).upstream())) {
                return i;
            }
        }
        throw new AssertionError("no call went to " + upstream.name());
    }

    /** The agent's lines; never the weaver's time-out (a poll must not make the app's URL handler wait). */
    private static List<String> jmeshLines(JavaProcess process) {
        List<String> lines = process.stderrLines().stream().filter(l -> l.startsWith("[jmesh]")).toList();
        assertTrue(lines.stream().noneMatch(l -> l.contains("was not ready")), String.join("\n", lines));
        return lines;
    }

    private static void await(BooleanSupplier condition, JavaProcess process, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("never saw " + what + "\n" + process.describe());
            }
            Thread.sleep(50);
        }
    }

    /** A CA and a server certificate for 127.0.0.1 signed by it, made with the JDK's keytool in the test's directory. */
    record Tls(Path serverKeys, Path caPem) {
        private static final String PASSWORD = "changeit";

        static Tls generate(Path dir) throws Exception {
            Path ca = dir.resolve("ca.p12");
            Path server = dir.resolve("server.p12");
            Path caPem = dir.resolve("ca.pem");
            Path request = dir.resolve("server.csr");
            Path signed = dir.resolve("server.pem");
            keytool("-genkeypair", "-keystore", ca.toString(), "-alias", "ca", "-dname", "CN=jmesh test CA",
                    "-keyalg", "EC", "-validity", "2", "-ext", "bc:c");
            keytool("-exportcert", "-rfc", "-keystore", ca.toString(), "-alias", "ca", "-file", caPem.toString());
            keytool("-genkeypair", "-keystore", server.toString(), "-alias", "server", "-dname", "CN=127.0.0.1",
                    "-keyalg", "EC", "-validity", "2");
            keytool("-certreq", "-keystore", server.toString(), "-alias", "server", "-file", request.toString());
            keytool("-gencert", "-rfc", "-keystore", ca.toString(), "-alias", "ca", "-infile", request.toString(),
                    "-outfile", signed.toString(), "-ext", "san=ip:127.0.0.1", "-validity", "2");
            keytool("-importcert", "-noprompt", "-keystore", server.toString(), "-alias", "ca", "-file", caPem.toString());
            keytool("-importcert", "-keystore", server.toString(), "-alias", "server", "-file", signed.toString());
            return new Tls(server, caPem);
        }

        SSLContext serverContext() throws Exception {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(serverKeys)) {
                keys.load(in, PASSWORD.toCharArray());
            }
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(factory.getKeyManagers(), null, null);
            return context;
        }

        private static void keytool(String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                    .toString()));
            command.addAll(List.of(args));
            command.addAll(List.of("-storepass", PASSWORD, "-storetype", "PKCS12"));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError("keytool failed: " + command + "\n" + output);
            }
        }
    }
}
