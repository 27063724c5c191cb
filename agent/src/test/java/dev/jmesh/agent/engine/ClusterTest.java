package dev.jmesh.agent.engine;

import dev.jmesh.agent.AgentThreads;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.ServiceConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outlier detection, panic mode, health-check thresholds and DNS discovery of a {@link Cluster}, with a
 * test clock and without a scheduler: the tests run the periodic work themselves.
 */
class ClusterTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    /** What the fake DNS answers: addresses, or an exception to throw. */
    private final AtomicReference<Object> dnsAnswer = new AtomicReference<>();
    private int resolutions;

    private static ServiceConfig service(String yaml) throws Exception {
        return ConfigLoader.parse("services:\n  svc:\n" + yaml.stripIndent().indent(4), "test.yaml")
                .config().service("svc");
    }

    private Cluster cluster(String yaml) throws Exception {
        return cluster(yaml, (host, config) -> 200);
    }

    private Cluster cluster(String yaml, HealthChecker.Probe probe) throws Exception {
        return new Cluster(service(yaml), null, now::get, LoadBalancer.THREAD_LOCAL_RANDOM, host -> {
            resolutions++;
            Object answer = dnsAnswer.get();
            if (answer instanceof Exception e) {
                throw e;
            }
            return (InetAddress[]) answer;
        }, probe);
    }

    private void advance(long seconds) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    private static Attempt<Integer> response(int status) {
        return new Attempt<>(status, new StatusExchange());
    }

    /** Reports an attempt that got {@code status}. */
    private static void respond(Cluster cluster, String host, int status, int times) {
        Host h = cluster.host(host);
        for (int i = 0; i < times; i++) {
            cluster.started(h);
            cluster.finished(h, response(status), null);
        }
    }

    private static void fail(Cluster cluster, String host, Exception failure, int times) {
        Host h = cluster.host(host);
        for (int i = 0; i < times; i++) {
            cluster.started(h);
            cluster.finished(h, null, failure);
        }
    }

    private static Set<String> inRotation(Cluster cluster) {
        Set<String> names = new HashSet<>();
        for (Host h : cluster.inRotation()) {
            names.add(h.name);
        }
        return names;
    }

    private static Set<String> picked(Cluster cluster, int picks) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < picks; i++) {
            names.add(cluster.pick(null).name);
        }
        return names;
    }

    private static final String TWO = """
            endpoints: ["a:80", "b:80"]
            """;

    // ---- outlier detection ---------------------------------------------------------------------------

    @Test
    void consecutive5xxEjectAnEndpointAndTheOthersTakeItsCalls() throws Exception {
        Cluster cluster = cluster(TWO + """
                outlierDetection: { consecutive5xx: 3, maxEjectionPercent: 50% }
                """);

        respond(cluster, "a:80", 503, 2);
        assertEquals(Set.of("a:80", "b:80"), inRotation(cluster), "two 5xx are not three");
        respond(cluster, "a:80", 500, 1);

        assertEquals(Set.of("b:80"), inRotation(cluster));
        assertEquals(Set.of("b:80"), picked(cluster, 20));
        assertTrue(cluster.host("a:80").ejected);
    }

    @Test
    void aSuccessEndsTheStreak() throws Exception {
        Cluster cluster = cluster(TWO + """
                outlierDetection: { consecutive5xx: 3, maxEjectionPercent: 50% }
                """);

        respond(cluster, "a:80", 503, 2);
        respond(cluster, "a:80", 200, 1);
        respond(cluster, "a:80", 503, 2);
        respond(cluster, "a:80", 404, 1); // any non-5xx response is a success for the upstream
        respond(cluster, "a:80", 503, 2);

        assertEquals(Set.of("a:80", "b:80"), inRotation(cluster));
    }

    @Test
    void consecutiveConnectFailuresEjectAndTimeoutsCountAs5xx() throws Exception {
        Cluster cluster = cluster("""
                endpoints: ["a:80", "b:80", "c:80"]
                outlierDetection: { consecutive5xx: 2, consecutiveConnectFailures: 3, maxEjectionPercent: 100% }
                """);

        fail(cluster, "a:80", new ConnectException("Connection refused"), 2);
        assertFalse(cluster.host("a:80").ejected, "two connect failures are not three");
        fail(cluster, "a:80", new ConnectException("Connection refused"), 1);
        assertTrue(cluster.host("a:80").ejected);

        fail(cluster, "b:80", new SocketTimeoutException("Read timed out"), 1);
        fail(cluster, "b:80", new IOException("Connection reset"), 1);
        assertTrue(cluster.host("b:80").ejected, "no response after connecting counts as a 5xx (Envoy: 504/503)");

        assertEquals(Set.of("c:80"), inRotation(cluster));
    }

    @Test
    void connectFailuresDoNotCountAs5xxAndAResponseEndsTheirStreak() throws Exception {
        Cluster cluster = cluster(TWO + """
                outlierDetection: { consecutive5xx: 2, consecutiveConnectFailures: 2, maxEjectionPercent: 50% }
                """);

        fail(cluster, "a:80", new ConnectException("refused"), 1);
        respond(cluster, "a:80", 503, 1);
        fail(cluster, "a:80", new ConnectException("refused"), 1);

        assertFalse(cluster.host("a:80").ejected);
        assertEquals(1, cluster.host("a:80").consecutive5xx.get());
        assertEquals(1, cluster.host("a:80").consecutiveConnectFailures.get());
    }

    @Test
    void consecutiveGatewayErrorsCountOnly502To504() throws Exception {
        Cluster cluster = cluster(TWO + """
                outlierDetection: { consecutive5xx: 0, consecutiveGatewayErrors: 2, maxEjectionPercent: 50% }
                """);

        respond(cluster, "a:80", 502, 1);
        respond(cluster, "a:80", 500, 1); // a 5xx but not a gateway error: ends the streak
        respond(cluster, "a:80", 503, 1);
        assertFalse(cluster.host("a:80").ejected);
        respond(cluster, "a:80", 504, 1);

        assertTrue(cluster.host("a:80").ejected);
    }

    @Test
    void ejectionTimeGrowsWithEachEjectionUpToTheMaximum() throws Exception {
        Cluster cluster = cluster(TWO + """
                outlierDetection: { consecutive5xx: 1, baseEjectionTime: 10s, maxEjectionTime: 25s, interval: 1s,
                                    maxEjectionPercent: 50% }
                """);
        Host a = cluster.host("a:80");

        long[] expectedSeconds = {10, 20, 25, 25};
        for (long seconds : expectedSeconds) {
            respond(cluster, "a:80", 503, 1);
            assertTrue(a.ejected);
            advance(seconds - 1);
            cluster.sweepOutliers();
            assertTrue(a.ejected, "still ejected 1s before " + seconds + "s");
            assertEquals(Set.of("b:80"), inRotation(cluster));
            advance(1);
            cluster.sweepOutliers();
            assertFalse(a.ejected, "back after " + seconds + "s");
            assertEquals(Set.of("a:80", "b:80"), inRotation(cluster));
        }
    }

    @Test
    void theMultiplierShrinksForEachIntervalTheEndpointStaysInRotation() throws Exception {
        Cluster cluster = cluster(TWO + """
                outlierDetection: { consecutive5xx: 1, baseEjectionTime: 10s, maxEjectionTime: 100s, interval: 1s,
                                    maxEjectionPercent: 50% }
                """);
        Host a = cluster.host("a:80");
        for (int i = 0; i < 3; i++) { // ejected for 10s, 20s, 30s
            respond(cluster, "a:80", 503, 1);
            advance(30);
            cluster.sweepOutliers();
        }
        assertEquals(3, a.ejections);
        assertFalse(a.ejected);

        cluster.sweepOutliers();
        cluster.sweepOutliers(); // two intervals in rotation
        respond(cluster, "a:80", 503, 1);

        assertEquals(2, a.ejections, "3 - 2 + 1");
        advance(19);
        cluster.sweepOutliers();
        assertTrue(a.ejected);
        advance(1);
        cluster.sweepOutliers();
        assertFalse(a.ejected, "ejected for 2 x 10s");
    }

    @Test
    void neverMoreThanMaxEjectionPercentOfTheEndpointsAreEjected() throws Exception {
        Cluster cluster = cluster("""
                endpoints: ["a:80", "b:80", "c:80", "d:80"]
                outlierDetection: { consecutive5xx: 1, maxEjectionPercent: 50% }
                """);

        respond(cluster, "a:80", 503, 1);
        respond(cluster, "b:80", 503, 1);
        respond(cluster, "c:80", 503, 1);

        assertEquals(Set.of("c:80", "d:80"), inRotation(cluster), "2 of 4 at most");
        assertFalse(cluster.host("c:80").ejected);
    }

    @Test
    void oneEndpointAlwaysStaysAndAtLeastOneMayBeEjected() throws Exception {
        Cluster everything = cluster(TWO + """
                outlierDetection: { consecutive5xx: 1, maxEjectionPercent: 100% }
                """);
        respond(everything, "a:80", 503, 1);
        respond(everything, "b:80", 503, 1);
        assertEquals(Set.of("b:80"), inRotation(everything), "100% still leaves one");

        Cluster small = cluster(TWO + """
                outlierDetection: { consecutive5xx: 1 }
                """); // the default 10% of 2 rounds down to 0; one may be ejected anyway (as Envoy does)
        respond(small, "a:80", 503, 1);
        assertEquals(Set.of("b:80"), inRotation(small));

        Cluster single = cluster("""
                endpoints: ["a:80"]
                outlierDetection: { consecutive5xx: 1, maxEjectionPercent: 100% }
                """);
        respond(single, "a:80", 503, 5);
        assertFalse(single.host("a:80").ejected, "the only endpoint is never ejected");

        assertEquals(0, OutlierDetector.maxEjections(0.1, 1));
        assertEquals(1, OutlierDetector.maxEjections(0.1, 2));
        assertEquals(1, OutlierDetector.maxEjections(0.1, 19));
        assertEquals(2, OutlierDetector.maxEjections(0.1, 20));
        assertEquals(2, OutlierDetector.maxEjections(1.0, 3));
    }

    @Test
    void aCappedEndpointIsEjectedWhenItFailsAgainAfterRoomIsMade() throws Exception {
        Cluster cluster = cluster("""
                endpoints: ["a:80", "b:80", "c:80"]
                outlierDetection: { consecutive5xx: 2, baseEjectionTime: 10s, interval: 1s, maxEjectionPercent: 34% }
                """);
        respond(cluster, "a:80", 503, 2);
        respond(cluster, "b:80", 503, 2);
        assertFalse(cluster.host("b:80").ejected, "capped");

        advance(10);
        cluster.sweepOutliers(); // a returns
        respond(cluster, "b:80", 503, 2); // another threshold's worth

        assertTrue(cluster.host("b:80").ejected);
    }

    @Test
    void shadowModeDecidesAndLogsButKeepsBalancingOverTheEndpoint() throws Exception {
        Cluster cluster = cluster(TWO + """
                outlierDetection: { consecutive5xx: 2, baseEjectionTime: 10s, interval: 1s, maxEjectionPercent: 50%,
                                    mode: shadow }
                """);
        Host a = cluster.host("a:80");

        respond(cluster, "a:80", 503, 2);

        assertTrue(a.wouldBeEjected);
        assertFalse(a.ejected);
        assertEquals(Set.of("a:80", "b:80"), inRotation(cluster));
        assertEquals(Set.of("a:80", "b:80"), picked(cluster, 20));
        advance(10);
        cluster.sweepOutliers();
        assertFalse(a.wouldBeEjected, "would have returned");
        assertEquals(1, a.ejections);
    }

    // ---- panic -----------------------------------------------------------------------------------------

    @Test
    void whenNoEndpointIsInRotationTheBalancerUsesThemAll() throws Exception {
        AtomicReference<Integer> statusOfB = new AtomicReference<>(503);
        Cluster cluster = cluster(TWO + """
                outlierDetection: { consecutive5xx: 1, maxEjectionPercent: 50% }
                healthCheck: { path: /healthz, unhealthyThreshold: 1, healthyThreshold: 1 }
                """, (h, c) -> h.name.equals("b:80") ? statusOfB.get() : 200);

        respond(cluster, "a:80", 503, 1); // a ejected
        assertEquals(Set.of("b:80"), inRotation(cluster));
        assertFalse(cluster.panic());
        cluster.checkHealth(); // b unhealthy

        assertTrue(cluster.panic());
        assertEquals(Set.of("a:80", "b:80"), inRotation(cluster));
        assertEquals(Set.of("a:80", "b:80"), picked(cluster, 50));

        statusOfB.set(200);
        cluster.checkHealth();
        assertFalse(cluster.panic());
        assertEquals(Set.of("b:80"), inRotation(cluster));
    }

    @Test
    void allEndpointsUnhealthyIsPanicToo() throws Exception {
        Cluster cluster = cluster(TWO + """
                healthCheck: { path: /healthz, unhealthyThreshold: 1 }
                """, (h, c) -> 500);

        cluster.checkHealth();

        assertTrue(cluster.panic());
        assertFalse(cluster.host("a:80").healthy);
        assertEquals(Set.of("a:80", "b:80"), picked(cluster, 50));
    }

    // ---- active health checks (thresholds; the HTTP check itself: HealthCheckerTest) ---------------------

    @Test
    void healthChecksTakeAnEndpointOutAfterTheUnhealthyThresholdAndBackAfterTheHealthyThreshold() throws Exception {
        AtomicReference<Integer> status = new AtomicReference<>(200);
        Cluster cluster = cluster(TWO + """
                healthCheck: { path: /healthz, healthyThreshold: 2, unhealthyThreshold: 3, expectedStatuses: [200-299, 302] }
                """, (h, c) -> h.name.equals("a:80") ? status.get() : 200);

        status.set(302);
        cluster.checkHealth();
        status.set(503);
        cluster.checkHealth();
        cluster.checkHealth();
        assertEquals(Set.of("a:80", "b:80"), inRotation(cluster), "two failures are not three");
        cluster.checkHealth();
        assertEquals(Set.of("b:80"), inRotation(cluster));

        status.set(200);
        cluster.checkHealth();
        assertEquals(Set.of("b:80"), inRotation(cluster), "one pass is not two");
        cluster.checkHealth();
        assertEquals(Set.of("a:80", "b:80"), inRotation(cluster));
    }

    @Test
    void aCheckWithoutResponseFails() throws Exception {
        Cluster cluster = cluster(TWO + """
                healthCheck: { path: /healthz, unhealthyThreshold: 1 }
                """, (h, c) -> {
            if (h.name.equals("a:80")) {
                throw new ConnectException("refused");
            }
            return 200;
        });

        cluster.checkHealth();

        assertEquals(Set.of("b:80"), inRotation(cluster));
    }

    // ---- retries go elsewhere ----------------------------------------------------------------------------

    @Test
    void aPickGivenThePreviousHostAvoidsIt() throws Exception {
        for (String policy : List.of("round_robin", "random", "least_request")) {
            Cluster cluster = cluster("""
                    endpoints: ["a:80", "b:80", "c:80"]
                    loadBalancer: %s
                    """.formatted(policy));
            for (int i = 0; i < 300; i++) {
                Host first = cluster.pick(null);
                assertNotSame(first, cluster.pick(first), policy);
            }
        }
    }

    // ---- DNS -----------------------------------------------------------------------------------------------

    private static InetAddress[] addresses(String... ips) throws UnknownHostException {
        List<InetAddress> list = new ArrayList<>();
        for (String ip : ips) {
            list.add(InetAddress.getByName(ip)); // literals: no lookup
        }
        return list.toArray(new InetAddress[0]);
    }

    private static Set<String> names(Cluster cluster) {
        Set<String> names = new HashSet<>();
        for (Host h : cluster.hosts()) {
            names.add(h.name);
        }
        return names;
    }

    @Test
    void everyAddressTheNameResolvesToIsAnEndpoint() throws Exception {
        dnsAnswer.set(addresses("10.0.0.1", "10.0.0.2", "10.0.0.1", "2001:db8::1"));

        Cluster cluster = cluster("""
                dns: { address: "inventory.internal:8080", refreshInterval: 5s }
                """);

        assertEquals(1, resolutions, "resolved once when built");
        assertEquals(Set.of("10.0.0.1:8080", "10.0.0.2:8080", "[2001:db8:0:0:0:0:0:1]:8080"), names(cluster));
        assertEquals("2001:db8:0:0:0:0:0:1", cluster.host("[2001:db8:0:0:0:0:0:1]:8080").host(),
                "connect to the address itself");
    }

    @Test
    void aChangedAnswerUpdatesTheSetAndAnEndpointThatStaysKeepsItsState() throws Exception {
        dnsAnswer.set(addresses("10.0.0.1", "10.0.0.2"));
        Cluster cluster = cluster("""
                dns: inventory.internal:8080
                outlierDetection: { consecutive5xx: 1, maxEjectionPercent: 50% }
                """);
        Host stays = cluster.host("10.0.0.2:8080");
        respond(cluster, "10.0.0.2:8080", 503, 1);
        assertTrue(stays.ejected);

        dnsAnswer.set(addresses("10.0.0.3", "10.0.0.2"));
        cluster.refreshDns();

        assertEquals(Set.of("10.0.0.2:8080", "10.0.0.3:8080"), names(cluster));
        assertSame(stays, cluster.host("10.0.0.2:8080"));
        assertTrue(stays.ejected);
        assertEquals(Set.of("10.0.0.3:8080"), inRotation(cluster));
    }

    @Test
    void anAnswerInAnotherOrderIsNoChange() throws Exception {
        dnsAnswer.set(addresses("10.0.0.1", "10.0.0.2"));
        Cluster cluster = cluster("""
                dns: inventory.internal:8080
                """);
        List<Host> before = cluster.hosts();

        dnsAnswer.set(addresses("10.0.0.2", "10.0.0.1"));
        cluster.refreshDns();

        assertEquals(before, cluster.hosts());
    }

    @Test
    void anEmptyOrFailedResolutionKeepsTheLastGoodSet() throws Exception {
        dnsAnswer.set(addresses("10.0.0.1", "10.0.0.2"));
        Cluster cluster = cluster("""
                dns: inventory.internal:8080
                """);

        dnsAnswer.set(new InetAddress[0]);
        cluster.refreshDns();
        assertEquals(Set.of("10.0.0.1:8080", "10.0.0.2:8080"), names(cluster), "nothing: keep");

        dnsAnswer.set(null);
        cluster.refreshDns();
        assertEquals(Set.of("10.0.0.1:8080", "10.0.0.2:8080"), names(cluster), "null: keep");

        dnsAnswer.set(new UnknownHostException("inventory.internal"));
        cluster.refreshDns();
        cluster.refreshDns();
        assertEquals(Set.of("10.0.0.1:8080", "10.0.0.2:8080"), names(cluster), "failure: keep");

        dnsAnswer.set(addresses("10.0.0.9"));
        cluster.refreshDns();
        assertEquals(Set.of("10.0.0.9:8080"), names(cluster), "and recover");
    }

    @Test
    void aNameThatNeverResolvedIsUsedAsItsOwnEndpoint() throws Exception {
        dnsAnswer.set(new UnknownHostException("inventory.internal"));

        Cluster cluster = cluster("""
                dns: inventory.internal:8080
                """);

        assertEquals(Set.of("inventory.internal:8080"), names(cluster), "the JVM resolves it when it connects");
        dnsAnswer.set(addresses("10.0.0.1"));
        cluster.refreshDns();
        assertEquals(Set.of("10.0.0.1:8080"), names(cluster));
    }

    @Test
    void onTheSchedulerTheNameIsResolvedWhenBuiltThenEveryRefreshIntervalUntilClosed() throws Exception {
        dnsAnswer.set(addresses("10.0.0.1"));
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, new AgentThreads("test-scheduler"));
        scheduler.setRemoveOnCancelPolicy(true);
        try {
            Cluster cluster = new Cluster(service("""
                    dns: { address: "inventory.internal:8080", refreshInterval: 5ms }
                    """), scheduler, now::get, LoadBalancer.THREAD_LOCAL_RANDOM, host -> {
                synchronized (this) {
                    resolutions++;
                }
                return (InetAddress[]) dnsAnswer.get();
            }, (h, c) -> 200);
            assertEquals(Set.of("10.0.0.1:8080"), names(cluster), "resolved before the constructor returned");

            dnsAnswer.set(addresses("10.0.0.2"));
            for (int i = 0; i < 1000 && !names(cluster).equals(Set.of("10.0.0.2:8080")); i++) {
                Thread.sleep(5);
            }
            assertEquals(Set.of("10.0.0.2:8080"), names(cluster), "re-resolved on the scheduler");

            cluster.close();
            assertEquals(0, scheduler.getQueue().size(), "closing cancels the refresh");
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void aFirstResolutionThatHangsHoldsUpTheConfigThreadOnlyBrieflyAndLandsWhenItAnswers() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        AtomicReference<List<String>> landed = new AtomicReference<>();

        DnsDiscovery.runBounded(() -> {
            try {
                answer.await();
            } catch (InterruptedException e) {
                return;
            }
            landed.set(List.of("10.0.0.1:8080"));
        }, 5);

        assertEquals(null, landed.get(), "the config thread went on after the bounded wait");
        answer.countDown();
        for (int i = 0; i < 1000 && landed.get() == null; i++) {
            Thread.sleep(5);
        }
        assertEquals(List.of("10.0.0.1:8080"), landed.get());
    }

    @Test
    void discoveryTakesAtMostMaxEndpointsAddresses() throws Exception {
        InetAddress[] many = new InetAddress[DnsDiscovery.MAX_ENDPOINTS + 10];
        for (int i = 0; i < many.length; i++) {
            many[i] = InetAddress.getByAddress(new byte[] {10, 1, (byte) (i >> 8), (byte) i});
        }
        dnsAnswer.set(many);

        Cluster cluster = cluster("""
                dns: inventory.internal:8080
                """);

        assertEquals(DnsDiscovery.MAX_ENDPOINTS, cluster.size());
    }

    /** A minimal exchange for building {@link Attempt}s: the response is its own status. */
    private static final class StatusExchange implements dev.jmesh.bootstrap.Exchange<Integer> {
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
}
