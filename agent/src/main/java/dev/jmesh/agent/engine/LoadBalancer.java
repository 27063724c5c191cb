package dev.jmesh.agent.engine;

import dev.jmesh.config.LoadBalancerPolicy;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * Chooses a host for each attempt among a fixed set (the hosts a {@link Cluster} currently has in
 * rotation), honouring endpoint weights. Immutable apart from a round-robin position: a cluster builds a
 * new one whenever its set of hosts in rotation changes, so picking is lock-free and allocates nothing.
 *
 * <ul>
 *   <li>{@code round_robin}: smooth weighted round robin (nginx's algorithm): over a cycle of
 *       sum-of-weights picks, each host is chosen exactly its weight times, spread out rather than in
 *       runs. The cycle is precomputed, so a pick is one atomic increment.</li>
 *   <li>{@code random}: each host with probability weight / sum of weights.</li>
 *   <li>{@code least_request}: power of two choices: two different hosts drawn as {@code random} draws
 *       them, the one with fewer attempts in flight per unit of weight wins (Envoy's in-flight / weight);
 *       on a tie the first drawn, so an idle service is balanced exactly as {@code random}.</li>
 * </ul>
 *
 * Every policy takes the host the previous attempt of the same call used, and chooses another one
 * whenever there is another one: a retry goes elsewhere.
 */
abstract class LoadBalancer {
    /** Longest precomputed round-robin cycle; weights whose reduced sum is larger are scaled down to fit. */
    static final int MAX_CYCLE = 4096;
    /** Uniform random integers in [0, bound): ThreadLocalRandom by default, a seeded Random in tests. */
    static final IntUnaryOperator THREAD_LOCAL_RANDOM = bound -> ThreadLocalRandom.current().nextInt(bound);

    final Host[] hosts;
    /** upper[i] = sum of the weights of hosts[0..i]. */
    private final int[] upper;
    private final int total;
    /** All weights equal: draws need no search. */
    private final boolean uniform;
    final IntUnaryOperator random;

    LoadBalancer(Host[] hosts, IntUnaryOperator random) {
        if (hosts.length == 0) {
            throw new IllegalArgumentException("a balancer needs at least one host");
        }
        this.hosts = hosts;
        this.random = random;
        this.upper = new int[hosts.length];
        int sum = 0;
        boolean same = true;
        for (int i = 0; i < hosts.length; i++) {
            sum += hosts[i].weight;
            upper[i] = sum;
            same &= hosts[i].weight == hosts[0].weight;
        }
        this.total = sum;
        this.uniform = same;
    }

    /** The host for the next attempt; never {@code avoid} unless it is the only host. {@code avoid} may be null. */
    abstract Host pick(Host avoid);

    static LoadBalancer of(LoadBalancerPolicy policy, Host[] hosts, LoadBalancer previous, IntUnaryOperator random) {
        switch (policy) {
            case RANDOM:
                return new Random(hosts, random);
            case LEAST_REQUEST:
                return new LeastRequest(hosts, random);
            case ROUND_ROBIN:
            default:
                return new RoundRobin(hosts, random,
                        previous instanceof RoundRobin ? ((RoundRobin) previous).next.get() : 0);
        }
    }

    final int indexOf(Host host) {
        if (host != null) {
            for (int i = 0; i < hosts.length; i++) {
                if (hosts[i] == host) {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * Index of a host drawn with probability proportional to its weight among all hosts but {@code ex1}
     * and {@code ex2} (each an index, or -1 for none); -1 when no other host is left.
     */
    final int draw(int ex1, int ex2) {
        if (ex1 == ex2) {
            ex2 = -1;
        }
        if (ex1 > ex2) { // ascending, -1 first
            int t = ex1;
            ex1 = ex2;
            ex2 = t;
        }
        int n = hosts.length;
        if (uniform) {
            int left = n - (ex1 >= 0 ? 1 : 0) - (ex2 >= 0 ? 1 : 0);
            if (left <= 0) {
                return -1;
            }
            int i = random.applyAsInt(left);
            if (ex1 >= 0 && i >= ex1) {
                i++;
            }
            if (ex2 >= 0 && i >= ex2) {
                i++;
            }
            return i;
        }
        int left = total - weightAt(ex1) - weightAt(ex2);
        if (left <= 0) {
            return -1;
        }
        // a point on the line of all weights with the excluded stretches cut out, then mapped back
        int r = random.applyAsInt(left);
        if (ex1 >= 0 && r >= lowerOf(ex1)) {
            r += hosts[ex1].weight;
        }
        if (ex2 >= 0 && r >= lowerOf(ex2)) {
            r += hosts[ex2].weight;
        }
        return indexAtPoint(r);
    }

    private int weightAt(int index) {
        return index < 0 ? 0 : hosts[index].weight;
    }

    private int lowerOf(int index) {
        return upper[index] - hosts[index].weight;
    }

    /** The host whose stretch of the weight line holds {@code point}: the first i with upper[i] > point. */
    private int indexAtPoint(int point) {
        int lo = 0;
        int hi = upper.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (upper[mid] > point) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** Smooth weighted round robin over a precomputed cycle; plain round robin when all weights are equal. */
    static final class RoundRobin extends LoadBalancer {
        /** Host indices of one cycle, or null when all weights are equal (the cycle is 0, 1, ..., n-1). */
        private final int[] cycle;
        final AtomicInteger next;

        RoundRobin(Host[] hosts, IntUnaryOperator random, int start) {
            super(hosts, random);
            this.cycle = cycle(hosts);
            this.next = new AtomicInteger(start);
        }

        @Override
        Host pick(Host avoid) {
            int length = cycle == null ? hosts.length : cycle.length;
            if (hosts.length == 1) {
                return hosts[0];
            }
            int position = Math.floorMod(next.getAndIncrement(), length);
            Host chosen = at(position);
            if (chosen == avoid) {
                // the next host of the cycle that is not the one to avoid (a heavy host may come several times in a row)
                for (int k = 1; k < length; k++) {
                    Host other = at((position + k) % length);
                    if (other != avoid) {
                        return other;
                    }
                }
            }
            return chosen;
        }

        private Host at(int position) {
            return hosts[cycle == null ? position : cycle[position]];
        }

        int cycleLength() {
            return cycle == null ? hosts.length : cycle.length;
        }

        /**
         * nginx's smooth weighted round robin, run once for a whole cycle: at each step every host's
         * current value grows by its weight, the largest wins and drops by the sum of the weights. The
         * weights are first divided by their greatest common divisor (so 50/50 is the cycle of 1/1), and
         * scaled down when the cycle would still be longer than {@link #MAX_CYCLE}.
         */
        static int[] cycle(Host[] hosts) {
            int n = hosts.length;
            int[] weights = new int[n];
            int gcd = 0;
            for (int i = 0; i < n; i++) {
                weights[i] = hosts[i].weight;
                gcd = gcd(gcd, weights[i]);
            }
            long sum = 0;
            for (int i = 0; i < n; i++) {
                weights[i] /= gcd;
                sum += weights[i];
            }
            if (sum == n) {
                return null; // all equal
            }
            if (sum > Math.max(MAX_CYCLE, n)) {
                long scaled = 0;
                for (int i = 0; i < n; i++) {
                    weights[i] = (int) Math.max(1, weights[i] * (long) MAX_CYCLE / sum);
                    scaled += weights[i];
                }
                sum = scaled;
            }
            int length = (int) sum;
            int[] cycle = new int[length];
            long[] current = new long[n];
            for (int step = 0; step < length; step++) {
                int best = 0;
                for (int i = 0; i < n; i++) {
                    current[i] += weights[i];
                    if (current[i] > current[best]) {
                        best = i;
                    }
                }
                current[best] -= length;
                cycle[step] = best;
            }
            return cycle;
        }

        private static int gcd(int a, int b) {
            while (b != 0) {
                int t = a % b;
                a = b;
                b = t;
            }
            return a;
        }
    }

    /** Weighted random. */
    static final class Random extends LoadBalancer {
        Random(Host[] hosts, IntUnaryOperator random) {
            super(hosts, random);
        }

        @Override
        Host pick(Host avoid) {
            int i = draw(-1, -1);
            if (hosts[i] == avoid && hosts.length > 1) {
                i = draw(i, -1);
            }
            return hosts[i];
        }
    }

    /** Power of two choices on attempts in flight per unit of weight, as Envoy's least_request. */
    static final class LeastRequest extends LoadBalancer {
        LeastRequest(Host[] hosts, IntUnaryOperator random) {
            super(hosts, random);
        }

        @Override
        Host pick(Host avoid) {
            if (hosts.length == 1) {
                return hosts[0];
            }
            int avoided = avoid == null ? -1 : indexOf(avoid);
            int a = draw(avoided, -1);
            if (a < 0) {
                return hosts[0]; // only the host to avoid is left
            }
            int b = draw(avoided, a);
            if (b < 0) {
                return hosts[a];
            }
            Host first = hosts[a];
            Host second = hosts[b];
            // second.inFlight / second.weight < first.inFlight / first.weight, without division
            return (long) second.inFlight.get() * first.weight < (long) first.inFlight.get() * second.weight
                    ? second : first;
        }
    }
}
