package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Endpoint management seen through the engine: weights, ejection and retries that go elsewhere. */
class EndpointsEngineTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private MeshEngineImpl engine(String yaml) throws Exception {
        return new MeshEngineImpl(ConfigLoader.parse(yaml, "test.yaml").config(), scheduler, record -> { });
    }

    private static OutboundCall get() {
        return new OutboundCall("http", "http", "inventory", -1, "GET", "/items/1", true);
    }

    /** Answers by endpoint: a status, or an exception to throw; records the endpoint of every attempt. */
    static final class ByEndpoint implements BlockingExchange<Integer> {
        final List<String> attempts = new CopyOnWriteArrayList<>();
        private final Function<String, Object> outcome;

        ByEndpoint(Function<String, Object> outcome) {
            this.outcome = outcome;
        }

        private Object next(String host, int port) {
            String endpoint = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
            attempts.add(endpoint);
            return outcome.apply(endpoint);
        }

        @Override
        public Integer attempt(String host, int port, int timeoutMillis) throws Exception {
            Object o = next(host, port);
            if (o instanceof Exception e) {
                throw e;
            }
            return (Integer) o;
        }

        @Override
        public int statusOf(Integer response) {
            return response;
        }

        @Override
        public void discard(Integer response) {
        }

        @Override
        public Exception timeoutException(String message) {
            return new SocketTimeoutException(message);
        }

        @Override
        public Exception rejectedException(String message) {
            return new IOException(message);
        }
    }

    @Test
    void endpointWeightsShareTheCallsSmoothly() throws Exception {
        MeshEngineImpl engine = engine("""
                services:
                  inventory:
                    endpoints: [{ address: "10.0.0.1:80", weight: 3 }, "10.0.0.2:80"]
                """);
        ByEndpoint exchange = new ByEndpoint(e -> 200);

        for (int i = 0; i < 8; i++) {
            engine.call(get(), exchange);
        }

        assertEquals(List.of("10.0.0.1:80", "10.0.0.1:80", "10.0.0.2:80", "10.0.0.1:80",
                "10.0.0.1:80", "10.0.0.1:80", "10.0.0.2:80", "10.0.0.1:80"), exchange.attempts);
    }

    @Test
    void anEndpointWithConsecutive5xxIsEjectedAndTheOthersTakeTheCalls() throws Exception {
        MeshEngineImpl engine = engine("""
                services:
                  inventory:
                    endpoints: ["10.0.0.1:80", "10.0.0.2:80"]
                    outlierDetection: { consecutive5xx: 2, maxEjectionPercent: 50% }
                """);
        ByEndpoint exchange = new ByEndpoint(e -> e.equals("10.0.0.1:80") ? 503 : 200);

        for (int i = 0; i < 10; i++) {
            engine.call(get(), exchange);
        }

        // round robin: .1 .2 .1 (second 5xx: ejected) then .2 only
        assertEquals(List.of("10.0.0.1:80", "10.0.0.2:80", "10.0.0.1:80"), exchange.attempts.subList(0, 3));
        assertEquals(Set.of("10.0.0.2:80"), Set.copyOf(exchange.attempts.subList(3, 10)));
    }

    @Test
    void retriesGoToAnotherEndpointThanTheOneThatJustFailed() throws Exception {
        for (String policy : List.of("round_robin", "random", "least_request")) {
            MeshEngineImpl engine = engine("""
                    services:
                      inventory:
                        endpoints: ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"]
                        loadBalancer: %s
                        retry: { maxAttempts: 2, backoff: { base: 1ms, max: 2ms } }
                    """.formatted(policy));
            Map<String, Integer> firstAttempts = new HashMap<>();
            ByEndpoint exchange = new ByEndpoint(e -> firstAttempts.merge("n", 1, Integer::sum) % 2 == 1 ? 503 : 200);

            for (int i = 0; i < 60; i++) {
                assertEquals(200, engine.call(get(), exchange));
            }

            for (int i = 0; i < 120; i += 2) {
                assertNotEquals(exchange.attempts.get(i), exchange.attempts.get(i + 1), policy + " call " + i / 2);
            }
        }
    }

    @Test
    void asyncAttemptsReportTheirOutcomesToo() throws Exception {
        MeshEngineImpl engine = engine("""
                services:
                  inventory:
                    endpoints: ["10.0.0.1:80", "10.0.0.2:80"]
                    outlierDetection: { consecutiveConnectFailures: 2, maxEjectionPercent: 50% }
                """);
        ByEndpoint blocking = new ByEndpoint(e -> e.equals("10.0.0.1:80") ? new ConnectException("refused") : 200);
        AsyncExchange<Integer> async = new AsyncExchange<>() {
            @Override
            public CompletableFuture<Integer> attempt(String host, int port, int timeoutMillis) {
                CompletableFuture<Integer> f = new CompletableFuture<>();
                try {
                    f.complete(blocking.attempt(host, port, timeoutMillis));
                } catch (Exception e) {
                    f.completeExceptionally(e);
                }
                return f;
            }

            @Override
            public int statusOf(Integer response) {
                return response;
            }

            @Override
            public void discard(Integer response) {
            }

            @Override
            public Exception timeoutException(String message) {
                return new SocketTimeoutException(message);
            }

            @Override
            public Exception rejectedException(String message) {
                return new IOException(message);
            }
        };

        List<Throwable> failures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            try {
                engine.callAsync(get(), async).get();
            } catch (ExecutionException e) {
                failures.add(e.getCause());
            }
        }

        assertEquals(2, failures.size(), "two connect failures, then .1 is ejected");
        assertTrue(failures.get(0) instanceof ConnectException, failures.toString());
        assertEquals(Set.of("10.0.0.2:80"), Set.copyOf(blocking.attempts.subList(4, 10)));
    }

    @Test
    void aDnsServiceCallsTheAddressesItsNameResolvesTo() throws Exception {
        MeshEngineImpl engine = engine("""
                services:
                  inventory:
                    dns: { address: "localhost:8080", refreshInterval: 1h }
                """);
        ByEndpoint exchange = new ByEndpoint(e -> 200);

        for (int i = 0; i < 4; i++) {
            engine.call(get(), exchange);
        }

        for (String attempt : exchange.attempts) {
            assertTrue(attempt.equals("127.0.0.1:8080") || attempt.startsWith("[0:0:0:0:0:0:0:1"),
                    "an address of localhost, not the name: " + attempt);
        }
    }
}
