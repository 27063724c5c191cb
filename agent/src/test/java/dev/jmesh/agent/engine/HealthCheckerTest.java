package dev.jmesh.agent.engine;

import com.sun.net.httpserver.HttpServer;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.ServiceConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real HTTP health check against a local server; rounds are run directly, not waited for. */
class HealthCheckerTest {
    private HttpServer server;
    private final AtomicInteger status = new AtomicInteger(200);
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private int deadPort;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().getFirst("User-Agent"));
            int code = status.get();
            byte[] body = code == 204 ? new byte[0] : "ok".getBytes();
            exchange.sendResponseHeaders(code, code == 204 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            deadPort = free.getLocalPort(); // closed again: connections are refused
        }
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String live() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private String dead() {
        return "127.0.0.1:" + deadPort;
    }

    private ServiceConfig service(String healthCheck) throws Exception {
        return ConfigLoader.parse("services:\n  svc:\n    endpoints: [\"" + live() + "\", \"" + dead() + "\"]\n"
                + "    healthCheck: " + healthCheck + "\n", "test.yaml").config().service("svc");
    }

    private static Set<String> inRotation(Cluster cluster) {
        Set<String> names = new HashSet<>();
        for (Host h : cluster.inRotation()) {
            names.add(h.name);
        }
        return names;
    }

    @Test
    void anEndpointThatRefusesConnectionsLeavesRotationAndOneThatAnswersStays() throws Exception {
        Cluster cluster = new Cluster(service("{ path: /healthz, timeout: 2s, unhealthyThreshold: 2 }"), null);

        cluster.checkHealth();
        assertEquals(Set.of(live(), dead()), inRotation(cluster), "one failure is not two");
        cluster.checkHealth();

        assertEquals(Set.of(live()), inRotation(cluster));
        assertEquals(List.of("GET /healthz jmesh-health-check", "GET /healthz jmesh-health-check"), requests);
        assertFalse(CallDepth.nested(), "the check leaves the call-depth guard as it found it");
    }

    @Test
    void anUnexpectedStatusFailsAndTheExpectedOnesPass() throws Exception {
        Cluster cluster = new Cluster(service(
                "{ path: /ready, unhealthyThreshold: 1, healthyThreshold: 2, expectedStatuses: [204, 300-399] }"), null);
        Host live = cluster.host(live());

        status.set(200);
        cluster.checkHealth();
        assertFalse(live.healthy, "200 is not in [204, 300-399]");

        status.set(302); // not followed
        cluster.checkHealth();
        assertFalse(live.healthy, "one pass is not two");
        status.set(204);
        cluster.checkHealth();
        assertTrue(live.healthy);
        assertTrue(requests.stream().allMatch(r -> r.startsWith("GET /ready ")), requests.toString());
    }

    @Test
    void aServerThatTurnsUnhealthyLeavesRotationAndAllUnhealthyIsPanic() throws Exception {
        Cluster cluster = new Cluster(service("{ path: /healthz, unhealthyThreshold: 1, healthyThreshold: 1 }"),
                null);
        cluster.checkHealth();
        assertEquals(Set.of(live()), inRotation(cluster));

        status.set(503);
        cluster.checkHealth();

        assertTrue(cluster.panic());
        assertEquals(Set.of(live(), dead()), inRotation(cluster), "panic: balance over all");

        status.set(200);
        cluster.checkHealth();
        assertFalse(cluster.panic());
        assertEquals(Set.of(live()), inRotation(cluster));
    }

    @Test
    void onTheSchedulerTheFirstRoundRunsAtOnceAndClosingStopsIt() throws Exception {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1,
                new dev.jmesh.agent.AgentThreads("test-scheduler"));
        scheduler.setRemoveOnCancelPolicy(true);
        try {
            Cluster cluster = new Cluster(service("{ path: /healthz, interval: 1h, timeout: 2s, unhealthyThreshold: 1 }"),
                    scheduler);
            for (int i = 0; i < 500 && !requests.contains("GET /healthz jmesh-health-check"); i++) {
                Thread.sleep(10);
            }
            assertTrue(requests.contains("GET /healthz jmesh-health-check"), "first round ran");
            for (int i = 0; i < 500 && scheduler.getQueue().isEmpty(); i++) {
                Thread.sleep(10); // the round is still running
            }
            assertEquals(1, scheduler.getQueue().size(), "the next round is scheduled");
            cluster.close();
            assertEquals(0, scheduler.getQueue().size(), "no task left behind after close");
        } finally {
            scheduler.shutdownNow();
        }
    }
}
