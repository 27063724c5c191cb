package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #6, "the same metric names": every client of the library-clients demo, on every version line, makes one
 * call that succeeds and one that gets a 503, each client to a service named after itself (so that its series can be
 * told apart); the test scrapes the admin endpoint's {@code /metrics} of each JVM (parsed by the Prometheus
 * project's own parser) and asserts that every client produced the same metric families with the same attribute
 * keys, among them {@code http.client.request.duration} with {@code server.address}, {@code http.request.method},
 * {@code http.response.status_code}, and {@code error.type} on the failure.
 */
class ClientMetricsSmokeTest {
    private static final Pattern SUMMARY = Pattern.compile("SUMMARY ok=(\\d+) failed=(\\d+)");
    private static final String DURATION_COUNT = "http_client_request_duration_seconds_count";
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void everyClientAndVersionLineProducesTheSameMetricNamesAndAttributeKeys() throws Exception {
        Upstream ok = Upstream.start(processes, "ok");
        Upstream busy = Upstream.start(processes, "busy", "--fail-503", "1");
        // client (with its line) -> its metric families and their attribute keys
        Map<String, Set<String>> signatures = new LinkedHashMap<>();
        for (LibraryClientsSmokeTest.VersionSet set : LibraryClientsSmokeTest.VersionSet.values()) {
            List<MetricsSmokeTest.Sample> samples = scrapeAfterCalls(set, ok, busy);
            for (String client : set.clients()) {
                String who = client + " on " + set.lineOf(client).label();
                List<MetricsSmokeTest.Sample> mine = samples.stream()
                        .filter(s -> s.has("server_address=" + client)).toList();
                assertEquals(1, count(mine, "http_request_method=GET", "http_response_status_code=200"),
                        who + ": one successful GET\n" + mine);
                List<MetricsSmokeTest.Sample> failed = mine.stream().filter(s -> s.name().equals(DURATION_COUNT)
                        && s.has("http_response_status_code=503")).toList();
                assertEquals(1, failed.size(), who + ": one series for the 503\n" + mine);
                assertTrue(failed.get(0).has("error_type=503", "http_request_method=GET"), who + ": " + failed);
                assertEquals(1, Math.round(failed.get(0).value()), who + ": " + failed);
                signatures.put(who, signature(mine));
            }
        }
        Set<String> reference = signatures.values().iterator().next();
        assertTrue(reference.stream().anyMatch(s -> s.startsWith(DURATION_COUNT + " ")), reference.toString());
        List<String> different = new ArrayList<>();
        signatures.forEach((who, signature) -> {
            if (!signature.equals(reference)) {
                different.add(who + ": " + signature);
            }
        });
        assertEquals(List.of(), different, "every client must produce the same names and keys as "
                + signatures.keySet().iterator().next() + ": " + reference);
        assertEquals(Arrays.stream(LibraryClientsSmokeTest.VersionSet.values()).mapToInt(s -> s.clients().size()).sum(),
                signatures.size(), "every client of every line was measured: " + signatures.keySet());
    }

    /** Each client calls its own service twice: round robin sends the first call to {@code ok}, the second to {@code busy}. */
    private List<MetricsSmokeTest.Sample> scrapeAfterCalls(LibraryClientsSmokeTest.VersionSet set, Upstream ok,
                                                           Upstream busy) throws Exception {
        List<String> clients = set.clients();
        int port = freePort();
        StringBuilder yaml = new StringBuilder("services:\n");
        for (String client : clients) {
            yaml.append("  ").append(client).append(":\n")
                    .append("    endpoints: ").append(MeshYaml.endpoints(ok, busy)).append('\n')
                    .append("    loadBalancer: round_robin\n")
                    .append("    timeout: 5s\n")
                    .append("    retry: { maxAttempts: 1 }\n");
        }
        yaml.append("telemetry:\n  admin: { port: ").append(port).append(" }\n");
        Path config = MeshYaml.write(dir, "mesh-" + set.name().toLowerCase() + ".yaml", yaml.toString());

        JavaProcess app = processes.javaMain("library-clients-metrics-" + set.name().toLowerCase() + "+agent",
                Shop.agent(config), set.classPath(), "dev.jmesh.demo.clients.LibraryClients",
                List.of("--base", "http://unused", "--service-per-client", "--calls", String.valueOf(2 * clients.size()),
                        "--client", String.join(",", clients), "--linger-ms", "120000"), null);
        var summary = app.awaitStdoutLine(SUMMARY, Shop.TIMEOUT);
        assertEquals(clients.size() + "", summary.group(1), "one GET per client succeeds\n" + app.describe());
        assertEquals(clients.size() + "", summary.group(2), "one GET per client gets the 503\n" + app.describe());

        String url = "http://127.0.0.1:" + port + "/metrics";
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (true) {
            List<MetricsSmokeTest.Sample> samples = List.of();
            try {
                samples = MetricsSmokeTest.parsePrometheus(get(url));
            } catch (IOException notYetListening) {
                // the admin endpoint starts next to the app; try again
            }
            long calls = samples.stream().filter(s -> s.name().equals(DURATION_COUNT))
                    .mapToLong(s -> Math.round(s.value())).sum();
            if (calls == 2L * clients.size()) {
                return samples;
            }
            if (System.nanoTime() > deadline || !app.isAlive()) {
                throw new AssertionError("/metrics never showed " + 2 * clients.size() + " calls: " + samples + "\n"
                        + app.describe());
            }
            Thread.sleep(100);
        }
    }

    /** "family attribute,keys" of every sample: what must be the same for every client (values aside). */
    private static Set<String> signature(List<MetricsSmokeTest.Sample> samples) {
        Set<String> signature = new TreeSet<>();
        for (MetricsSmokeTest.Sample s : samples) {
            String keys = Arrays.stream(s.labels().split(",")).filter(l -> !l.isEmpty())
                    .map(l -> l.substring(0, l.indexOf('='))).filter(k -> !k.equals("le"))
                    .collect(Collectors.joining(","));
            signature.add(s.name() + " " + keys);
        }
        assertFalse(signature.isEmpty());
        return signature;
    }

    private static long count(List<MetricsSmokeTest.Sample> samples, String... labels) {
        return samples.stream().filter(s -> s.name().equals(DURATION_COUNT) && s.has(labels))
                .mapToLong(s -> Math.round(s.value())).sum();
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(url + " answered " + response.statusCode());
        }
        return response.body();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
