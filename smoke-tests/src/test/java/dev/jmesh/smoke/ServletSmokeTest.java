package dev.jmesh.smoke;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Servlet containers with jmesh: the servlet-app demo in embedded Jetty 9.4 and Tomcat 9 (javax.servlet) and
 * embedded Tomcat 11 (jakarta.servlet). Each request the test sends is one inbound access-log line, also when the
 * servlet forwards it, completes it asynchronously or throws; the caller's trace context is joined and the
 * servlet's own call to pricing is a child of the inbound span; an inbound route's rate limit answers 429
 * without the servlet. A request that a servlet filter answers (403) is recorded on Tomcat, whose filter
 * chain is woven, and not on Jetty (a documented gap; this test says so if that changes).
 */
class ServletSmokeTest {
    private static final Pattern LISTENING = Pattern.compile("LISTENING (\\d+)");
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"jetty9, dev.jmesh.demo.servlet.JettyCatalog, false",
        "tomcat9, dev.jmesh.demo.servlet.Tomcat9Catalog, true",
        "tomcat11, dev.jmesh.demo.servlet.TomcatCatalog, true"})
    void oneInboundRecordPerRequest(String container, String mainClass, boolean seesFilters) throws Exception {
        Upstream pricing = Upstream.start(processes, "pricing");
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                service: catalog
                services:
                  pricing:
                    endpoints: %s
                inbound:
                  routes:
                    - name: limited
                      match: { pathPrefix: /limited/ }
                      rateLimit: { requestsPerSecond: 0.01, burst: 1 }
                telemetry:
                  accessLog: { format: json, path: %s }
                  tracing: { propagators: [tracecontext, b3] }
                """.formatted(MeshYaml.endpoints(pricing), MeshYaml.quoted(accessLog.toString())));
        List<Path> classPath = new ArrayList<>();
        classPath.add(SmokeEnv.servletAppJar());
        if (container.equals("tomcat9")) {
            classPath.add(SmokeEnv.servletAppTomcat9Jar());
        }
        try (Stream<Path> jars = Files.list(SmokeEnv.clientLibs(container))) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(classPath::add);
        }
        JavaProcess app = processes.javaMain(container + "+agent", Shop.agent(config), classPath, mainClass,
                List.of("--pricing", "http://pricing"), null);
        int port = Integer.parseInt(app.awaitStdoutLine(LISTENING, Duration.ofSeconds(60)).group(1));
        String base = "http://127.0.0.1:" + port;

        String w3cTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        assertEquals(200, get(base + "/items/1?verbose=1", "traceparent", "00-" + w3cTrace + "-00f067aa0ba902b7-01"));
        String b3Trace = "80f198ee56343ba864fe8b2a57d3eff7";
        assertEquals(200, get(base + "/forward/2", "b3", b3Trace + "-e457b5a2e4d86bd1-1"));
        assertEquals(200, get(base + "/async/3"));
        assertEquals(500, get(base + "/fail"));
        assertEquals(200, get(base + "/limited/4"));
        assertEquals(429, get(base + "/limited/5"));
        assertEquals(403, get(base + "/forbidden"));

        // 6 inbound lines (7 with the filter's answer), and an outbound pricing call for items 1..4
        int expected = seesFilters ? 11 : 10;
        var lines = AccessLogFile.awaitWhileWritten(accessLog, l -> l.size() >= expected, app, Duration.ofSeconds(30));
        Thread.sleep(300); // a duplicate would be written right after; give it the chance to show
        lines = AccessLogFile.readWhileWritten(accessLog);
        var inbound = lines.stream().filter(e -> e.direction().equals("inbound")).toList();
        var outbound = lines.stream().filter(e -> e.direction().equals("outbound")).toList();
        List<String> paths = new ArrayList<>(List.of("/async/3", "/fail", "/forward/2", "/items/1", "/limited/4",
                "/limited/5"));
        if (seesFilters) {
            paths.add(2, "/forbidden");
        }
        assertEquals(paths, inbound.stream().map(AccessLogFile.Entry::path).sorted().toList(),
                "one inbound line per request: " + lines);
        if (seesFilters) {
            var forbidden = only(inbound, "/forbidden");
            assertEquals(403L, forbidden.status(), "answered by a filter, before any servlet");
            assertEquals(1L, forbidden.attempts());
        }
        assertEquals(4, outbound.size(), lines.toString());

        var items = only(inbound, "/items/1");
        assertEquals(200L, items.status());
        assertEquals("catalog", items.service());
        assertEquals("GET", items.method());
        assertEquals(w3cTrace, items.text("trace_id"));
        assertEquals("00f067aa0ba902b7", items.text("parent_span_id"));
        assertEquals(items.text("span_id"), only(outbound, w3cTrace).text("parent_span_id"),
                "the servlet's call to pricing is a child of the inbound span");
        assertEquals("pricing", only(outbound, w3cTrace).service());

        var forwarded = only(inbound, "/forward/2");
        assertEquals(b3Trace, forwarded.text("trace_id"), "b3 joined");
        assertEquals(200L, forwarded.status());
        assertNotNull(only(outbound, b3Trace));

        var async = only(inbound, "/async/3");
        assertEquals(200L, async.status(), "recorded when the async request completed");

        var failed = only(inbound, "/fail");
        assertEquals(500L, failed.status());
        assertTrue(failed.error().contains("the catalog failed on purpose"), failed.toString());

        var admitted = only(inbound, "/limited/4");
        assertEquals("limited", admitted.text("route"));
        assertEquals(List.of(), admitted.flags());
        var refused = only(inbound, "/limited/5");
        assertEquals(429L, refused.status());
        assertEquals(List.of("RL"), refused.flags());
        assertEquals(0L, refused.attempts());
        assertEquals(4, pricing.stats().requests(), "the refused request never reached the servlet");
        assertNull(items.caller());
    }

    private static AccessLogFile.Entry only(List<AccessLogFile.Entry> entries, String pathOrTrace) {
        var found = entries.stream().filter(e -> e.path().equals(pathOrTrace)
                || pathOrTrace.equals(e.text("trace_id"))).toList();
        assertEquals(1, found.size(), pathOrTrace + " in " + entries);
        return found.get(0);
    }

    private static int get(String url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
