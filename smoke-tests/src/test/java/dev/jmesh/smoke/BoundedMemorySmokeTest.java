package dev.jmesh.smoke;

import dev.jmesh.smoke.MetricsSmokeTest.Sample;
import dev.jmesh.smoke.apps.ManyUrlsApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #11, bounded memory, in a real JVM: an app makes a million calls to distinct URLs (one in a hundred to
 * a thousand mesh services over HTTP, the rest to a host of their own that egress refuses before any lookup),
 * and every piece of state the agent keeps stays at its cap. The counts asserted are the ones the caps report:
 * metric series and {@code server.address} values on {@code /metrics}, records written or counted as dropped by
 * the bounded access-log and metrics queues, clusters and endpoints on {@code /clusters}. And nothing is kept
 * per call: class histograms of the live heap ({@code jcmd GC.class_histogram}, after a full GC) taken after the
 * first tenth of the calls (by then every service has been called and every cap reached) and at the end hold
 * about as many agent objects.
 * {@code BoundedStateTest} proves the same caps in process.
 */
class BoundedMemorySmokeTest {
    private static final long CALLS = 1_000_000;
    private static final int SERVICES = 1000;
    private static final int EVERY = 100;
    private static final long CHECKPOINT = CALLS / 10;
    private static final Pattern CHECKPOINT_LINE = Pattern.compile("CHECKPOINT");
    private static final int SERIES_LIMIT = 2000;
    private static final int VALUE_LIMIT = 100;
    private static final Duration RUN = Duration.ofMinutes(5);
    private static final Pattern SUMMARY = Pattern.compile("SUMMARY ok=(\\d+) failed=(\\d+)");
    /** {@code num: instances bytes class-name}, a line of {@code jcmd GC.class_histogram}. */
    private static final Pattern HISTOGRAM_LINE = Pattern.compile("\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+(\\S+).*");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @Test
    void aMillionDistinctUrlsAndAThousandServicesStayWithinEveryCap() throws Exception {
        Upstream upstream = Upstream.start(processes, "plain");
        int adminPort = freePort();
        Path accessLog = dir.resolve("access.log");
        StringBuilder yaml = new StringBuilder("services:\n");
        for (int s = 0; s < SERVICES; s++) {
            yaml.append("  svc-").append(s).append(": { endpoints: ").append(MeshYaml.endpoints(upstream)).append(" }\n");
        }
        yaml.append("egress: { mode: registry_only }\n")
                .append("telemetry:\n")
                .append("  accessLog: { format: text, path: ").append(MeshYaml.quoted(accessLog.toString())).append(" }\n")
                .append("  admin: { port: ").append(adminPort).append(" }\n");
        Path config = MeshYaml.write(dir, "mesh.yaml", yaml.toString());

        Path resume = dir.resolve("resume");
        JavaProcess app = processes.javaMain("many-urls", Shop.agent(config), List.of(testClasses()),
                ManyUrlsApp.class.getName(), List.of(String.valueOf(CALLS), String.valueOf(SERVICES),
                        String.valueOf(EVERY), "2", String.valueOf(CHECKPOINT), resume.toString()), null);
        app.awaitStdoutLine(CHECKPOINT_LINE, RUN);
        Map<String, Long> atCheckpoint = agentObjectsOnTheHeap(app);
        Files.createFile(resume);
        Matcher summary = app.awaitStdoutLine(SUMMARY, RUN);
        long meshed = CALLS / EVERY;
        assertEquals(meshed, Long.parseLong(summary.group(1)), "every call to a mesh service succeeded\n" + app.describe());
        assertEquals(CALLS - meshed, Long.parseLong(summary.group(2)), "every other call was refused\n" + app.describe());

        String admin = "http://127.0.0.1:" + adminPort;
        List<Sample> samples = awaitAllCounted(admin + "/metrics", app);
        List<Sample> durations = samples.stream()
                .filter(s -> s.name().equals("http_client_request_duration_seconds_count")).toList();
        assertTrue(durations.size() <= SERIES_LIMIT, durations.size() + " series of http.client.request.duration");
        Set<String> addresses = durations.stream().map(s -> label(s, "server_address")).collect(Collectors.toSet());
        assertTrue(addresses.size() <= SERVICES + VALUE_LIMIT + 1, addresses.size() + " server.address values");
        assertTrue(addresses.contains("_OTHER"), "hosts beyond the value cap fold into _OTHER: " + addresses.size());

        long logged = awaitLines(accessLog, CALLS - dropped(samples, "access_log"), app);
        assertEquals(CALLS, logged + dropped(samples, "access_log"), "every record is written or counted as dropped");

        String clusters = get(admin + "/clusters");
        assertEquals(SERVICES, count(clusters, "\"service\"\\s*:\\s*\"svc-"), "one cluster per configured service\n" + head(clusters));
        assertEquals(SERVICES, count(clusters, "\"address\"\\s*:\\s*\"127\\.0\\.0\\.1:"), "one endpoint state per configured endpoint");

        Map<String, Long> atEnd = agentObjectsOnTheHeap(app);
        long growth = total(atEnd) - total(atCheckpoint);
        System.out.println("[smoke] live agent objects: " + total(atCheckpoint) + " after " + CHECKPOINT + " calls, "
                + total(atEnd) + " after " + CALLS + "; access log: " + logged + " lines, "
                + dropped(samples, "access_log") + " dropped; metrics: " + dropped(samples, "metrics") + " dropped");
        // A leak of one object per call would add 900 000; the slack is for what is in flight in bounded queues.
        assertTrue(growth < (CALLS - CHECKPOINT) / 10, "live agent objects grew from " + total(atCheckpoint) + " to "
                + total(atEnd) + " over " + (CALLS - CHECKPOINT) + " calls; most grown: " + mostGrown(atCheckpoint, atEnd));
    }

