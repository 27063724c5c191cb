package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.Endpoint;
import dev.jmesh.config.LoadBalancerPolicy;
import dev.jmesh.config.ServiceConfig;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;
import java.util.function.LongSupplier;

/**
 * The endpoints of one service as the engine sees them right now (Envoy: a cluster's host set): where
 * they come from (static {@code endpoints}, or {@code dns} re-resolved on the scheduler), which of them are
 * in rotation (not ejected by {@link OutlierDetector}, not failing {@link HealthChecker}), and the
 * {@link LoadBalancer} over those.
 *
 * <p>The call path ({@link #pick}, {@link #started}, {@link #finished}) reads one volatile balancer and
 * updates a few atomics of the chosen host; it never blocks and allocates nothing. Everything that changes
 * the set (DNS, ejections, health) takes {@link #lock} and publishes a new balancer.
 *
 * <p>When no host is in rotation (all ejected or unhealthy), the balancer runs over all of them (Envoy's
 * panic mode): a call is better sent to a host that may have recovered than failed without trying.
 *
 * <p>Periodic work (DNS refresh, the outlier sweep, health checks) runs on the engine's scheduler and
 * holds the cluster only weakly: a cluster that a config reload replaced stops its tasks when it is
 * closed, or at the latest when it is garbage collected.
 */
final class Cluster {
    final Object lock = new Object();
    private final String service;
    private final LoadBalancerPolicy policy;
    private final IntUnaryOperator random;
    private final DnsDiscovery dns;
    private final OutlierDetector outliers;
    private final HealthChecker health;
    /** Every host, in rotation or not. Written under the lock. */
    private volatile Host[] hosts;
    /** Over the hosts in rotation (or all of them, in panic). Written under the lock. */
    private volatile LoadBalancer balancer;
    /** Guarded by the lock. */
    private boolean panic;
    /** Orders DNS results: one that started before the last applied one is stale. */
    private final AtomicLong resolutions = new AtomicLong();
    private long appliedResolution;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<ScheduledFuture<?>>();
    private volatile boolean closed;

    /** The production cluster: JDK resolver, HTTP health checks, the system clock, thread-local random. */
    Cluster(ServiceConfig config, ScheduledExecutorService scheduler) {
        this(config, scheduler, System::nanoTime, LoadBalancer.THREAD_LOCAL_RANDOM, DnsDiscovery.Resolver.JDK,
                HealthChecker.HTTP);
    }

    /**
     * @param scheduler where periodic work runs; null runs none (tests call {@link #refreshDns()},
     *                  {@link #sweepOutliers()} and {@link #checkHealth()} themselves)
     */
    Cluster(ServiceConfig config, ScheduledExecutorService scheduler, LongSupplier clock, IntUnaryOperator random,
            DnsDiscovery.Resolver resolver, HealthChecker.Probe probe) {
        this.service = config.name();
        this.policy = config.loadBalancer();
        this.random = random;
        this.dns = config.dns() == null ? null : new DnsDiscovery(service, config.dns(), resolver);
        this.outliers = config.outlierDetection() == null ? null
                : new OutlierDetector(service, config.outlierDetection(), clock, this);
        this.health = config.healthCheck() == null ? null
                : new HealthChecker(service, config.healthCheck(), probe, this);
        // Until DNS answers, a DNS service is its name as one endpoint, resolved by the JVM when it connects.
        synchronized (lock) {
            setHostsLocked(config.endpoints());
        }
        if (dns != null) {
            // The first resolution may hold up the config thread, briefly; never an application thread.
            if (scheduler == null) {
                refreshDns();
            } else {
                DnsDiscovery.runBounded(new Periodic(this, Periodic.DNS), DnsDiscovery.FIRST_RESOLUTION_WAIT_MILLIS);
                schedule(scheduler, Periodic.DNS, dns.config().refreshInterval().toMillis(),
                        dns.config().refreshInterval().toMillis());
            }
        }
        if (scheduler != null && outliers != null) {
            long interval = outliers.config().interval().toMillis();
            schedule(scheduler, Periodic.OUTLIERS, interval, interval);
        }
        if (scheduler != null && health != null) {
            schedule(scheduler, Periodic.HEALTH, 0, health.config().interval().toMillis());
        }
    }

    // ---- the call path ------------------------------------------------------------------------------

    /**
     * The host for the next attempt of a call. {@code previous} is the host the call's previous attempt
     * used (null for the first attempt): another host is chosen whenever there is one.
     */
    Host pick(Host previous) {
        return balancer.pick(previous);
    }

    void started(Host host) {
        host.inFlight.incrementAndGet();
    }

    /**
     * An attempt on {@code host} ended, with a response ({@code attempt}) or a failure. Never throws: the
     * attempt's own outcome is what the caller goes on with.
     */
    void finished(Host host, Attempt<?> attempt, Throwable failure) {
        host.inFlight.decrementAndGet();
        if (outliers != null && (attempt != null || failure != null)) {
            try {
                outliers.report(host, attempt == null ? -1 : attempt.status, failure);
            } catch (Throwable t) {
                AgentLog.warnOnce("outlier-report", "outlier detection failed (" + t + "); calls are unaffected");
            }
        }
    }

    // ---- maintenance, off the call path ---------------------------------------------------------------

    /** Resolves the DNS name now and takes the result, unless it failed, returned nothing or is stale. */
    void refreshDns() {
        if (dns == null) {
            return;
        }
        long ticket = resolutions.incrementAndGet();
        List<Endpoint> resolved = dns.resolve();
        if (resolved == null) {
            return; // the last good set stays
        }
        synchronized (lock) {
            if (ticket < appliedResolution) {
                return;
            }
            appliedResolution = ticket;
            if (!names(hosts).equals(names(resolved))) {
                if (ticket > 1) {
                    AgentLog.info("service '" + service + "': DNS name " + dns.config().host() + " now resolves to "
                            + names(resolved) + " (was " + names(hosts) + ")");
                }
                setHostsLocked(resolved);
            }
        }
    }

