package dev.jmesh.agent.engine;

import dev.jmesh.config.Endpoint;
import dev.jmesh.config.LoadBalancerPolicy;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Chooses an endpoint of one service for each attempt. Lock-free: the hot path touches one atomic.
 * A retry naturally lands on another endpoint, because every pick moves on.
 */
abstract class LoadBalancer {
    final List<Endpoint> endpoints;

    LoadBalancer(List<Endpoint> endpoints) {
        this.endpoints = endpoints;
    }

    /** Index of the endpoint for the next attempt. */
    abstract int pick();

    /** Called when an attempt on endpoint {@code index} starts and ends (for least-request). */
    void started(int index) {
    }

    void finished(int index) {
    }

    static LoadBalancer of(LoadBalancerPolicy policy, List<Endpoint> endpoints) {
        switch (policy) {
            case RANDOM:
                return new Random(endpoints);
            case LEAST_REQUEST:
                return new LeastRequest(endpoints);
            case ROUND_ROBIN:
            default:
                return new RoundRobin(endpoints);
        }
    }

    private static final class RoundRobin extends LoadBalancer {
        private final AtomicInteger next = new AtomicInteger();

        RoundRobin(List<Endpoint> endpoints) {
            super(endpoints);
        }

        @Override
        int pick() {
            return Math.floorMod(next.getAndIncrement(), endpoints.size());
        }
    }

    private static final class Random extends LoadBalancer {
        Random(List<Endpoint> endpoints) {
            super(endpoints);
        }

        @Override
        int pick() {
            return ThreadLocalRandom.current().nextInt(endpoints.size());
        }
    }

    /** Power of two choices on in-flight attempts, as Envoy's least_request. */
    private static final class LeastRequest extends LoadBalancer {
        private final AtomicIntegerArray inFlight;

        LeastRequest(List<Endpoint> endpoints) {
            super(endpoints);
            this.inFlight = new AtomicIntegerArray(endpoints.size());
        }

        @Override
        int pick() {
            int size = endpoints.size();
            if (size == 1) {
                return 0;
            }
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int a = random.nextInt(size);
            int b = (a + 1 + random.nextInt(size - 1)) % size;
            return inFlight.get(b) < inFlight.get(a) ? b : a;
        }

        @Override
        void started(int index) {
            inFlight.incrementAndGet(index);
        }

        @Override
        void finished(int index) {
            inFlight.decrementAndGet(index);
        }
    }
}
