package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.MeshConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's routing, retry, timeout and breaker decisions, with a scripted library and no I/O. */
class MeshEngineImplTest {
    private static final String TWO_ENDPOINTS = """
            services:
              inventory:
                endpoints: ["10.0.0.1:8080", "10.0.0.2:8080"]
            """;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<CallRecord> records = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private MeshEngineImpl engine(String yaml) throws Exception {
        MeshConfig config = ConfigLoader.parse(yaml, "test.yaml").config();
        return new MeshEngineImpl(config, scheduler, records::add);
    }

    private static OutboundCall get(String host) {
        return new OutboundCall("http", "http", host, -1, "GET", "/items/1", true);
    }

    private static OutboundCall post(String host) {
        return new OutboundCall("http", "http", host, -1, "POST", "/orders", true);
    }

    private CallRecord onlyRecord() {
        assertEquals(1, records.size(), "one record per logical call");
        return records.get(0);
    }

    @Test
    void aHostThatIsNotAServicePassesThroughToTheAddressTheAppUsed() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(200);

        ScriptedExchange.Response response = engine(TWO_ENDPOINTS).call(
                new OutboundCall("http", "http", "example.org", 8081, "GET", "/", true), exchange);

        assertEquals("example.org:8081", response.endpoint());
        CallRecord record = onlyRecord();
        assertNull(record.service());
        assertEquals(200, record.status());
        assertEquals(1, record.attempts());
        assertEquals("example.org:8081", record.upstream());
    }

    @Test
    void aServiceNameIsRoutedRoundRobinOverItsEndpoints() throws Exception {
        MeshEngineImpl engine = engine(TWO_ENDPOINTS);
        ScriptedExchange exchange = new ScriptedExchange();

        for (int i = 0; i < 4; i++) {
            engine.call(get("inventory"), exchange);
        }

        assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.1:8080", "10.0.0.2:8080"),
                exchange.attempts.stream().map(ScriptedExchange.Attempt::endpoint).toList());
        assertEquals("inventory", records.get(0).service());
    }

    @Test
    void a503IsRetriedOnTheNextEndpointAndTheAppSeesOneSuccessfulCall() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(503, 200);

        ScriptedExchange.Response response = engine(TWO_ENDPOINTS + """
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms } }
                """).call(get("inventory"), exchange);

        assertEquals(200, response.status());
        assertEquals(2, exchange.attempts.size());
        assertTrue(!exchange.attempts.get(0).endpoint().equals(exchange.attempts.get(1).endpoint()),
                "the retry goes to the other endpoint");
        assertEquals(List.of(new ScriptedExchange.Response(503, exchange.attempts.get(0).endpoint())),
                exchange.discarded, "the replaced 503 is released");
        CallRecord record = onlyRecord();
        assertEquals(2, record.attempts());
        assertEquals(200, record.status());
        assertEquals("-", record.flagsText());
    }

    @Test
    void connectFailuresAndResetsAreRetriedAndAListedStatusToo() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange()
                .then(new ConnectException("refused"), new SocketException("Connection reset"), 429, 200);

        ScriptedExchange.Response response = engine(TWO_ENDPOINTS + """
                    retry: { maxAttempts: 4, backoff: { base: 1ms, max: 2ms }, retryOn: [connect-failure, reset, "429"] }
                """).call(get("inventory"), exchange);

        assertEquals(200, response.status());
        assertEquals(4, onlyRecord().attempts());
    }

    @Test
    void whenRetriesRunOutTheAppGetsTheLastResponseAndTheRecordSaysURX() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(503, 503, 502);

        ScriptedExchange.Response response = engine(TWO_ENDPOINTS + """
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms } }
                """).call(get("inventory"), exchange);

        assertEquals(502, response.status());
        CallRecord record = onlyRecord();
        assertEquals(3, record.attempts());
        assertEquals(502, record.status());
        assertEquals("URX", record.flagsText());
    }

    @Test
    void aPostIsNotRetriedByDefault() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(503, 200);

        ScriptedExchange.Response response = engine(TWO_ENDPOINTS + """
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms } }
                """).call(post("inventory"), exchange);

        assertEquals(503, response.status());
        assertEquals(1, exchange.attempts.size());
    }

    @Test
    void aPostIsRetriedWhereTheRetryPolicyListsItsMethodAndAGetThenIsNot() throws Exception {
        MeshEngineImpl engine = engine(TWO_ENDPOINTS + """
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms }, methods: [POST] }
                """);
        ScriptedExchange posts = new ScriptedExchange().then(503, 200);
        assertEquals(200, engine.call(post("inventory"), posts).status());
        assertEquals(2, posts.attempts.size());

        ScriptedExchange gets = new ScriptedExchange().then(503, 200);
        assertEquals(503, engine.call(get("inventory"), gets).status());
        assertEquals(1, gets.attempts.size(), "methods replaces the default list, it does not extend it");
    }

    @Test
    void aRouteCanAllowPostRetriesForItsCallsOnly() throws Exception {
        MeshEngineImpl engine = engine(TWO_ENDPOINTS + """
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms } }
                routes:
                  - match: { host: inventory, pathPrefix: /orders }
                    to: [ { service: inventory } ]
                    retry: { maxAttempts: 2, backoff: { base: 1ms, max: 2ms }, methods: [POST] }
                """);
        ScriptedExchange orders = new ScriptedExchange().then(503, 200);
        assertEquals(200, engine.call(post("inventory"), orders).status());
        assertEquals(2, orders.attempts.size());

        ScriptedExchange elsewhere = new ScriptedExchange().then(503, 200);
        OutboundCall otherPost = new OutboundCall("http", "http", "inventory", -1, "POST", "/payments", true);
        assertEquals(503, engine.call(otherPost, elsewhere).status());
        assertEquals(1, elsewhere.attempts.size());
    }

    @Test
    void aRequestWhoseBodyCannotBeReplayedIsNeverRetried() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(503, 200);
        OutboundCall streamed = new OutboundCall("http", "http", "inventory", -1, "PUT", "/items/1", false);

        engine(TWO_ENDPOINTS + """
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms } }
                """).call(streamed, exchange);

        assertEquals(1, exchange.attempts.size());
    }

    @Test
    void aPostIsRetriedWhereRetryMethodsListsIt() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(503, 201);

        ScriptedExchange.Response response = engine(TWO_ENDPOINTS + """
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms }, methods: [POST] }
                """).call(post("inventory").withBodyBytes(100), exchange);

        assertEquals(201, response.status());
        assertEquals(2, exchange.attempts.size());
    }

    @Test
    void aGetIsNotRetriedWhenRetryMethodsLeavesItOut() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(503, 200);

        engine(TWO_ENDPOINTS + """
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms }, methods: [PUT] }
                """).call(get("inventory"), exchange);

        assertEquals(1, exchange.attempts.size());
    }

    @Test
    void aBodyIsReplayedUpToMaxReplayBodyBytesAndNoFurther() throws Exception {
        String config = TWO_ENDPOINTS + """
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms }, maxReplayBodyBytes: 1000 }
                """;
        OutboundCall put = new OutboundCall("http", "http", "inventory", -1, "PUT", "/items/1", true);

        ScriptedExchange small = new ScriptedExchange().then(503, 200);
        engine(config).call(put.withBodyBytes(1000), small);
        assertEquals(2, small.attempts.size(), "1000 bytes: replayed");

        ScriptedExchange large = new ScriptedExchange().then(503, 200);
        engine(config).call(put.withBodyBytes(1001), large);
        assertEquals(1, large.attempts.size(), "1001 bytes: one attempt");

        ScriptedExchange unknown = new ScriptedExchange().then(503, 200);
        engine(config).call(put.withBodyBytes(-1), unknown);
        assertEquals(1, unknown.attempts.size(), "a stream of unknown size: one attempt");
    }

    @Test
    void theRequestsOwnTimeoutBoundsTheCallWhenItIsTighterThanTheServices() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange();
        for (int i = 0; i < 100; i++) {
            exchange.then(new SocketTimeoutException("read timed out"));
        }

        // 99 back-offs of up to 100ms each: the request's 150ms run out long before the attempts do
        Exception e = assertThrows(SocketTimeoutException.class, () -> engine(TWO_ENDPOINTS + """
                    timeout: 10s
                    retry: { maxAttempts: 100, perTryTimeout: 5s, backoff: { base: 100ms, max: 100ms } }
                """).call(get("inventory").withTimeoutMillis(150), exchange));

        for (ScriptedExchange.Attempt attempt : exchange.attempts) {
            assertTrue(attempt.timeoutMillis() <= 150, "an attempt gets at most what is left of the request's 150ms: "
                    + exchange.attempts);
        }
        assertTrue(exchange.attempts.size() < 100, exchange.attempts.size() + " attempts");
        assertTrue(onlyRecord().flagsText().contains("UT"), onlyRecord().flagsText());
        assertTrue(e.getMessage().contains("timed out after 150ms"), e.getMessage());
    }

    @Test
    void theDefaultReplayLimitIs64KiB() throws Exception {
        String config = TWO_ENDPOINTS + """
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms } }
                """;
        OutboundCall put = new OutboundCall("http", "http", "inventory", -1, "PUT", "/items/1", true);
        ScriptedExchange atLimit = new ScriptedExchange().then(503, 200);
        engine(config).call(put.withBodyBytes(64 * 1024), atLimit);
        ScriptedExchange over = new ScriptedExchange().then(503, 200);
        engine(config).call(put.withBodyBytes(64 * 1024 + 1), over);

        assertEquals(2, atLimit.attempts.size());
        assertEquals(1, over.attempts.size());
    }

    @Test
    void aTimedOutAttemptIsRetriedAndTheAppSeesTheLibraryTimeoutWithUT() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(
                new SocketTimeoutException("Read timed out"), new SocketTimeoutException("Read timed out"));

        SocketTimeoutException thrown = assertThrows(SocketTimeoutException.class, () -> engine(TWO_ENDPOINTS + """
                    retry: { maxAttempts: 2, perTryTimeout: 300ms, backoff: { base: 1ms, max: 2ms } }
                """).call(get("inventory"), exchange));

        assertEquals("Read timed out", thrown.getMessage());
        assertEquals(List.of(300, 300), exchange.attempts.stream().map(ScriptedExchange.Attempt::timeoutMillis).toList(),
                "each attempt gets the per-try timeout");
        CallRecord record = onlyRecord();
        assertEquals(-1, record.status());
        assertEquals("UT,URX", record.flagsText());
    }

    @Test
    void thePerTryTimeoutIsCutToWhatIsLeftOfTheOverallTimeout() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(200);

        engine(TWO_ENDPOINTS + """
                    timeout: 200ms
                    retry: { maxAttempts: 2, perTryTimeout: 5s, backoff: { base: 1ms, max: 2ms } }
                """).call(get("inventory"), exchange);

        int given = exchange.attempts.get(0).timeoutMillis();
        assertTrue(given > 0 && given <= 200, "attempt timeout " + given + "ms must fit in the 200ms overall timeout");
    }

    @Test
    void whenTheOverallTimeoutIsUsedUpTheAppGetsTheLibraryTimeoutException() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange() {
            @Override
            public Response attempt(String host, int port, int timeoutMillis) throws Exception {
                super.attempt(host, port, timeoutMillis);
                Thread.sleep(timeoutMillis); // the library waits out its timeout...
                throw new java.net.http.HttpTimeoutException("request timed out"); // ...and says so
            }
        };

        Exception thrown = assertThrows(Exception.class, () -> engine(TWO_ENDPOINTS + """
                    timeout: 150ms
                    retry: { maxAttempts: 10, perTryTimeout: 100ms, backoff: { base: 1ms, max: 2ms } }
                """).call(get("inventory"), exchange));

        assertTrue(thrown instanceof SocketTimeoutException || thrown instanceof java.net.http.HttpTimeoutException,
                "a timeout the library's way, got " + thrown);
        assertTrue(exchange.attempts.size() < 10, "the overall timeout stops the retries");
        assertTrue(onlyRecord().flagsText().contains("UT"), onlyRecord().flagsText());
    }

    @Test
    void anOpenBreakerFailsFastWithAnIOExceptionNamingJmeshTheServiceAndTheReason() throws Exception {
        MeshEngineImpl engine = engine(TWO_ENDPOINTS + """
                    circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 4, window: 10s, openDuration: 30s }
                """);
        ScriptedExchange exchange = new ScriptedExchange().then(503, 503, 503, 503);
        for (int i = 0; i < 4; i++) {
            assertEquals(503, engine.call(get("inventory"), exchange).status());
        }

        IOException rejected = assertThrows(IOException.class, () -> engine.call(get("inventory"), exchange));

        assertTrue(rejected.getMessage().startsWith("jmesh: circuit breaker open for service 'inventory'"),
                rejected.getMessage());
        assertTrue(rejected.getMessage().contains("50%"), rejected.getMessage());
        assertEquals(4, exchange.attempts.size(), "no attempt while open");
        CallRecord last = records.get(records.size() - 1);
        assertEquals(0, last.attempts());
        assertEquals("UO", last.flagsText());
    }

    @Test
    void theRecordNamesTheApplicationFrameThatMadeTheCall() throws Exception {
        engine(TWO_ENDPOINTS + "telemetry: { accessLog: { path: stdout } }\n").call(get("inventory"),
                new ScriptedExchange());

        String caller = onlyRecord().caller();
        assertTrue(caller != null && caller.startsWith("org.junit."), "JUnit called the engine here: " + caller);
    }

    @Test
    void exportedSpansNameTheApplicationFrameToo() throws Exception {
        engine(TWO_ENDPOINTS + "telemetry: { tracing: { otlp: { endpoint: \"http://127.0.0.1:4318\" } } }\n")
                .call(get("inventory"), new ScriptedExchange());

        String caller = onlyRecord().caller();
        assertTrue(caller != null && caller.startsWith("org.junit."), "the span's jmesh.caller: " + caller);
    }

    @Test
    void withoutAnAccessLogOrSpansNoCallerIsLookedUp() throws Exception {
        engine(TWO_ENDPOINTS).call(get("inventory"), new ScriptedExchange());
        engine(TWO_ENDPOINTS).call(get("inventory").withCaller("com.shop.Cart.checkout:42"), new ScriptedExchange());

        assertNull(records.get(0).caller(), "only the access log and spans show it, and the stack walk is most of a call's cost");
        assertEquals("com.shop.Cart.checkout:42", records.get(1).caller(), "a frame the instrumentation captured stays");
    }

    @Test
    void anAccessLogWithoutTheCallerFieldLooksNoCallerUp() throws Exception {
        engine(TWO_ENDPOINTS + "telemetry: { accessLog: { path: stdout, caller: false } }\n")
                .call(get("inventory"), new ScriptedExchange());

        assertNull(onlyRecord().caller(), "caller: false spares every call the stack walk");
    }

    @Test
    void eachAttemptCarriesATraceparentOfTheCallsTrace() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(503, 200);

        engine(TWO_ENDPOINTS + """
                    retry: { maxAttempts: 2, backoff: { base: 1ms, max: 2ms } }
                """).call(get("inventory"), exchange);

        String traceId = onlyRecord().traceId();
        assertTrue(traceId.matches("[0-9a-f]{32}"), traceId);
        List<String> sent = exchange.attempts.stream().map(a -> a.addedHeaders().get("traceparent")).toList();
        assertEquals(2, sent.size());
        for (String traceparent : sent) {
            assertTrue(traceparent.matches("00-" + traceId + "-[0-9a-f]{16}-01"), traceparent);
        }
        assertTrue(!sent.get(0).equals(sent.get(1)), "each attempt is a span of its own");
    }

    @Test
    void aCallThatAlreadyCarriesATraceparentJoinsThatTraceAndKeepsTheHeader() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange();
        String appTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        OutboundCall traced = new OutboundCall("http", "http", "inventory", -1, "GET", "/", true,
                name -> name.equalsIgnoreCase("traceparent") ? appTraceparent : null);

        engine(TWO_ENDPOINTS).call(traced, exchange);

        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", onlyRecord().traceId());
        assertEquals(java.util.Map.of(), exchange.attempts.get(0).addedHeaders(), "the app's own header stands");
    }

    @Test
    void anInvalidTraceparentIsIgnoredAndANewTraceStarts() {
        for (String invalid : List.of("", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "garbage")) {
            assertNull(Propagation.DEFAULT.extract(name -> name.equals("traceparent") ? invalid : null), invalid);
        }
    }

    @Test
    void asyncCallsFollowTheSamePolicies() throws Exception {
        AsyncScriptedExchange exchange = new AsyncScriptedExchange(new ScriptedExchange().then(503, 200));

        ScriptedExchange.Response response = engine(TWO_ENDPOINTS + """
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms } }
                """).callAsync(get("inventory"), exchange).get();

        assertEquals(200, response.status());
        CallRecord record = onlyRecord();
        assertEquals(2, record.attempts());
        assertEquals(200, record.status());
    }
}