    private static long total(Map<String, Long> instances) {
        return instances.values().stream().mapToLong(Long::longValue).sum();
    }

    private static String mostGrown(Map<String, Long> before, Map<String, Long> after) {
        return after.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, Long> e) -> before.getOrDefault(e.getKey(), 0L)
                        - e.getValue()))
                .limit(8).map(e -> e.getKey() + " " + before.getOrDefault(e.getKey(), 0L) + "->" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /** Polls {@code /metrics} until every call is counted in a series or as dropped by the metrics queue. */
    private static List<Sample> awaitAllCounted(String url, JavaProcess app) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            List<Sample> samples = MetricsSmokeTest.parsePrometheus(get(url));
            long counted = Math.round(samples.stream()
                    .filter(s -> s.name().equals("http_client_request_duration_seconds_count"))
                    .mapToDouble(Sample::value).sum());
            if (counted + dropped(samples, "metrics") == CALLS) {
                return samples;
            }
            assertTrue(counted + dropped(samples, "metrics") < CALLS, counted + " counted: more than the calls made");
            if (System.nanoTime() > deadline || !app.isAlive()) {
                throw new AssertionError(counted + " calls counted and " + dropped(samples, "metrics")
                        + " dropped, of " + CALLS + "\n" + app.describe());
            }
            Thread.sleep(500);
        }
    }

    private static long dropped(List<Sample> samples, String sink) {
        return Math.round(samples.stream().filter(s -> s.name().equals("jmesh_telemetry_dropped_total")
                && s.has("jmesh_sink=" + sink)).mapToDouble(Sample::value).sum());
    }

    /**
     * Waits until the access log's writer has caught up with what it was given, or has stopped making progress
     * for fifteen seconds (the machine may be slow; a writer that lost records never catches up).
     */
    private static long awaitLines(Path log, long expected, JavaProcess app) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        long lines = lineCount(log);
        long lastProgress = System.nanoTime();
        while (lines < expected && System.nanoTime() < deadline && app.isAlive()
                && System.nanoTime() - lastProgress < Duration.ofSeconds(15).toNanos()) {
            Thread.sleep(500);
            long now = lineCount(log);
            if (now > lines) {
                lastProgress = System.nanoTime();
            }
            lines = now;
        }
        return lines;
    }

    private static long lineCount(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        }
    }

    /**
     * Live instances of agent classes ({@code dev.jmesh.*}, its relocated libraries included) by class name,
     * after a full GC.
     */
    private static Map<String, Long> agentObjectsOnTheHeap(JavaProcess app) {
        JavaProcess jcmd = JavaProcess.start("jcmd-histogram", List.of(SmokeEnv.jcmd().toString(),
                String.valueOf(app.pid()), "GC.class_histogram"), null);
        assertEquals(0, jcmd.awaitExit(Duration.ofSeconds(60)), "jcmd failed\n" + jcmd.describe());
        Map<String, Long> instances = new HashMap<>();
        int classes = 0;
        for (String line : jcmd.stdoutLines()) {
            Matcher m = HISTOGRAM_LINE.matcher(line);
            if (m.matches()) {
                classes++;
                if (m.group(2).startsWith("dev.jmesh.")) {
                    instances.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
                }
            }
        }
        assertTrue(classes > 100, "a class histogram was read\n" + jcmd.describe());
        return instances;
    }

    private static String label(Sample sample, String name) {
        for (String pair : sample.labels().split(",")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        return "";
    }

    private static int count(String text, String regex) {
        return (int) Pattern.compile(regex).matcher(text).results().count();
    }

    private static String head(String text) {
        return text.length() <= 2000 ? text : text.substring(0, 2000) + "...";
    }

    private static Path testClasses() {
        try {
            return Path.of(ManyUrlsApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + ": " + response.body());
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
