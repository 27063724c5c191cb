package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.config.HealthCheckConfig;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;

/**
 * Active health checks ({@code services.<name>.healthCheck}; Envoy: an HTTP health checker): every
 * {@code interval}, on the engine's scheduler, one {@code GET path} to each host of the cluster in turn,
 * with {@code timeout} for connecting and for the response each. A status in {@code expectedStatuses}
 * passes; any other status, or no response, fails. A host in rotation leaves it after
 * {@code unhealthyThreshold} failed checks in a row and comes back after {@code healthyThreshold} passed
 * ones; hosts start healthy, so a cluster serves calls before its first round of checks.
 *
 * <p>The check is a plain {@link HttpURLConnection} made inside {@link CallDepth#enter()}, so the mesh's
 * own instrumentation lets it through untouched (no routing, no retries, no access-log record), and
 * without a proxy: it must reach the host itself. One round checks the hosts one after the other, so it
 * occupies one scheduler thread for at most hosts x 2 x timeout.
 */
final class HealthChecker {
    static final String USER_AGENT = "jmesh-health-check";

    /** Performs one check and returns the status, or throws when there is no response. */
    interface Probe {
        int status(Host host, HealthCheckConfig config) throws Exception;
    }

    /** The real check: an HTTP GET with HttpURLConnection. */
    static final Probe HTTP = HealthChecker::httpGet;

    private final String service;
    private final HealthCheckConfig config;
    private final Probe probe;
    private final Cluster cluster;

    HealthChecker(String service, HealthCheckConfig config, Probe probe, Cluster cluster) {
        this.service = service;
        this.config = config;
        this.probe = probe;
        this.cluster = cluster;
    }

    HealthCheckConfig config() {
        return config;
    }

    /** One round: checks every host the cluster has now. Blocking; runs on the scheduler (or a test). */
    void checkAll() {
        for (Host host : cluster.hostsArray()) {
            check(host);
        }
    }

    /** Checks one host and applies the verdict. */
    void check(Host host) {
        int status = -1;
        String problem;
        try {
            status = probe.status(host, config);
            problem = config.expects(status) ? null : "status " + status;
        } catch (Throwable t) {
            problem = t.toString();
        }
        record(host, problem == null, problem);
    }

    /** Counts a passed or failed check against the thresholds; a change of state takes the host in or out. */
    void record(Host host, boolean passed, String problem) {
        boolean changed = false;
        if (passed) {
            host.checksFailedInARow = 0;
            host.checksPassedInARow++;
            if (!host.healthy && host.checksPassedInARow >= config.healthyThreshold()) {
                changed = true;
            }
        } else {
            host.checksPassedInARow = 0;
            host.checksFailedInARow++;
            if (host.healthy && host.checksFailedInARow >= config.unhealthyThreshold()) {
                changed = true;
            }
        }
        if (!changed) {
            return;
        }
        synchronized (cluster.lock) {
            host.healthy = passed;
            if (passed) {
                AgentLog.info("service '" + service + "': endpoint " + host.name + " passed "
                        + host.checksPassedInARow + " health check(s) in a row and returns to rotation");
            } else {
                AgentLog.warn("service '" + service + "': endpoint " + host.name + " failed "
                        + host.checksFailedInARow + " health check(s) in a row (GET " + config.path() + ": " + problem
                        + ") and leaves rotation");
            }
            if (cluster.contains(host)) {
                cluster.rebuildLocked();
            }
        }
    }

    private static int httpGet(Host host, HealthCheckConfig config) throws IOException {
        int timeout = (int) Math.max(1, Math.min(Integer.MAX_VALUE, config.timeout().toMillis()));
        CallDepth.enter(); // the mesh's own call: its instrumentation passes it through
        try {
            URL url = new URL("http", host.host(), host.port(), config.path()); // brackets an IPv6 literal
            HttpURLConnection connection = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
            try {
                connection.setConnectTimeout(timeout);
                connection.setReadTimeout(timeout);
                connection.setUseCaches(false);
                connection.setInstanceFollowRedirects(false);
                connection.setRequestProperty("User-Agent", USER_AGENT);
                return connection.getResponseCode();
            } finally {
                connection.disconnect(); // closes the socket: no body is read, nothing lingers
            }
        } finally {
            CallDepth.exit();
        }
    }
}
