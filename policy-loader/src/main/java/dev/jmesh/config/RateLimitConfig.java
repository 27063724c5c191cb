package dev.jmesh.config;

/**
 * A local token bucket ({@code services.<name>.rateLimit}; Envoy: local_ratelimit): {@link #burst()} tokens,
 * refilled at {@link #requestsPerSecond()}; a call without a token fails fast (flag {@code RL}).
 */
public final class RateLimitConfig extends ConfigValue {

    private final double requestsPerSecond;
    private final int burst;
    private final Mode mode;

    RateLimitConfig(double requestsPerSecond, int burst, Mode mode) {
        this.requestsPerSecond = requestsPerSecond;
        this.burst = burst;
        this.mode = mode;
    }

    /** More than 0; may be a fraction (0.5 is one call every two seconds). */
    public double requestsPerSecond() {
        return requestsPerSecond;
    }

    /** The bucket's size: calls allowed at once after a quiet period; by default one second's worth. */
    public int burst() {
        return burst;
    }

    public Mode mode() {
        return mode;
    }

    @Override
    Object[] fields() {
        return new Object[] {"requestsPerSecond", requestsPerSecond, "burst", burst, "mode", mode};
    }
}
