package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.Mode;
import dev.jmesh.config.OutlierDetectionConfig;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Passive health checking ({@code services.<name>.outlierDetection}; Envoy: outlier detection with its
 * consecutive-errors detectors). Every attempt's outcome is counted per host on the call path with a few
 * lock-free atomics; a host whose count of one kind reaches its threshold is ejected on the spot:
 *
 * <ul>
 *   <li>{@code consecutive5xx}: responses 500-599, and attempts that connected but got no response
 *       (per-try timeout, connection reset), which Envoy counts as 504 and 503;</li>
 *   <li>{@code consecutiveGatewayErrors}: responses 502, 503, 504, and the same attempts without a response;</li>
 *   <li>{@code consecutiveConnectFailures}: connections that could not be made (refused, unreachable,
 *       connect timeout). They count only here: a host that cannot be reached is this detector's business.</li>
 * </ul>
 *
 * Any other response ends the streaks (a 5xx that is not a gateway error ends the gateway streak; any
 * response ends the connect-failure streak). An ejection lasts {@code baseEjectionTime} times the number of
 * the host's ejections in a row, at most {@code maxEjectionTime}; every {@code interval} a sweep on the
 * scheduler returns hosts whose time is up and lowers the multiplier of hosts that stayed in rotation
 * (so a host that recovered is ejected briefly again next time, as in Envoy).
 *
 * <p>At most {@code maxEjectionPercent} of the hosts are ejected at once, rounded down but at least one,
 * and never all of them: one host always stays. In {@code mode: shadow} the same decisions are made and
 * logged as "would eject", and every host stays in rotation.
 */
final class OutlierDetector {
    private final String service;
    private final OutlierDetectionConfig config;
    private final boolean shadow;
    private final LongSupplier clock;
    private final Cluster cluster;
    private final long baseNanos;
    private final long maxNanos;

    OutlierDetector(String service, OutlierDetectionConfig config, LongSupplier clock, Cluster cluster) {
        this.service = service;
        this.config = config;
        this.shadow = config.mode() == Mode.SHADOW;
        this.clock = clock;
        this.cluster = cluster;
        this.baseNanos = config.baseEjectionTime().toNanos();
        this.maxNanos = Math.max(baseNanos, config.maxEjectionTime().toNanos());
    }

    OutlierDetectionConfig config() {
        return config;
    }

    // ---- call path ----------------------------------------------------------------------------------

    /** Counts one attempt: its response status, or the failure it ended with (status ignored then). */
    void report(Host host, int status, Throwable failure) {
        if (failure != null) {
            switch (Failure.of(unwrap(failure))) {
                case CONNECT_FAILURE:
                    count(host, host.consecutiveConnectFailures, config.consecutiveConnectFailures(),
                            "consecutive connect failures");
                    return;
                case TIMEOUT:
                case RESET:
                    responded5xx(host, true);
                    return;
                default:
                    return; // not the upstream's doing (interrupted, rejected by the library): no verdict
            }
        }
        if (status >= 500 && status <= 599) {
            responded5xx(host, status >= 502 && status <= 504);
        } else {
            reset(host.consecutive5xx);
            reset(host.consecutiveGatewayErrors);
            reset(host.consecutiveConnectFailures);
        }
    }

    private void responded5xx(Host host, boolean gatewayError) {
        reset(host.consecutiveConnectFailures);
        if (gatewayError) {
            count(host, host.consecutiveGatewayErrors, config.consecutiveGatewayErrors(), "consecutive gateway errors");
        } else {
            reset(host.consecutiveGatewayErrors);
        }
        count(host, host.consecutive5xx, config.consecutive5xx(), "consecutive 5xx");
    }

    /** Cheap when nothing is counted: a successful attempt only reads. */
    private static void reset(AtomicInteger counter) {
        if (counter.get() != 0) {
            counter.set(0);
        }
    }

    /**
     * Each multiple of the threshold tries an ejection, so a host that the ejection cap kept in rotation
     * gets another look after as many failures again, and the cluster's lock is taken only that often.
     */
    private void count(Host host, AtomicInteger counter, int threshold, String reason) {
        if (threshold <= 0) {
            return;
        }
        int n = counter.incrementAndGet();
        if (n % threshold == 0) {
            eject(host, n + " " + reason);
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ---- decisions, under the cluster's lock ---------------------------------------------------------

    private void eject(Host host, String reason) {
        synchronized (cluster.lock) {
            if (isOut(host) || !cluster.contains(host)) {
                return;
            }
            int size = cluster.size();
            int allowed = maxEjections(config.maxEjectionPercent(), size);
            int out = 0;
            for (Host h : cluster.hostsArray()) {
                if (isOut(h)) {
                    out++;
                }
            }
            if (out >= allowed) {
                AgentLog.warnOnce("outlier-cap:" + service, "service '" + service + "': endpoint "
                        + host.name + " has " + reason + " but stays in rotation: " + out + " of " + size
                        + " endpoints are already " + (shadow ? "(in shadow mode) " : "") + "ejected"
                        + " (maxEjectionPercent " + percent(config.maxEjectionPercent()) + ", and one always stays)");
                return;
            }
            host.ejections++;
            long duration = Math.min(maxNanos, multiply(baseNanos, host.ejections));
            host.ejectedUntilNanos = clock.getAsLong() + duration;
            host.consecutive5xx.set(0);
            host.consecutiveGatewayErrors.set(0);
            host.consecutiveConnectFailures.set(0);
            String what = "endpoint " + host.name + " after " + reason + " for "
                    + TimeUnit.NANOSECONDS.toMillis(duration) + "ms (ejection " + host.ejections + " in a row)";
            EngineEvents.ejected(service, host.name, shadow);
            if (shadow) {
                host.wouldBeEjected = true;
                AgentLog.info("service '" + service + "': outlier detection (shadow) would eject " + what
                        + "; it stays in rotation");
            } else {
                host.ejected = true;
                AgentLog.warn("service '" + service + "': outlier detection ejected " + what);
                cluster.rebuildLocked();
            }
        }
    }

    /**
     * Every {@code interval}, on the scheduler: hosts whose ejection time is up return to rotation; hosts
     * in rotation lower their ejection multiplier by one.
     */
    void sweep() {
        synchronized (cluster.lock) {
            long now = clock.getAsLong();
            boolean changed = false;
            for (Host host : cluster.hostsArray()) {
                if (isOut(host)) {
                    if (now - host.ejectedUntilNanos >= 0) {
                        if (shadow) {
                            host.wouldBeEjected = false;
                            AgentLog.info("service '" + service + "': outlier detection (shadow) would return endpoint "
                                    + host.name + " to rotation");
                        } else {
                            host.ejected = false;
                            changed = true;
                            AgentLog.info("service '" + service + "': endpoint " + host.name
                                    + " returns to rotation after its ejection");
                        }
                    }
                } else if (host.ejections > 0) {
                    host.ejections--;
                }
            }
            if (changed) {
                cluster.rebuildLocked();
            }
        }
    }

    private boolean isOut(Host host) {
        return shadow ? host.wouldBeEjected : host.ejected;
    }

    /** maxEjectionPercent of the hosts, rounded down but at least one, and never all of them. */
    static int maxEjections(double fraction, int hosts) {
        int byPercent = (int) Math.floor(fraction * hosts + 1e-9);
        return Math.min(hosts - 1, Math.max(1, byPercent));
    }

    private static long multiply(long nanos, int times) {
        return nanos > Long.MAX_VALUE / times ? Long.MAX_VALUE : nanos * times;
    }

    private static String percent(double fraction) {
        double p = fraction * 100;
        return (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p)) + "%";
    }
}
