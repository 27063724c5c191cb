package dev.jmesh.smoke;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running flaky-upstream demo process on 127.0.0.1 (ephemeral port, read from its {@code LISTENING <port>}
 * line), with its {@code /stats} counters. The tests talk to it without the agent.
 */
final class Upstream {
    private static final Pattern LISTENING = Pattern.compile("LISTENING (\\d+)");
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** The counters of {@code GET /stats} ({@code /stats} calls themselves are not counted). */
    record Stats(long requests, long served503, long resets, long delays, long postsReceived, long postsDuplicated,
                 long bodies, long bodyBytes) {
    }

    private final JavaProcess process;
    private final String name;
    private final int port;

    private Upstream(JavaProcess process, String name, int port) {
        this.process = process;
        this.name = name;
        this.port = port;
    }

    /** Starts {@code flaky-upstream.jar --name NAME <faultArgs...>} and waits until it listens. */
    static Upstream start(ChildProcesses processes, String name, String... faultArgs) {
        List<String> args = new ArrayList<>(List.of("--name", name));
        args.addAll(List.of(faultArgs));
        JavaProcess process = processes.javaJar("upstream-" + name, List.of(), SmokeEnv.upstreamJar(),
                args, null);
        Matcher listening = process.awaitStdoutLine(LISTENING, Duration.ofSeconds(30));
        return new Upstream(process, name, Integer.parseInt(listening.group(1)));
    }

    int port() {
        return port;
    }

    /** {@code 127.0.0.1:PORT}, as an endpoint in a mesh config and in the access log's {@code upstream}. */
    String address() {
        return "127.0.0.1:" + port;
    }

    String baseUrl() {
        return "http://" + address();
    }

    String name() {
        return name;
    }

    Stats stats() {
        String json = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/stats")).GET(), 200);
        return new Stats(number(json, "requests"), number(json, "served503"), number(json, "resets"),
                number(json, "delays"), number(json, "postsReceived"), number(json, "postsDuplicated"),
                number(json, "bodies"), number(json, "bodyBytes"));
    }

    void resetStats() {
        send(HttpRequest.newBuilder(URI.create(baseUrl() + "/stats/reset")).POST(HttpRequest.BodyPublishers.noBody()), 204);
    }

    String describe() {
        return process.describe();
    }

    private String send(HttpRequest.Builder request, int expectedStatus) {
        try {
            HttpResponse<String> response = CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expectedStatus) {
                throw new AssertionError("upstream " + name + " answered " + response.statusCode() + ": "
                        + response.body() + "\n" + process.describe());
            }
            return response.body();
        } catch (IOException e) {
            throw new AssertionError("cannot reach upstream " + name + ": " + e + "\n" + process.describe(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*(\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no number '" + field + "' in /stats: " + json);
        }
        return Long.parseLong(m.group(1));
    }
}
