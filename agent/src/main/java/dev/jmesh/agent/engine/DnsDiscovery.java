package dev.jmesh.agent.engine;

import dev.jmesh.agent.AgentThreads;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.DnsConfig;
import dev.jmesh.config.Endpoint;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Discovery by DNS ({@code services.<name>.dns}; Envoy: a STRICT_DNS cluster): every address the name
 * resolves to (A and AAAA records) is an endpoint on the configured port. Resolution runs off the call
 * path: once when the cluster is built (a bounded wait, on the config thread) and then on the engine's
 * scheduler every {@code refreshInterval}. A resolution that fails or returns nothing keeps the last
 * good set, and says so once until a resolution succeeds again.
 *
 * <p>Addresses come through the JVM's own resolver ({@link InetAddress#getAllByName}), so its cache
 * ({@code networkaddress.cache.ttl}) and {@code java.net.preferIPv4Stack} apply as they do to the app.
 */
final class DnsDiscovery {
    /** Most endpoints taken from one resolution; more are dropped (bounded per-endpoint state). */
    static final int MAX_ENDPOINTS = 512;
    /** How long building a cluster waits for its first resolution before going on without it. */
    static final long FIRST_RESOLUTION_WAIT_MILLIS = 1000;
    private static final AgentThreads THREADS = new AgentThreads("dns");

    /** Looks a name up; the JDK's resolver unless a test says otherwise. */
    interface Resolver {
        Resolver JDK = InetAddress::getAllByName;

        InetAddress[] resolve(String host) throws Exception;
    }

    private final String service;
    private final DnsConfig config;
    private final Resolver resolver;
    /** Guarded by this: whether the last resolution failed (so a failure streak is logged once). */
    private boolean failing;
    private boolean truncationLogged;

    DnsDiscovery(String service, DnsConfig config, Resolver resolver) {
        this.service = service;
        this.config = config;
        this.resolver = resolver;
    }

    DnsConfig config() {
        return config;
    }

    /**
     * Resolves the name now (blocking: call it on the scheduler or the config thread, never on a call path).
     * Returns the endpoints in the order the resolver gave them, without duplicates, or null when the
     * resolution failed or returned nothing (then the caller keeps what it has).
     */
    List<Endpoint> resolve() {
        InetAddress[] addresses;
        Throwable error = null;
        try {
            addresses = resolver.resolve(config.host());
        } catch (Throwable t) {
            addresses = null;
            error = t;
        }
        Set<String> seen = new LinkedHashSet<String>();
        List<Endpoint> endpoints = new ArrayList<Endpoint>();
        if (addresses != null) {
            for (InetAddress address : addresses) {
                if (address == null || !seen.add(address.getHostAddress())) {
                    continue;
                }
                if (endpoints.size() == MAX_ENDPOINTS) {
                    logTruncation(addresses.length);
                    break;
                }
                endpoints.add(new Endpoint(address.getHostAddress(), config.port()));
            }
        }
        synchronized (this) {
            if (endpoints.isEmpty()) {
                if (!failing) {
                    failing = true;
                    AgentLog.warn("service '" + service + "': DNS name " + config.host() + " "
                            + (error != null ? "could not be resolved (" + error + ")" : "resolved to no address")
                            + "; keeping the endpoints it had, retrying every "
                            + config.refreshInterval().toMillis() + "ms");
                }
                return null;
            }
            if (failing) {
                failing = false;
                AgentLog.info("service '" + service + "': DNS name " + config.host() + " resolves again");
            }
        }
        return Collections.unmodifiableList(endpoints);
    }

    private synchronized void logTruncation(int resolved) {
        if (!truncationLogged) {
            truncationLogged = true;
            AgentLog.warn("service '" + service + "': DNS name " + config.host() + " has " + resolved
                    + " addresses; only the first " + MAX_ENDPOINTS + " are used");
        }
    }

    /**
     * Runs {@code task} (a first resolution) on a short-lived {@code jmesh-dns-*} daemon thread and waits
     * for it at most {@code waitMillis}: a resolver that hangs cannot hold up the config thread longer. A
     * resolution that finishes later still delivers its result.
     */
    static void runBounded(Runnable task, long waitMillis) {
        Thread thread = THREADS.newThread(task);
        thread.start();
        try {
            thread.join(waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
