package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code retry.honorRetryAfter}: the header's two forms against a fixed clock, and what the engine does with it. */
class RetryAfterTest {
    /** Thu, 01 Jan 2026 00:00:00 GMT: the fixed "now" of the date tests. */
    private static final long NOW = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<CallRecord> records = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void delaySecondsAndHttpDatesAreReadAgainstTheClock() {
        assertEquals(0, RetryAfter.millis("0", NOW));
        assertEquals(120_000, RetryAfter.millis(" 120 ", NOW));
        assertEquals(90_000, RetryAfter.millis("Thu, 01 Jan 2026 00:01:30 GMT", NOW));
        assertEquals(0, RetryAfter.millis("Wed, 31 Dec 2025 23:59:00 GMT", NOW), "a date in the past: no wait");
        assertEquals(24 * 3600_000L, RetryAfter.millis("99999999999", NOW), "capped at a day");
    }

    @Test
    void missingOrMalformedValuesAskForNothing() {
        assertEquals(-1, RetryAfter.millis(null, NOW));
        assertEquals(-1, RetryAfter.millis("", NOW));
        assertEquals(-1, RetryAfter.millis("-5", NOW));
        assertEquals(-1, RetryAfter.millis("1.5", NOW));
        assertEquals(-1, RetryAfter.millis("soon", NOW));
        assertEquals(-1, RetryAfter.millis("2026-01-01T00:01:30Z", NOW), "not an HTTP-date");
    }

    @Test
    void onlyTooManyRequestsAndServiceUnavailableAreRead() {
        assertTrue(RetryAfter.applies(429));
        assertTrue(RetryAfter.applies(503));
        assertEquals(false, RetryAfter.applies(500));
        assertEquals(false, RetryAfter.applies(301));
    }

    private MeshEngineImpl engine(String retry) throws Exception {
        return new MeshEngineImpl(ConfigLoader.parse("""
                services:
                  inventory:
                    endpoints: ["10.0.0.1:8080"]
                    timeout: 5s
                    retry: %s
                """.formatted(retry), "test.yaml").config(), scheduler, records::add);
    }

    private static OutboundCall get() {
        return new OutboundCall("http", "http", "inventory", -1, "GET", "/items/1", true);
    }

    private static ScriptedExchange.Reply unavailable(String retryAfter) {
        return new ScriptedExchange.Reply(503, Map.of("Retry-After", retryAfter));
    }

    @Test
    void theRetryWaitsAtLeastAsLongAsRetryAfterSaysThoughTheBackOffIsShorter() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(unavailable("1"), 200);

        ScriptedExchange.Response response = engine(
                "{ maxAttempts: 2, backoff: { base: 1ms, max: 2ms }, honorRetryAfter: true }").call(get(), exchange);

        assertEquals(200, response.status());
        long waited = exchange.attempts.get(1).startedNanos() - exchange.attempts.get(0).startedNanos();
        assertTrue(waited >= TimeUnit.SECONDS.toNanos(1), "waited only " + waited / 1_000_000 + "ms");
    }

    @Test
    void theAsyncPathWaitsAsWell() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(new ScriptedExchange.Reply(429,
                Map.of("Retry-After", "1")), 200);

        ScriptedExchange.Response response = engine("{ maxAttempts: 2, backoff: { base: 1ms, max: 2ms },"
                + " retryOn: [\"429\"], honorRetryAfter: true }")
                .callAsync(get(), new AsyncScriptedExchange(exchange)).get(10, TimeUnit.SECONDS);

        assertEquals(200, response.status());
        long waited = exchange.attempts.get(1).startedNanos() - exchange.attempts.get(0).startedNanos();
        assertTrue(waited >= TimeUnit.SECONDS.toNanos(1), "waited only " + waited / 1_000_000 + "ms");
    }

    @Test
    void aRetryAfterBeyondTheOverallTimeoutEndsTheRetriesWithThatResponse() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(unavailable("60"), 200);

        ScriptedExchange.Response response = engine(
                "{ maxAttempts: 3, backoff: { base: 1ms, max: 2ms }, honorRetryAfter: true }").call(get(), exchange);

        assertEquals(503, response.status(), "the app gets the 503 (and its Retry-After) at once");
        assertEquals(1, exchange.attempts.size());
        assertEquals(1, records.get(0).attempts());
    }

    @Test
    void withoutHonorRetryAfterTheHeaderIsIgnored() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(unavailable("60"), 200);

        ScriptedExchange.Response response = engine("{ maxAttempts: 2, backoff: { base: 1ms, max: 2ms } }")
                .call(get(), exchange);

        assertEquals(200, response.status(), "retried after the back-off, not after 60s (the call's timeout is 5s)");
        assertEquals(2, exchange.attempts.size());
    }

    @Test
    void aMalformedRetryAfterLeavesTheBackOff() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(unavailable("later"), 200);

        ScriptedExchange.Response response = engine(
                "{ maxAttempts: 2, backoff: { base: 1ms, max: 2ms }, honorRetryAfter: true }").call(get(), exchange);

        assertEquals(200, response.status());
        assertEquals(2, exchange.attempts.size());
    }
}
