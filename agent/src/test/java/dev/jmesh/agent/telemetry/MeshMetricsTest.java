package dev.jmesh.agent.telemetry;

import dev.jmesh.agent.engine.AwsRecords;
import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.agent.engine.SyntheticRecords;
import dev.jmesh.bootstrap.OutboundCall;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeshMetricsTest {
    private MeshMetrics metrics = new MeshMetrics("shop", 2000, 100, Map.of("metrics", () -> 7L));

    @AfterEach
    void close() {
        metrics.close();
    }

    private static OutboundCall http(String host, int port, String method, String path) {
        return new OutboundCall("http", "http", host, port, method, path, true);
    }

    private static CallRecord outbound(OutboundCall call, String service, int attempts, int status, Throwable failure,
                                       String... flags) {
        return SyntheticRecords.record(call, CallRecord.DIRECTION_OUTBOUND, service, null, attempts, status, failure,
                flags);
    }

    private MetricData metric(String name) {
        return find(metrics.collectCumulative(), name);
    }

    private static MetricData find(Collection<MetricData> all, String name) {
        return all.stream().filter(m -> m.getName().equals(name)).findFirst().orElse(null);
    }

    private static HistogramPointData onlyPoint(MetricData histogram) {
        assertNotNull(histogram);
        Collection<HistogramPointData> points = histogram.getHistogramData().getPoints();
        assertEquals(1, points.size(), points.toString());
        return points.iterator().next();
    }

    private static long sum(MetricData counter, Attributes attributes) {
        return counter.getLongSumData().getPoints().stream().filter(p -> p.getAttributes().equals(attributes))
                .mapToLong(LongPointData::getValue).sum();
    }

    @Test
    void anOutboundHttpCallIsOneClientDurationWithSemanticConventionAttributes() {
        metrics.record(outbound(http("inventory", 8080, "GET", "/items/42"), "inventory", 3, 200, null));

        HistogramPointData p = onlyPoint(metric("http.client.request.duration"));
        assertEquals(1, p.getCount());
        Attributes a = p.getAttributes();
        assertEquals("inventory", a.get(AttributeKey.stringKey("server.address")));
        assertEquals(8080L, a.get(AttributeKey.longKey("server.port")));
        assertEquals("GET", a.get(AttributeKey.stringKey("http.request.method")));
        assertEquals(200L, a.get(AttributeKey.longKey("http.response.status_code")));
        assertEquals("inventory", a.get(AttributeKey.stringKey("jmesh.service")));
        assertNull(a.get(AttributeKey.stringKey("error.type")));
        assertFalse(a.asMap().values().stream().anyMatch(v -> String.valueOf(v).contains("/items")), a.toString());
        assertEquals("s", metric("http.client.request.duration").getUnit());
        assertEquals(2, sum(metric("jmesh.retries"), Attributes.of(MeshMetrics.SERVICE, "inventory")),
                "three attempts are two retries");
    }

    @Test
    void errorTypeIsTheExceptionClassOrTheStatusFrom400() {
        metrics.record(outbound(http("inventory", -1, "GET", "/"), "inventory", 1, -1, new SocketTimeoutException()));
        metrics.record(outbound(http("inventory", -1, "PATCH", "/"), "inventory", 1, 404, null));
        metrics.record(outbound(http("inventory", -1, "BREW", "/"), "inventory", 1, 200, null));

        Set<Attributes> series = metric("http.client.request.duration").getHistogramData().getPoints().stream()
                .map(HistogramPointData::getAttributes).collect(Collectors.toSet());
        assertTrue(series.stream().anyMatch(a -> "java.net.SocketTimeoutException".equals(a.get(MeshMetrics.ERROR_TYPE))
                && a.get(MeshMetrics.HTTP_STATUS) == null), series.toString());
        assertTrue(series.stream().anyMatch(a -> "404".equals(a.get(MeshMetrics.ERROR_TYPE))
                && "PATCH".equals(a.get(MeshMetrics.HTTP_METHOD))), series.toString());
        assertTrue(series.stream().anyMatch(a -> "_OTHER".equals(a.get(MeshMetrics.HTTP_METHOD))),
                "unknown methods fold into _OTHER: " + series);
        assertTrue(series.stream().noneMatch(a -> a.get(MeshMetrics.SERVER_PORT) != null), "no port, no server.port");
    }

    @Test
    void anInboundRecordIsAServerDuration() {
        OutboundCall request = new OutboundCall("http", "http", "shop.local", 8080, "POST", "/orders", false);
        metrics.record(SyntheticRecords.record(request, CallRecord.DIRECTION_INBOUND, null, "orders-route", 1, 503,
                null));

        assertNull(metric("http.client.request.duration"), "an inbound call is not a client call");
        HistogramPointData p = onlyPoint(metric("http.server.request.duration"));
        Attributes a = p.getAttributes();
        assertEquals("POST", a.get(MeshMetrics.HTTP_METHOD));
        assertEquals(503L, a.get(MeshMetrics.HTTP_STATUS));
        assertEquals("503", a.get(MeshMetrics.ERROR_TYPE), "5xx is a server error");
        assertEquals("http", a.get(MeshMetrics.URL_SCHEME));
        assertEquals("orders-route", a.get(MeshMetrics.ROUTE));
    }

    @Test
    void aJdbcCallIsADatabaseOperationDuration() {
        OutboundCall query = new OutboundCall("jdbc", "postgresql", "db1", 5432, "SELECT", "", false)
                .withDatabase(new OutboundCall.Database("orders", "order_lines", "SELECT * FROM order_lines WHERE id = ?"));
        metrics.record(outbound(query, "orders-db", 1, -1, null));
        metrics.record(outbound(query, "orders-db", 1, -1, new java.sql.SQLTimeoutException("slow")));

        assertNull(metric("http.client.request.duration"));
        MetricData db = metric("db.client.operation.duration");
        assertNotNull(db);
        assertEquals(2, db.getHistogramData().getPoints().size());
        for (HistogramPointData p : db.getHistogramData().getPoints()) {
            Attributes a = p.getAttributes();
            assertEquals("postgresql", a.get(MeshMetrics.DB_SYSTEM));
            assertEquals("SELECT", a.get(MeshMetrics.DB_OPERATION));
            assertEquals("orders", a.get(MeshMetrics.DB_NAMESPACE));
            assertEquals("order_lines", a.get(MeshMetrics.DB_COLLECTION));
            assertEquals("db1", a.get(MeshMetrics.SERVER_ADDRESS));
            assertNull(a.get(MeshMetrics.HTTP_STATUS));
            assertFalse(a.asMap().values().stream().anyMatch(v -> String.valueOf(v).contains("WHERE")),
                    "never the statement: " + a);
        }
        assertTrue(db.getHistogramData().getPoints().stream()
                .anyMatch(p -> "java.sql.SQLTimeoutException".equals(p.getAttributes().get(MeshMetrics.ERROR_TYPE))));
    }

    @Test
    void anAwsSdkCallIsAnRpcClientCallDurationAndItsSdkRetriesAreNotMeshRetries() {
        metrics.record(AwsRecords.s3("GetObject", 4, 500, "REQ1", new RuntimeException("InternalError")));
        metrics.record(AwsRecords.s3("GetObject", 1, 200, "REQ2", null));

        assertNull(metric("http.client.request.duration"), "one SDK call, not an HTTP request");
        MetricData rpc = metric("rpc.client.call.duration");
        assertNotNull(rpc);
        assertEquals("s", rpc.getUnit());
        assertEquals(2, rpc.getHistogramData().getPoints().size());
        for (HistogramPointData p : rpc.getHistogramData().getPoints()) {
            Attributes a = p.getAttributes();
            assertEquals("aws-api", a.get(MeshMetrics.RPC_SYSTEM_NAME));
            assertEquals("S3/GetObject", a.get(MeshMetrics.RPC_METHOD));
            assertEquals("127.0.0.1", a.get(MeshMetrics.SERVER_ADDRESS));
        }
        assertTrue(rpc.getHistogramData().getPoints().stream()
                .anyMatch(p -> "java.lang.RuntimeException".equals(p.getAttributes().get(MeshMetrics.ERROR_TYPE))));
        assertNull(metric("jmesh.retries"), "the SDK's own retries are its attempts, not the mesh's retries");
    }

    @Test
    void flagsBecomeMeshCounters() {
        OutboundCall call = http("inventory", -1, "GET", "/");
        metrics.record(outbound(call, "inventory", 0, -1, new IOException("throttled"), "RL"));
        metrics.record(outbound(call, "inventory", 1, 200, null, "~RL", "~RETRY"));
        metrics.record(SyntheticRecords.record(call, CallRecord.DIRECTION_OUTBOUND, "inventory", "canary", 0, -1,
                new IOException("abort"), "FI"));
        metrics.record(outbound(http("evil.example.com", 443, "GET", "/"), null, 0, -1, new IOException("no"), "NR"));

        Attributes inventory = Attributes.of(MeshMetrics.SERVICE, "inventory");
        assertEquals(1, sum(metric("jmesh.rate_limited"), inventory));
        assertEquals(1, sum(metric("jmesh.shadow.decisions"), inventory.toBuilder().put(MeshMetrics.DECISION, "RL").build()));
        assertEquals(1, sum(metric("jmesh.shadow.decisions"), inventory.toBuilder().put(MeshMetrics.DECISION, "RETRY").build()));
        assertEquals(1, sum(metric("jmesh.fault_injected"), inventory.toBuilder().put(MeshMetrics.FAULT, "abort")
                .put(MeshMetrics.ROUTE, "canary").build()));
        assertEquals(1, sum(metric("jmesh.egress.denied"), Attributes.of(MeshMetrics.SERVER_ADDRESS, "evil.example.com")));
        assertNull(metric("jmesh.retries"), "no call was retried");
    }

    @Test
    void engineEventsAndObservedValuesAreCounted() {
        metrics.breakerTransition("inventory", "slow_calls", "closed", "open", false);
        metrics.ejected("inventory", "127.0.0.1:8080", false);

        assertEquals(1, sum(metric("jmesh.circuit_breaker.transitions"), Attributes.builder()
                .put(MeshMetrics.SERVICE, "inventory").put(MeshMetrics.BREAKER, "slow_calls")
                .put(MeshMetrics.FROM, "closed").put(MeshMetrics.TO, "open")
                .put(MeshMetrics.SHADOW, false).build()));
        assertEquals(1, sum(metric("jmesh.outlier_detection.ejections"), Attributes.builder()
                .put(MeshMetrics.SERVICE, "inventory").put(MeshMetrics.SHADOW, false).build()));
        assertEquals(7, sum(metric("jmesh.telemetry.dropped"), Attributes.of(MeshMetrics.SINK, "metrics")));
        assertNotNull(metric("jmesh.config.reloads"));
    }

    @Test
    void serverAddressValuesStopAtTheirCapAndFoldIntoOther() {
        metrics.close();
        metrics = new MeshMetrics(null, 2000, 20, Map.of());
        for (int i = 0; i < 500; i++) {
            metrics.record(outbound(http("host-" + i + ".example.com", 80, "GET", "/p/" + i + "?q=" + i), null, 1, 200,
                    null));
        }
        metrics.record(outbound(http("inventory", 80, "GET", "/"), "inventory", 1, 200, null));

        Set<String> addresses = new HashSet<>();
        long calls = 0;
        for (HistogramPointData p : metric("http.client.request.duration").getHistogramData().getPoints()) {
            addresses.add(p.getAttributes().get(MeshMetrics.SERVER_ADDRESS));
            calls += p.getCount();
        }
        assertEquals(501, calls, "every call is counted, in its own series or in _OTHER");
        assertEquals(22, addresses.size(), "20 hosts, _OTHER, and the mesh service: " + addresses);
        assertTrue(addresses.contains("_OTHER") && addresses.contains("inventory"), addresses.toString());
    }

    @Test
    void everyInstrumentKeepsAtMostItsSeriesLimit() {
        metrics.close();
        int limit = 50;
        metrics = new MeshMetrics(null, limit, 100_000, Map.of());
        for (int i = 0; i < 1000; i++) {
            metrics.record(outbound(http("host-" + i, 80, "GET", "/"), null, 2, 200, null));
        }

        List<HistogramPointData> series = List.copyOf(metric("http.client.request.duration").getHistogramData().getPoints());
        assertEquals(limit, series.size(), "the SDK keeps limit - 1 series and one overflow series");
        assertTrue(series.stream().anyMatch(p -> Boolean.TRUE.equals(
                p.getAttributes().get(AttributeKey.booleanKey("otel.metric.overflow")))));
        assertEquals(1000, series.stream().mapToLong(HistogramPointData::getCount).sum());
        String text = metrics.prometheusText();
        long exported = text.lines().filter(l -> l.startsWith("http_client_request_duration_seconds_count{")).count();
        assertEquals(limit, exported, "the Prometheus exposition has the same bounded series");
    }

    @Test
    void prometheusTextFollowsOpenTelemetrysNamingRules() {
        metrics.record(outbound(http("inventory", 8080, "GET", "/"), "inventory", 2, 200, null));

        String text = metrics.prometheusText();
        assertTrue(text.contains("# TYPE http_client_request_duration_seconds histogram\n"), text);
        assertTrue(text.contains("http_client_request_duration_seconds_bucket{http_request_method=\"GET\","
                + "http_response_status_code=\"200\",jmesh_service=\"inventory\",server_address=\"inventory\","
                + "server_port=\"8080\",le=\"+Inf\"} 1\n"), text);
        assertTrue(text.contains("http_client_request_duration_seconds_count{"), text);
        assertTrue(text.contains("# TYPE jmesh_retries_total counter\njmesh_retries_total{jmesh_service=\"inventory\"} 1\n"),
                text);
        for (String line : text.split("\n")) {
            assertTrue(line.startsWith("#") || line.matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? \\S+"), line);
        }
    }

    @Test
    void statsdLinesCarryTagsOrFlattenThem() {
        metrics.record(outbound(http("inventory", 8080, "GET", "/"), "inventory", 2, 200, null));

        Collection<MetricData> delta = metrics.collectDelta();
        List<String> dog = StatsdExporter.lines(delta, true);
        assertTrue(dog.contains("jmesh.retries:1|c|#jmesh.service:inventory"), dog.toString());
        assertTrue(dog.stream().anyMatch(l -> l.startsWith("http.client.request.duration.count:1|c|#")
                && l.contains("server.address:inventory") && l.contains("http.response.status_code:200")), dog.toString());
        List<String> plain = StatsdExporter.lines(delta, false);
        assertTrue(plain.contains("jmesh.retries.inventory:1|c"), plain.toString());
        assertTrue(plain.stream().noneMatch(l -> l.contains("|#")), plain.toString());

        List<String> next = StatsdExporter.lines(metrics.collectDelta(), true);
        assertTrue(next.stream().noneMatch(l -> l.startsWith("jmesh.retries") || l.contains(".count:")),
                "a delta export sends only what changed since the last one: " + next);
    }
}
