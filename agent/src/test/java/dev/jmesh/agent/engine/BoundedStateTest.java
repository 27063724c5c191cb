package dev.jmesh.agent.engine;

import dev.jmesh.agent.telemetry.MeshMetrics;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.MeshConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #11, bounded memory: a million distinct URLs (half to a thousand mesh services, half to a million hosts
 * outside the mesh) and a thousand services through the engine and the metrics leave every piece of state the
 * agent keeps at its cap: metric series, attribute values, per-endpoint state (the cache of call-site texts has
 * its own cap test in {@link CallerTest}). The calls have
 * no I/O, so this runs in seconds; the counts asserted are the ones the caps report.
 */
class BoundedStateTest {
    private static final int SERVICES = 1000;
    private static final int CALLS = 1_000_000;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MeshMetrics metrics = new MeshMetrics("shop", MeshMetrics.DEFAULT_SERIES_LIMIT,
            MeshMetrics.DEFAULT_VALUE_LIMIT, Map.of());

    @AfterEach
    void stop() {
        metrics.close();
        scheduler.shutdownNow();
    }

    @Test
    void aMillionDistinctUrlsAndAThousandServicesStayWithinEveryCap() throws Exception {
        StringBuilder yaml = new StringBuilder("services:\n");
        for (int s = 0; s < SERVICES; s++) {
            yaml.append("  svc-").append(s).append(": { endpoints: [\"10.0.").append(s / 250).append('.')
                    .append(s % 250 + 1).append(":8080\"], retry: { maxAttempts: 2 } }\n");
        }
        MeshConfig config = ConfigLoader.parse(yaml.toString(), "bounded.yaml").config();
        MeshEngineImpl engine = new MeshEngineImpl(config, scheduler, metrics::record);
        ScriptedExchange exchange = new NoRecordingExchange();

        for (int i = 0; i < CALLS; i++) {
            String host = i % 2 == 0 ? "svc-" + (i / 2 % SERVICES) : "h" + i + ".example.org";
            // The caller is given, as instrumentations that capture it do: this test is about state, not stacks.
            engine.call(new OutboundCall("http", "http", host, 80, "GET", "/items/" + i, true)
                    .withQuery("id=" + i).withCaller("test.Shop.call:" + i), exchange);
        }

        MetricData durations = metrics.collectCumulative().stream()
                .filter(m -> m.getName().equals("http.client.request.duration")).findFirst().orElseThrow();
        long counted = 0;
        Set<String> addresses = new HashSet<>();
        for (HistogramPointData point : durations.getHistogramData().getPoints()) {
            counted += point.getCount();
            Attributes attributes = point.getAttributes();
            addresses.add(attributes.get(AttributeKey.stringKey("server.address")));
        }
        assertEquals(CALLS, counted, "every call is counted, in its own series or in an overflow one");
        int series = durations.getHistogramData().getPoints().size();
        assertTrue(series <= MeshMetrics.DEFAULT_SERIES_LIMIT, series + " series");
        // the services' names always pass; other hosts stop at the value cap and fold into _OTHER
        assertTrue(addresses.size() <= SERVICES + MeshMetrics.DEFAULT_VALUE_LIMIT + 1, addresses.size() + " addresses");
        assertTrue(addresses.contains(MeshMetrics.OTHER));
        long exposed = metrics.prometheusText().lines().count();
        assertTrue(exposed < 200_000, "the Prometheus text stays bounded: " + exposed + " lines");

        List<ClusterView> clusters = engine.clusters();
        assertEquals(SERVICES, clusters.size(), "one cluster per configured service, none per host called");
        assertEquals(SERVICES, clusters.stream().mapToInt(c -> c.endpoints.size()).sum(),
                "per-endpoint state only for configured endpoints");
    }

    /** Answers 200 at once and keeps nothing, so the test's own bookkeeping does not grow with the calls. */
    private static final class NoRecordingExchange extends ScriptedExchange {
        private static final Response OK = new Response(200, "x");

        @Override
        public Response attempt(String host, int port, int timeoutMillis) {
            return OK;
        }
    }
}
