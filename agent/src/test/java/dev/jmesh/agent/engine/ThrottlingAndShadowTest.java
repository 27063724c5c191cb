package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.LoadResult;
import dev.jmesh.config.ServiceConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rate limit, maxConcurrentRequests, shadow mode of retry and breaker, and the retry budget, on
 * {@link ServiceRuntime} with a scripted library and a rate-limit clock the test moves.
 */
class ThrottlingAndShadowTest {
    private static final String SERVICE = """
            services:
              inventory:
                endpoints: ["10.0.0.1:8080", "10.0.0.2:8080"]
            """;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong now = new AtomicLong();
    private final List<ServiceRuntime> runtimes = new ArrayList<>();

    @AfterEach
    void stop() {
        runtimes.forEach(ServiceRuntime::close);
        scheduler.shutdownNow();
    }

    private ServiceRuntime runtime(String settings) throws Exception {
        LoadResult loaded = ConfigLoader.parse(SERVICE + settings, "test.yaml");
        assertEquals(List.of(), ConfigLoaderWarnings.of(loaded), "everything used here is enforced");
        ServiceConfig config = loaded.config().service("inventory");
        ServiceRuntime runtime = new ServiceRuntime(config, scheduler, now::get);
        runtimes.add(runtime);
        return runtime;
    }

    private static OutboundCall get() {
        return new OutboundCall("http", "http", "inventory", -1, "GET", "/items/1", true);
    }

    private static OutboundCall post() {
        return new OutboundCall("http", "http", "inventory", -1, "POST", "/orders", true);
    }

    private static CallRecord record(OutboundCall call) {
        return new CallRecord(call, "test");
    }

    // ---- rate limit -------------------------------------------------------------------------------

    @Test
    void aThrottledCallFailsFastWithTheLibrarysExceptionAndRL() throws Exception {
        ServiceRuntime runtime = runtime("""
                    rateLimit: { requestsPerSecond: 1, burst: 2 }
                """);
        ScriptedExchange exchange = new ScriptedExchange();
        runtime.execute(get(), exchange, record(get()));
        runtime.execute(get(), exchange, record(get()));

        CallRecord throttled = record(get());
        IOException e = assertThrows(IOException.class, () -> runtime.execute(get(), exchange, throttled));
        assertEquals("jmesh: rate limit of 1/s for service 'inventory' exceeded", e.getMessage());
        assertEquals("RL", throttled.flagsText());
        assertEquals(0, throttled.attempts(), "no attempt");
        assertEquals(2, exchange.attempts.size());
        assertEquals(0, runtime.inFlight().requests());

        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        CallRecord refilled = record(get());
        assertEquals(200, runtime.execute(get(), exchange, refilled).status());
        assertEquals("-", refilled.flagsText());
    }

    @Test
    void aThrottledAsyncCallCompletesExceptionallyAtOnce() throws Exception {
        ServiceRuntime runtime = runtime("""
                    rateLimit: { requestsPerSecond: 0.5, burst: 1 }
                """);
        AsyncScriptedExchange exchange = new AsyncScriptedExchange(new ScriptedExchange());
        assertEquals(200, runtime.executeAsync(get(), exchange, record(get())).get(5, TimeUnit.SECONDS).status());

        CallRecord throttled = record(get());
        CompletableFuture<ScriptedExchange.Response> future = runtime.executeAsync(get(), exchange, throttled);
        assertTrue(future.isCompletedExceptionally());
        ExecutionException e = assertThrows(ExecutionException.class, future::get);
        assertEquals("jmesh: rate limit of 0.5/s for service 'inventory' exceeded", e.getCause().getMessage());
        assertEquals("RL", throttled.flagsText());
    }

    @Test
    void aThrottledCallIsNotSeenByTheBreaker() throws Exception {
        ServiceRuntime runtime = runtime("""
                    rateLimit: { requestsPerSecond: 1, burst: 1 }
                    circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 2, openDuration: 30s }
                """);
        ScriptedExchange exchange = new ScriptedExchange().then(200, 200);
        runtime.execute(get(), exchange, record(get()));
        for (int i = 0; i < 5; i++) {
            assertThrows(IOException.class, () -> runtime.execute(get(), exchange, record(get())));
        }
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        CallRecord next = record(get());
        runtime.execute(get(), exchange, next);
        assertEquals("-", next.flagsText(), "throttled calls did not open the breaker");
    }

