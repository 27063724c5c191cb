package dev.jmesh.config;

/** One destination of a route ({@code routes[].to[]}; Envoy: a weighted cluster). */
public final class WeightedService extends ConfigValue {

    private final String service;
    private final int weight;

    WeightedService(String service, int weight) {
        this.service = service;
        this.weight = weight;
    }

    /** The name of a service of {@code services}. */
    public String service() {
        return service;
    }

    /** Relative share of the route's calls, at least 0 (weights need not add up to 100). */
    public int weight() {
        return weight;
    }

    @Override
    Object[] fields() {
        return new Object[] {"service", service, "weight", weight};
    }

    @Override
    public String toString() {
        return service + " weight " + weight;
    }
}
