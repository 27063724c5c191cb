package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.MeshConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's own attempt loop (ServiceRuntime): the blocking and the asynchronous path make the same attempts,
 * on the same endpoints, and end with the same outcome; and the full-jitter back-off between them.
 */
class AttemptLoopTest {
    private static final String SERVICE = """
            services:
              inventory:
                endpoints: ["10.0.0.1:8080", "10.0.0.2:8080"]
                retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms } }
                circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 2, window: 10s, openDuration: 1m }
            """;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<CallRecord> records = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private MeshEngineImpl engine() throws Exception {
        MeshConfig config = ConfigLoader.parse(SERVICE, "test.yaml").config();
        return new MeshEngineImpl(config, scheduler, records::add);
    }

    private static final OutboundCall GET = new OutboundCall("http", "http", "inventory", -1, "GET", "/items/1", true);

    /** One call, blocking or asynchronous; the async path's failure is unwrapped as the app's future shows it. */
    private static ScriptedExchange.Response call(MeshEngineImpl engine, ScriptedExchange exchange, boolean async)
            throws Exception {
        if (!async) {
            return engine.call(GET, exchange);
        }
        try {
            return engine.callAsync(GET, new AsyncScriptedExchange(exchange)).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void eachRetryGoesToTheOtherEndpointAndReleasesTheResponseItReplaces(boolean async) throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(503, 502, 200);

        ScriptedExchange.Response response = call(engine(), exchange, async);

        assertEquals(200, response.status());
        assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.1:8080"),
                exchange.attempts.stream().map(ScriptedExchange.Attempt::endpoint).toList());
        assertEquals(List.of(503, 502), exchange.discarded.stream().map(ScriptedExchange.Response::status).toList());
        assertEquals(3, records.get(0).attempts());
        assertEquals("10.0.0.1:8080,10.0.0.2:8080,10.0.0.1:8080", records.get(0).endpointsTried());
        assertEquals("10.0.0.1:8080", records.get(0).upstream());
        assertEquals("-", records.get(0).flagsText());
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void exhaustedRetriesHandTheAppTheLastResponseWithURX(boolean async) throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(503, 503, 504);

        ScriptedExchange.Response response = call(engine(), exchange, async);

        assertEquals(504, response.status());
        assertEquals(2, exchange.discarded.size(), "the last response is the app's, not released");
        assertEquals(3, records.get(0).attempts());
        assertEquals(504, records.get(0).status());
        assertEquals("URX", records.get(0).flagsText());
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void whenEveryAttemptFailsTheAppGetsTheLastFailure(boolean async) throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(new ConnectException("one"),
                new ConnectException("two"), new ConnectException("three"));

        ConnectException e = assertThrows(ConnectException.class, () -> call(engine(), exchange, async));

        assertEquals("three", e.getMessage());
        assertEquals(3, records.get(0).attempts());
        assertEquals("UF,URX", records.get(0).flagsText());
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void aNonRetryableFailureEndsTheCallAtOnce(boolean async) throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(new IllegalStateException("library bug"), 200);

        assertThrows(IllegalStateException.class, () -> call(engine(), exchange, async));
        assertEquals(1, exchange.attempts.size());
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void theBreakerCountsLogicalCallsAndThenFailsFastWithoutAnAttempt(boolean async) throws Exception {
        MeshEngineImpl engine = engine();
        ScriptedExchange failing = new ScriptedExchange().then(503, 503, 503, 503, 503, 503);
        call(engine, failing, async);
        call(engine, failing, async);
        assertEquals(6, failing.attempts.size(), "two logical calls of three attempts each");

        ScriptedExchange after = new ScriptedExchange();
        IOException e = assertThrows(IOException.class, () -> call(engine, after, async));

        assertTrue(e.getMessage().contains("circuit breaker open for service 'inventory'"), e.getMessage());
        assertEquals(0, after.attempts.size());
        assertEquals("UO", records.get(2).flagsText());
    }

    @Test
    void anInterruptedBackOffEndsTheCallWithWhatItHasAndKeepsTheInterrupt() throws Exception {
        ScriptedExchange exchange = new ScriptedExchange().then(503, 200);
        Thread.currentThread().interrupt(); // the back-off's sleep sees it at once
        ScriptedExchange.Response response;
        try {
            response = engine().call(GET, exchange);
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt is the application's: still set (and cleared here)");
        }
        assertEquals(503, response.status());
        assertEquals(1, exchange.attempts.size());
        assertEquals(0, exchange.discarded.size());
    }

    @Test
    void theBackOffIsFullJitterUnderADoublingCeiling() {
        long base = TimeUnit.MILLISECONDS.toNanos(10);
        long max = TimeUnit.MILLISECONDS.toNanos(35);
        long[] ceilings = {base, 2 * base, max, max};
        for (int retry = 1; retry <= 4; retry++) {
            long ceiling = ceilings[retry - 1];
            long low = Long.MAX_VALUE;
            long high = 0;
            for (int i = 0; i < 2000; i++) {
                long delay = Backoff.fullJitterNanos(base, max, retry);
                assertTrue(delay >= 0 && delay <= ceiling, "retry " + retry + ": " + delay + " outside [0, " + ceiling + "]");
                low = Math.min(low, delay);
                high = Math.max(high, delay);
            }
            // 2000 uniform draws: the chance that none falls in the lowest or highest tenth is 2 x 0.9^2000
            assertTrue(low < ceiling / 10 && high > ceiling - ceiling / 10,
                    "retry " + retry + ": spread over the whole range, got [" + low + ", " + high + "]");
        }
        assertEquals(0, Backoff.fullJitterNanos(0, 0, 3));
    }

    @Test
    void aRetryNeverWaitsPastTheDeadline() throws Exception {
        RetryRuntime retry = new RetryRuntime(ConfigLoader.parse("""
                services:
                  inventory:
                    endpoints: ["10.0.0.1:8080"]
                    retry: { maxAttempts: 3, backoff: { base: 10s, max: 10s } }
                """, "test.yaml").config().services().get("inventory").retry());
        long fiftyMillis = TimeUnit.MILLISECONDS.toNanos(50);
        long deadline = System.nanoTime() + fiftyMillis;
        long longestWithoutDeadline = 0;
        for (int i = 0; i < 100; i++) {
            assertTrue(retry.delayNanos(1, null, deadline) <= fiftyMillis);
            longestWithoutDeadline = Math.max(longestWithoutDeadline, retry.delayNanos(1, null, 0));
        }
        assertTrue(longestWithoutDeadline > fiftyMillis, "without a deadline the 10s back-off alone applies");
    }
}