    @Test
    void aShadowRateLimitFlagsAndLetsTheCallThrough() throws Exception {
        ServiceRuntime runtime = runtime("""
                    rateLimit: { requestsPerSecond: 1, burst: 1, mode: shadow }
                """);
        ScriptedExchange exchange = new ScriptedExchange();
        CallRecord first = record(get());
        runtime.execute(get(), exchange, first);
        CallRecord second = record(get());
        assertEquals(200, runtime.execute(get(), exchange, second).status());
        assertEquals("-", first.flagsText());
        assertEquals("~RL", second.flagsText());
        assertEquals(2, exchange.attempts.size());
    }

    // ---- maxConcurrentRequests --------------------------------------------------------------------

    @Test
    void moreCallsInFlightThanAllowedFailFastWithUOAndEachCallReleasesOnce() throws Exception {
        ServiceRuntime runtime = runtime("""
                    maxConcurrentRequests: 2
                """);
        HeldExchange exchange = new HeldExchange();
        CompletableFuture<ScriptedExchange.Response> a = runtime.executeAsync(get(), exchange, record(get()));
        CompletableFuture<ScriptedExchange.Response> b = runtime.executeAsync(get(), exchange, record(get()));
        assertEquals(2, runtime.inFlight().requests());

        CallRecord overflow = record(get());
        CompletableFuture<ScriptedExchange.Response> c = runtime.executeAsync(get(), exchange, overflow);
        ExecutionException e = assertThrows(ExecutionException.class, () -> c.get(5, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, e.getCause());
        assertEquals("jmesh: service 'inventory' already has 2 requests in flight (maxConcurrentRequests);"
                + " failing fast without calling the upstream", e.getCause().getMessage());
        assertEquals("UO", overflow.flagsText());
        assertEquals(0, overflow.attempts());
        assertEquals(2, runtime.inFlight().requests(), "a refused call holds no slot");

        exchange.attempt(0).complete(new ScriptedExchange.Response(200, "x"));
        assertEquals(200, a.get(5, TimeUnit.SECONDS).status());
        assertEquals(1, runtime.inFlight().requests());

        CompletableFuture<ScriptedExchange.Response> d = runtime.executeAsync(get(), exchange, record(get()));
        exchange.attempt(1).completeExceptionally(new IOException("reset"));
        assertThrows(ExecutionException.class, () -> b.get(5, TimeUnit.SECONDS));
        exchange.attempt(2).complete(new ScriptedExchange.Response(200, "x"));
        d.get(5, TimeUnit.SECONDS);
        assertEquals(0, runtime.inFlight().requests(), "released exactly once per call");
    }

    @Test
    void blockingCallsReleaseTheirSlotWhateverTheOutcome() throws Exception {
        ServiceRuntime runtime = runtime("""
                    maxConcurrentRequests: 1
                """);
        ScriptedExchange exchange = new ScriptedExchange().then(200, new ConnectException("refused"), 503, 200);
        runtime.execute(get(), exchange, record(get()));
        assertThrows(ConnectException.class, () -> runtime.execute(get(), exchange, record(get())));
        assertEquals(503, runtime.execute(get(), exchange, record(get())).status());
        assertEquals(200, runtime.execute(get(), exchange, record(get())).status());
        assertEquals(0, runtime.inFlight().requests());
    }

    // ---- maxPendingRequests ------------------------------------------------------------------------

    @Test
    void aFullServiceQueuesUpToMaxPendingCallsAndHandsEachReleasedSlotToTheOldest() throws Exception {
        ServiceRuntime runtime = runtime("""
                    maxConcurrentRequests: 1
                    maxPendingRequests: 1
                    timeout: 5s
                """);
        HeldExchange exchange = new HeldExchange();
        CompletableFuture<ScriptedExchange.Response> a = runtime.executeAsync(get(), exchange, record(get()));
        CallRecord queued = record(get());
        CompletableFuture<ScriptedExchange.Response> b = runtime.executeAsync(get(), exchange, queued);
        assertEquals(1, runtime.inFlight().pending());
        assertEquals(0, queued.attempts(), "a queued call has not started");

        CallRecord overflow = record(get());
        ExecutionException e = assertThrows(ExecutionException.class, () ->
                runtime.executeAsync(get(), exchange, overflow).get(5, TimeUnit.SECONDS));
        assertEquals("jmesh: service 'inventory' already has 1 requests in flight (maxConcurrentRequests) and 1"
                + " waiting, or none freed in time (maxPendingRequests); failing fast without calling the upstream",
                e.getCause().getMessage());
        assertEquals("UO", overflow.flagsText());

        exchange.attempt(0).complete(new ScriptedExchange.Response(200, "x"));
        assertEquals(200, a.get(5, TimeUnit.SECONDS).status());
        exchange.attempt(1).complete(new ScriptedExchange.Response(201, "x")); // b got a's slot and started
        assertEquals(201, b.get(5, TimeUnit.SECONDS).status());
        assertEquals(0, runtime.inFlight().requests());
        assertEquals(0, runtime.inFlight().pending());
    }

    @Test
    void aBlockingCallWaitsForASlotAtMostItsTimeout() throws Exception {
        ServiceRuntime runtime = runtime("""
                    maxConcurrentRequests: 1
                    maxPendingRequests: 5
                    timeout: 200ms
                """);
        HeldExchange held = new HeldExchange();
        CompletableFuture<ScriptedExchange.Response> a = runtime.executeAsync(get(), held, record(get()));

        CallRecord waited = record(get());
        ScriptedExchange blocking = new ScriptedExchange();
        IOException e = assertThrows(IOException.class, () -> runtime.execute(get(), blocking, waited));
        assertTrue(e.getMessage().contains("(maxPendingRequests)"), e.getMessage());
        assertEquals("UO", waited.flagsText());
        assertEquals(0, blocking.attempts.size());
        assertEquals(0, runtime.inFlight().pending(), "a call that gave up left the queue");

        held.attempt(0).complete(new ScriptedExchange.Response(200, "x"));
        a.get(5, TimeUnit.SECONDS);
        assertEquals(200, runtime.execute(get(), blocking, record(get())).status());
        assertEquals(0, runtime.inFlight().requests());
    }

    @Test
    void aBlockingCallGetsTheSlotAnotherCallReleases() throws Exception {
        ServiceRuntime runtime = runtime("""
                    maxConcurrentRequests: 1
                    maxPendingRequests: 1
                    timeout: 5s
                """);
        HeldExchange held = new HeldExchange();
        CompletableFuture<ScriptedExchange.Response> a = runtime.executeAsync(get(), held, record(get()));
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return runtime.execute(get(), new ScriptedExchange().then(202), record(get())).status();
            } catch (Exception ex) {
                throw new java.util.concurrent.CompletionException(ex);
            }
        });
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (runtime.inFlight().pending() == 0 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertEquals(1, runtime.inFlight().pending(), "the blocking call is queued");
        held.attempt(0).complete(new ScriptedExchange.Response(200, "x"));
        assertEquals(202, waiting.get(5, TimeUnit.SECONDS));
        a.get(5, TimeUnit.SECONDS);
        assertEquals(0, runtime.inFlight().requests());
    }

    // ---- shadow retry and breaker -----------------------------------------------------------------

    @Test
    void aShadowRetryMakesOneAttemptAndFlagsWhatItWouldHaveRetried() throws Exception {
        ServiceRuntime runtime = runtime("""
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms }, mode: shadow }
                """);
        ScriptedExchange exchange = new ScriptedExchange().then(503, 200, new ConnectException("refused"), 503);

        CallRecord would = record(get());
        assertEquals(503, runtime.execute(get(), exchange, would).status());
        assertEquals(1, would.attempts());
        assertEquals("~RETRY", would.flagsText());
        assertEquals(List.of(), exchange.discarded, "the app gets the response it would have replaced");

        CallRecord fine = record(get());
        runtime.execute(get(), exchange, fine);
        assertEquals("-", fine.flagsText());

        CallRecord refused = record(get());
        assertThrows(ConnectException.class, () -> runtime.execute(get(), exchange, refused));
        assertEquals("UF,~RETRY", refused.flagsText());
        assertEquals(1, refused.attempts());

        CallRecord notRetryable = record(post());
        assertEquals(503, runtime.execute(post(), exchange, notRetryable).status());
        assertEquals("-", notRetryable.flagsText(), "a POST would not have been retried either");
    }

    @Test
    void aShadowRetryIsAlsoFlaggedForAsyncCalls() throws Exception {
        ServiceRuntime runtime = runtime("""
                    retry: { maxAttempts: 2, mode: shadow }
                """);
        ScriptedExchange script = new ScriptedExchange().then(502);
        CallRecord would = record(get());
        assertEquals(502, runtime.executeAsync(get(), new AsyncScriptedExchange(script), would)
                .get(5, TimeUnit.SECONDS).status());
        assertEquals("~RETRY", would.flagsText());
        assertEquals(1, script.attempts.size());
    }

    @Test
    void aShadowBreakerRecordsButNeverRejectsAndFlagsWhatItWouldHaveRejected() throws Exception {
        ServiceRuntime runtime = runtime("""
                    circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 2, window: 10s, openDuration: 30s, mode: shadow }
                """);
        ScriptedExchange exchange = new ScriptedExchange().then(503, new ConnectException("refused"), 200, 200);
        runtime.execute(get(), exchange, record(get()));
        assertThrows(ConnectException.class, () -> runtime.execute(get(), exchange, record(get())));

        CallRecord wouldReject = record(get());
        assertEquals(200, runtime.execute(get(), exchange, wouldReject).status());
        assertEquals("~UO", wouldReject.flagsText());
        assertEquals(1, wouldReject.attempts(), "the call went to the upstream anyway");

        CallRecord async = record(get());
        assertEquals(200, runtime.executeAsync(get(), new AsyncScriptedExchange(exchange), async)
                .get(5, TimeUnit.SECONDS).status());
        assertEquals("~UO", async.flagsText());
        assertEquals(4, exchange.attempts.size());
    }

    @Test
    void anEnforcedBreakerStillRejects() throws Exception {
        ServiceRuntime runtime = runtime("""
                    circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 2, window: 10s, openDuration: 30s }
                """);
        ScriptedExchange exchange = new ScriptedExchange().then(503, 503);
        runtime.execute(get(), exchange, record(get()));
        runtime.execute(get(), exchange, record(get()));
        CallRecord rejected = record(get());
        assertThrows(IOException.class, () -> runtime.execute(get(), exchange, rejected));
        assertEquals("UO", rejected.flagsText());
        assertEquals(2, exchange.attempts.size());
        assertEquals(0, runtime.inFlight().requests());
    }

    // ---- half-open -------------------------------------------------------------------------------

    @Test
    void halfOpenAdmitsHalfOpenCallsProbesRejectsARacingThirdAndClosesOnTheirSuccess() throws Exception {
        ServiceRuntime runtime = runtime("""
                    circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 2, window: 10s, openDuration: 100ms,
                                      halfOpenCalls: 2 }
                """);
        ScriptedExchange failing = new ScriptedExchange().then(503, 503);
        for (int i = 0; i < 2; i++) {
            assertEquals(503, runtime.execute(post(), failing, record(post())).status());
        }
        assertEquals("open", runtime.breakerState());
        assertThrows(IOException.class, () -> runtime.execute(post(), failing, record(post())));
        Thread.sleep(150); // past openDuration (on the JVM's own clock, as Failsafe reads it): the next call probes

        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.Semaphore started = new java.util.concurrent.Semaphore(0);
        ScriptedExchange held = new ScriptedExchange() {
            @Override
            public Response attempt(String host, int port, int timeoutMillis) throws Exception {
                started.release();
                assertTrue(release.await(10, TimeUnit.SECONDS), "the test releases the probes");
                return new Response(200, host + ":" + port);
            }
        };
        java.util.concurrent.ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<ScriptedExchange.Response>> probes = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                probes.add(callers.submit(() -> runtime.execute(post(), held, record(post()))));
            }
            assertTrue(started.tryAcquire(2, 10, TimeUnit.SECONDS), "both probes reached the upstream");
            assertEquals("half_open", runtime.breakerState());

            CallRecord third = record(post());
            IOException rejected = assertThrows(IOException.class, () -> runtime.execute(post(), held, third));
            assertTrue(rejected.getMessage().startsWith("jmesh: circuit breaker open"), rejected.getMessage());
            assertEquals("UO", third.flagsText(), "only halfOpenCalls probes at a time");

            release.countDown();
            for (java.util.concurrent.Future<ScriptedExchange.Response> probe : probes) {
                assertEquals(200, probe.get(10, TimeUnit.SECONDS).status());
            }
        } finally {
            release.countDown();
            callers.shutdownNow();
        }
        assertEquals("closed", runtime.breakerState(), "two successful probes of two close it");
        assertEquals(200, runtime.execute(post(), failing, record(post())).status());
    }

    // ---- slow-call rate ----------------------------------------------------------------------------

    private static final String SLOW_CALLS = """
                circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 4, window: 10s, openDuration: 30s,
                                  slowCallRateThreshold: 50%, slowCallDuration: 100ms MODE }
            """;

    /** Answers 200 after moving the test's clock on by the next scripted duration (ms). */
    private ScriptedExchange taking(long... millis) {
        java.util.Deque<Long> durations = new java.util.ArrayDeque<>();
        for (long m : millis) {
            durations.add(m);
        }
        return new ScriptedExchange() {
            @Override
            public Response attempt(String host, int port, int timeoutMillis) throws Exception {
                now.addAndGet(TimeUnit.MILLISECONDS.toNanos(durations.isEmpty() ? 0 : durations.poll()));
                return super.attempt(host, port, timeoutMillis);
            }
        };
    }

    @Test
    void slowResponsesOpenTheBreakerAndTheRejectionNamesTheSlowCallRate() throws Exception {
        ServiceRuntime runtime = runtime(SLOW_CALLS.replace(" MODE", ""));
        ScriptedExchange exchange = taking(150, 20, 150, 150);
        for (int i = 0; i < 4; i++) {
            assertEquals(200, runtime.execute(get(), exchange, record(get())).status(), "slow is not failed");
        }
        CallRecord rejected = record(get());
        IOException e = assertThrows(IOException.class, () -> runtime.execute(get(), exchange, rejected));
        assertTrue(e.getMessage().contains("slow-call rate of at least 50% (calls slower than 100ms)"), e.getMessage());
        assertEquals("UO", rejected.flagsText());
        assertEquals(4, exchange.attempts.size(), "the rejected call never reached the upstream");
        assertEquals(0, runtime.inFlight().requests());
    }

    @Test
    void fastResponsesKeepTheBreakerClosedAndSlowFailuresCountAsFailuresOnly() throws Exception {
        ServiceRuntime runtime = runtime(SLOW_CALLS.replace(" MODE", ""));
        ScriptedExchange exchange = taking(150, 20, 20, 20, 150, 20, 20, 20);
        for (int i = 0; i < 8; i++) {
            assertEquals(200, runtime.execute(get(), exchange, record(get())).status());
        }
        assertEquals(8, exchange.attempts.size(), "25% slow is under the 50% threshold");
    }

    @Test
    void aShadowSlowCallBreakerFlagsWhatItWouldHaveRejectedAndLetsTheCallThrough() throws Exception {
        ServiceRuntime runtime = runtime(SLOW_CALLS.replace(" MODE", ", mode: shadow"));
        ScriptedExchange exchange = taking(150, 150, 150, 150, 10);
        for (int i = 0; i < 4; i++) {
            runtime.execute(get(), exchange, record(get()));
        }
        CallRecord wouldReject = record(get());
        assertEquals(200, runtime.execute(get(), exchange, wouldReject).status());
        assertEquals("~UO", wouldReject.flagsText());
        assertEquals(5, exchange.attempts.size());
    }

    @Test
    void asyncCallsAreTimedToo() throws Exception {
        ServiceRuntime runtime = runtime(SLOW_CALLS.replace(" MODE", ""));
        ScriptedExchange exchange = taking(150, 150, 150, 150);
        for (int i = 0; i < 4; i++) {
            runtime.executeAsync(get(), new AsyncScriptedExchange(exchange), record(get())).get(5, TimeUnit.SECONDS);
        }
        CallRecord rejected = record(get());
        ExecutionException e = assertThrows(ExecutionException.class, () ->
                runtime.executeAsync(get(), new AsyncScriptedExchange(exchange), rejected).get(5, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, e.getCause());
        assertEquals("UO", rejected.flagsText());
    }

    // ---- retry budget -----------------------------------------------------------------------------

    private static final String BUDGET = """
                retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms }, budget: { percent: 20%, minConcurrency: 1 } }
            """;

    @Test
    void belowTheMinimumConcurrencyRetriesAreAllowed() throws Exception {
        ServiceRuntime runtime = runtime("""
                    retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms }, budget: { percent: 20%, minConcurrency: 3 } }
                """);
        ScriptedExchange exchange = new ScriptedExchange().then(503, 503, 200);
        CallRecord retried = record(get());
        assertEquals(200, runtime.execute(get(), exchange, retried).status());
        assertEquals(3, retried.attempts());
        assertEquals("-", retried.flagsText());
        assertEquals(0, runtime.inFlight().retries());
        assertEquals(2, exchange.discarded.size(), "replaced responses are released");
    }

    @Test
    void aRetryBeyondTheBudgetEndsTheCallWithItsLastResponseAndURX() throws Exception {
        ServiceRuntime runtime = runtime(BUDGET);
        HeldExchange exchange = new HeldExchange();
        // call A: its first attempt gets a 503, its retry stays in flight (1 retry of 1 allowed)
        CompletableFuture<ScriptedExchange.Response> a = runtime.executeAsync(get(), exchange, record(get()));
        exchange.attempt(0).complete(new ScriptedExchange.Response(503, "x"));
        CompletableFuture<ScriptedExchange.Response> aRetry = exchange.attempt(1);
        assertEquals(1, runtime.inFlight().retries());

        // call B: 2 calls in flight, 20% of 2 is 0, minConcurrency 1 is taken: its retry is refused
        CallRecord b = record(get());
        CompletableFuture<ScriptedExchange.Response> bFuture = runtime.executeAsync(get(), exchange, b);
        exchange.attempt(2).complete(new ScriptedExchange.Response(503, "y"));
        assertEquals(new ScriptedExchange.Response(503, "y"), bFuture.get(5, TimeUnit.SECONDS));
        assertEquals(1, b.attempts());
        assertEquals(503, b.status());
        assertEquals("URX", b.flagsText());

        aRetry.complete(new ScriptedExchange.Response(200, "z"));
        assertEquals(200, a.get(5, TimeUnit.SECONDS).status());
        assertEquals(0, runtime.inFlight().retries());
        assertEquals(0, runtime.inFlight().requests());
        assertEquals(List.of(new ScriptedExchange.Response(503, "x")), exchange.discarded,
                "only the response a retry replaced is released; B's went to the app");
    }

    @Test
    void aFailureWhoseRetryTheBudgetRefusesReachesTheAppAsItWas() throws Exception {
        ServiceRuntime runtime = runtime(BUDGET);
        HeldExchange held = new HeldExchange();
        CompletableFuture<ScriptedExchange.Response> a = runtime.executeAsync(get(), held, record(get()));
        held.attempt(0).completeExceptionally(new ConnectException("refused"));
        CompletableFuture<ScriptedExchange.Response> aRetry = held.attempt(1);

        ScriptedExchange blocking = new ScriptedExchange().then(new ConnectException("refused again"));
        CallRecord b = record(get());
        ConnectException e = assertThrows(ConnectException.class, () -> runtime.execute(get(), blocking, b));
        assertEquals("refused again", e.getMessage());
        assertEquals(1, b.attempts());
        assertEquals("UF,URX", b.flagsText());

        aRetry.complete(new ScriptedExchange.Response(200, "z"));
        assertEquals(200, a.get(5, TimeUnit.SECONDS).status());
        assertEquals(0, runtime.inFlight().retries());
    }

    /** Each attempt returns a future the test completes; attempt(i) waits until the i-th attempt has started. */
    static final class HeldExchange implements AsyncExchange<ScriptedExchange.Response> {
        private final BlockingQueue<CompletableFuture<ScriptedExchange.Response>> started = new LinkedBlockingQueue<>();
        private final List<CompletableFuture<ScriptedExchange.Response>> taken = new ArrayList<>();
        final List<ScriptedExchange.Response> discarded = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<ScriptedExchange.Response> attempt(String host, int port, int timeoutMillis) {
            CompletableFuture<ScriptedExchange.Response> future = new CompletableFuture<>();
            started.add(future);
            return future;
        }

        CompletableFuture<ScriptedExchange.Response> attempt(int index) throws InterruptedException {
            while (taken.size() <= index) {
                CompletableFuture<ScriptedExchange.Response> next = started.poll(5, TimeUnit.SECONDS);
                if (next == null) {
                    throw new AssertionError("attempt " + index + " never started");
                }
                taken.add(next);
            }
            return taken.get(index);
        }

        @Override
        public int statusOf(ScriptedExchange.Response response) {
            return response.status();
        }

        @Override
        public void discard(ScriptedExchange.Response response) {
            discarded.add(response);
        }

        @Override
        public Exception timeoutException(String message) {
            return new java.net.SocketTimeoutException(message);
        }

        @Override
        public Exception rejectedException(String message) {
            return new IOException(message);
        }
    }

    /** The loader's warnings as text. */
    static final class ConfigLoaderWarnings {
        static List<String> of(LoadResult result) {
            List<String> out = new ArrayList<>();
            result.warnings().forEach(w -> out.add(String.valueOf(w)));
            return out;
        }
    }
}
