package dev.jmesh.agent.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What {@code /clusters} shows of one service at one moment: a copy, safe to keep and print. */
public final class ClusterView {
    /** One endpoint of the service. */
    public static final class EndpointView {
        public final String address;
        public final boolean healthy;
        public final boolean ejected;
        /** Outlier detection in shadow mode would have ejected it. */
        public final boolean wouldBeEjected;
        public final boolean inRotation;
        public final int inFlight;

        EndpointView(Host host, boolean inRotation) {
            this.address = host.name;
            this.healthy = host.healthy;
            this.ejected = host.ejected;
            this.wouldBeEjected = host.wouldBeEjected;
            this.inRotation = inRotation;
            this.inFlight = host.inFlight.get();
        }
    }

    public final String service;
    /** The failure-rate breaker: {@code closed}, {@code open}, {@code half_open}, or null when there is none. */
    public final String breakerState;
    /** The slow-call breaker, likewise; null unless the service counts slow calls. */
    public final String slowCallBreakerState;
    public final boolean breakerShadow;
    public final boolean panic;
    public final int inFlight;
    public final List<EndpointView> endpoints;

    ClusterView(ServiceRuntime runtime) {
        Cluster cluster = runtime.cluster();
        this.service = runtime.name();
        this.breakerState = runtime.breakerState();
        this.slowCallBreakerState = runtime.slowCallBreakerState();
        this.breakerShadow = runtime.breakerShadow();
        this.panic = cluster.panic();
        this.inFlight = runtime.inFlight().requests();
        List<Host> rotation = cluster.inRotation();
        List<EndpointView> views = new ArrayList<EndpointView>();
        for (Host host : cluster.hosts()) {
            views.add(new EndpointView(host, rotation.contains(host)));
        }
        this.endpoints = Collections.unmodifiableList(views);
    }
}