    void sweepOutliers() {
        if (outliers != null) {
            outliers.sweep();
        }
    }

    void checkHealth() {
        if (health != null) {
            health.checkAll();
        }
    }

    /** Stops the periodic work; the cluster still serves calls already holding it. Idempotent. */
    void close() {
        closed = true;
        synchronized (tasks) {
            for (ScheduledFuture<?> task : tasks) {
                task.cancel(false);
            }
            tasks.clear();
        }
    }

    /** Replaces the hosts; a host whose address (and weight) stays keeps its state. Holds the lock. */
    private void setHostsLocked(List<Endpoint> endpoints) {
        Map<Endpoint, Host> existing = new HashMap<Endpoint, Host>();
        if (hosts != null) {
            for (Host host : hosts) {
                existing.put(host.endpoint, host);
            }
        }
        Host[] next = new Host[endpoints.size()];
        for (int i = 0; i < next.length; i++) {
            Host kept = existing.get(endpoints.get(i));
            next[i] = kept != null ? kept : new Host(endpoints.get(i));
        }
        hosts = next;
        rebuildLocked();
    }

    /** Publishes a balancer over the hosts in rotation, or over all of them when none is. Holds the lock. */
    void rebuildLocked() {
        Host[] all = hosts;
        List<Host> inRotation = new ArrayList<Host>(all.length);
        for (Host host : all) {
            if (host.available()) {
                inRotation.add(host);
            }
        }
        boolean nowPanic = inRotation.isEmpty();
        if (nowPanic != panic) {
            panic = nowPanic;
            if (nowPanic) {
                AgentLog.warn("service '" + service + "': none of its " + all.length + " endpoints is healthy and"
                        + " in rotation; balancing over all of them until one is (panic mode)");
            } else {
                AgentLog.info("service '" + service + "': " + inRotation.size() + " of " + all.length
                        + " endpoints in rotation again; panic mode ends");
            }
        }
        Host[] chosen = nowPanic ? all : inRotation.toArray(new Host[0]);
        balancer = LoadBalancer.of(policy, chosen, balancer, random);
    }

    // ---- views (tests, and later /clusters) -----------------------------------------------------------

    Host[] hostsArray() {
        return hosts;
    }

    List<Host> hosts() {
        return Collections.unmodifiableList(Arrays.asList(hosts.clone()));
    }

    /** The hosts the balancer chooses from now (all of them in panic mode). */
    List<Host> inRotation() {
        return Collections.unmodifiableList(Arrays.asList(balancer.hosts.clone()));
    }

    boolean panic() {
        synchronized (lock) {
            return panic;
        }
    }

    boolean contains(Host host) {
        for (Host h : hosts) {
            if (h == host) {
                return true;
            }
        }
        return false;
    }

    int size() {
        return hosts.length;
    }

    Host host(String name) {
        for (Host h : hosts) {
            if (h.name.equals(name)) {
                return h;
            }
        }
        return null;
    }

    private static Set<String> names(Host[] hosts) {
        Set<String> names = new LinkedHashSet<String>();
        for (Host h : hosts) {
            names.add(h.name);
        }
        return names;
    }

    private static Set<String> names(List<Endpoint> endpoints) {
        Set<String> names = new LinkedHashSet<String>();
        for (Endpoint e : endpoints) {
            names.add(e.toString());
        }
        return names;
    }

    private void schedule(ScheduledExecutorService scheduler, int kind, long initialDelayMillis, long periodMillis) {
        Periodic task = new Periodic(this, kind);
        synchronized (tasks) {
            if (closed) {
                return;
            }
            ScheduledFuture<?> future = scheduler.scheduleWithFixedDelay(task, initialDelayMillis,
                    Math.max(1, periodMillis), TimeUnit.MILLISECONDS);
            task.future = future;
            tasks.add(future);
        }
    }

    /**
     * One kind of periodic work of a cluster, holding the cluster weakly so that a forgotten cluster
     * does not keep resolving and checking forever. Never throws: a scheduled task that throws is
     * never run again.
     */
    private static final class Periodic implements Runnable {
        static final int DNS = 0;
        static final int OUTLIERS = 1;
        static final int HEALTH = 2;

        private final WeakReference<Cluster> cluster;
        private final String service;
        private final int kind;
        volatile ScheduledFuture<?> future;

        Periodic(Cluster cluster, int kind) {
            this.cluster = new WeakReference<Cluster>(cluster);
            this.service = cluster.service;
            this.kind = kind;
        }

        @Override
        public void run() {
            Cluster c = cluster.get();
            if (c == null || c.closed) {
                ScheduledFuture<?> f = future;
                if (f != null) {
                    f.cancel(false);
                }
                return;
            }
            try {
                switch (kind) {
                    case DNS:
                        c.refreshDns();
                        break;
                    case OUTLIERS:
                        c.sweepOutliers();
                        break;
                    default:
                        c.checkHealth();
                        break;
                }
            } catch (Throwable t) {
                AgentLog.warnOnce("cluster-task:" + kind + ":" + t.getClass().getName(), "service '" + service
                        + "': " + (kind == DNS ? "DNS refresh" : kind == OUTLIERS ? "outlier sweep" : "health check")
                        + " failed (" + t + "); calls are unaffected, it runs again next interval");
            }
        }
    }
}
