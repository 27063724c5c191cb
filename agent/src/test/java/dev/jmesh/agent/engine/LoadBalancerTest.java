package dev.jmesh.agent.engine;

import dev.jmesh.config.Endpoint;
import dev.jmesh.config.LoadBalancerPolicy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Weights, smoothness and "a retry goes elsewhere" for every policy, with a seeded random source. */
class LoadBalancerTest {

    private static Host[] hosts(int... weights) {
        Host[] hosts = new Host[weights.length];
        for (int i = 0; i < weights.length; i++) {
            hosts[i] = new Host(new Endpoint("10.0.0." + (i + 1), 8080, weights[i]));
        }
        return hosts;
    }

    private static IntUnaryOperator seeded(long seed) {
        Random random = new Random(seed);
        return random::nextInt;
    }

    private static LoadBalancer balancer(LoadBalancerPolicy policy, Host[] hosts) {
        return LoadBalancer.of(policy, hosts, null, seeded(42));
    }

    private static String letters(LoadBalancer lb, Host[] hosts, int picks) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < picks; i++) {
            Host h = lb.pick(null);
            for (int j = 0; j < hosts.length; j++) {
                if (hosts[j] == h) {
                    sb.append((char) ('a' + j));
                }
            }
        }
        return sb.toString();
    }

    private static Map<Host, Integer> counts(LoadBalancer lb, int picks) {
        Map<Host, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(lb.pick(null), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void roundRobinIsNginxSmoothWeightedRoundRobinExactOverEachCycle() {
        Host[] hosts = hosts(5, 1, 1);
        LoadBalancer lb = balancer(LoadBalancerPolicy.ROUND_ROBIN, hosts);

        // nginx's documented sequence for weights 5, 1, 1: spread out, not aaaaabc
        assertEquals("aabacaa".repeat(3), letters(lb, hosts, 21));
    }

    @Test
    void roundRobinCountsEqualTheWeightsOverWholeCycles() {
        Host[] hosts = hosts(3, 1, 2, 4);
        LoadBalancer lb = balancer(LoadBalancerPolicy.ROUND_ROBIN, hosts);

        Map<Host, Integer> counts = counts(lb, 10 * 100);

        for (Host h : hosts) {
            assertEquals(h.weight * 100, counts.get(h), h.name);
        }
    }

    @Test
    void equalWeightsAreAPlainRotationAndACommonDivisorDoesNotLengthenTheCycle() {
        Host[] equal = hosts(7, 7, 7);
        assertEquals("abcabc", letters(balancer(LoadBalancerPolicy.ROUND_ROBIN, equal), equal, 6));

        Host[] scaled = hosts(50, 100);
        LoadBalancer.RoundRobin rr = (LoadBalancer.RoundRobin) balancer(LoadBalancerPolicy.ROUND_ROBIN, scaled);
        assertEquals(3, rr.cycleLength());
        assertEquals("bab", letters(rr, scaled, 3));
    }

    @Test
    void hugeWeightsAreScaledToABoundedCycleThatKeepsTheirProportions() {
        Host[] hosts = hosts(10000, 9999, 1);
        LoadBalancer.RoundRobin rr = (LoadBalancer.RoundRobin) balancer(LoadBalancerPolicy.ROUND_ROBIN, hosts);

        assertTrue(rr.cycleLength() <= LoadBalancer.MAX_CYCLE + hosts.length, "cycle " + rr.cycleLength());
        Map<Host, Integer> counts = counts(rr, rr.cycleLength());
        assertTrue(Math.abs(counts.get(hosts[0]) - counts.get(hosts[1])) <= 2, counts.toString());
        assertEquals(1, counts.get(hosts[2]), "the smallest weight keeps at least one slot");
    }

    @Test
    void roundRobinContinuesWhereThePreviousBalancerStopped() {
        Host[] hosts = hosts(1, 1, 1);
        LoadBalancer first = balancer(LoadBalancerPolicy.ROUND_ROBIN, hosts);
        first.pick(null);

        LoadBalancer next = LoadBalancer.of(LoadBalancerPolicy.ROUND_ROBIN, hosts, first, seeded(1));

        assertSame(hosts[1], next.pick(null));
    }

    @Test
    void weightedRandomFollowsTheWeights() {
        Host[] hosts = hosts(1, 3, 6);
        int picks = 100_000;

        Map<Host, Integer> counts = counts(balancer(LoadBalancerPolicy.RANDOM, hosts), picks);

        for (Host h : hosts) {
            double share = counts.get(h) / (double) picks;
            assertEquals(h.weight / 10.0, share, 0.02, h.name + " share");
        }
    }

    @Test
    void leastRequestOnAnIdleServiceFollowsTheWeightsLikeRandom() {
        Host[] hosts = hosts(1, 3);
        int picks = 20_000;

        Map<Host, Integer> counts = counts(balancer(LoadBalancerPolicy.LEAST_REQUEST, hosts), picks);

        assertEquals(0.75, counts.get(hosts[1]) / (double) picks, 0.03);
    }

    @Test
    void leastRequestComparesRequestsInFlightPerUnitOfWeight() {
        Host[] hosts = hosts(1, 4);
        LoadBalancer lb = balancer(LoadBalancerPolicy.LEAST_REQUEST, hosts);
        hosts[0].inFlight.set(2); // 2 per unit of weight
        hosts[1].inFlight.set(4); // 1 per unit of weight

        for (int i = 0; i < 100; i++) {
            assertSame(hosts[1], lb.pick(null), "fewer in flight for its weight");
        }

        hosts[1].inFlight.set(12); // 3 per unit of weight
        for (int i = 0; i < 100; i++) {
            assertSame(hosts[0], lb.pick(null));
        }
    }

    @Test
    void leastRequestWithEqualWeightsIsPowerOfTwoChoices() {
        Host[] hosts = hosts(1, 1, 1, 1);
        LoadBalancer lb = balancer(LoadBalancerPolicy.LEAST_REQUEST, hosts);
        hosts[0].inFlight.set(5);
        hosts[1].inFlight.set(5);
        hosts[2].inFlight.set(5);

        Map<Host, Integer> counts = counts(lb, 10_000);

        // the idle host wins whenever it is one of the two candidates: 1 - C(3,2)/C(4,2) = 1/2 of the picks
        assertEquals(0.5, counts.get(hosts[3]) / 10_000.0, 0.03);
    }

    @Test
    void everyPolicyAvoidsTheHostThePreviousAttemptUsedWheneverThereIsAnother() {
        for (LoadBalancerPolicy policy : LoadBalancerPolicy.values()) {
            Host[] hosts = hosts(100, 1, 1);
            LoadBalancer lb = balancer(policy, hosts);
            List<Host> chosen = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                Host avoid = hosts[i % 3];
                Host h = lb.pick(avoid);
                assertNotSame(avoid, h, policy + " picked the host to avoid");
                chosen.add(h);
            }
            for (Host h : hosts) {
                assertTrue(chosen.contains(h), policy + " never picked " + h);
            }
            Host[] one = hosts(1);
            assertSame(one[0], balancer(policy, one).pick(one[0]), policy + ": the only host is still picked");
        }
    }

    @Test
    void randomAvoidingAHostSharesTheRestByWeight() {
        Host[] hosts = hosts(1, 1, 2);
        LoadBalancer lb = balancer(LoadBalancerPolicy.RANDOM, hosts);
        int picks = 30_000;
        Map<Host, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(lb.pick(hosts[0]), 1, Integer::sum);
        }
        assertEquals(null, counts.get(hosts[0]));
        assertEquals(2 / 3.0, counts.get(hosts[2]) / (double) picks, 0.02);
    }

    @Test
    void drawExcludingTwoHostsNeverReturnsThem() {
        Host[] hosts = hosts(5, 1, 3, 2);
        LoadBalancer lb = balancer(LoadBalancerPolicy.RANDOM, hosts);
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < 12_000; i++) {
            counts.merge(lb.draw(2, 0), 1, Integer::sum);
        }
        assertEquals(Map.of(1, counts.get(1), 3, counts.get(3)), counts);
        assertEquals(2 / 3.0, counts.get(3) / 12_000.0, 0.03);
        assertEquals(-1, balancer(LoadBalancerPolicy.RANDOM, hosts(1)).draw(0, -1));
    }
}
