package dev.jmesh.config;

/**
 * A retry budget ({@code retry.budget}; Envoy: retry_budget): retries in flight may be at most
 * {@link #percent()} of the requests in flight, but {@link #minConcurrency()} retries are always allowed,
 * so that retries never amplify an outage.
 */
public final class RetryBudgetConfig extends ConfigValue {

    public static final double DEFAULT_PERCENT = 0.2;
    public static final int DEFAULT_MIN_CONCURRENCY = 3;

    private final double percent;
    private final int minConcurrency;

    RetryBudgetConfig(double percent, int minConcurrency) {
        this.percent = percent;
        this.minConcurrency = minConcurrency;
    }

    /** As a fraction in (0, 1]: 20% is 0.2. */
    public double percent() {
        return percent;
    }

    public int minConcurrency() {
        return minConcurrency;
    }

    @Override
    Object[] fields() {
        return new Object[] {"percent", percent, "minConcurrency", minConcurrency};
    }
}
