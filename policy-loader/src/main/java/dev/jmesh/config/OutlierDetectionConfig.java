package dev.jmesh.config;

import java.time.Duration;

/**
 * Passive health checking of a service's endpoints ({@code services.<name>.outlierDetection}; Envoy:
 * outlier_detection). An endpoint with N consecutive failures of a kind is ejected for
 * {@link #baseEjectionTime()} times the number of its ejections so far, at most {@link #maxEjectionTime()};
 * never more than {@link #maxEjectionPercent()} of the endpoints are ejected at once. A count of 0 turns
 * that detector off.
 */
public final class OutlierDetectionConfig extends ConfigValue {

    public static final int DEFAULT_CONSECUTIVE_5XX = 5;
    public static final int DEFAULT_CONSECUTIVE_GATEWAY_ERRORS = 0;
    public static final int DEFAULT_CONSECUTIVE_CONNECT_FAILURES = 5;
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofSeconds(300);
    public static final double DEFAULT_MAX_EJECTION_PERCENT = 0.1;

    private final int consecutive5xx;
    private final int consecutiveGatewayErrors;
    private final int consecutiveConnectFailures;
    private final Duration interval;
    private final Duration baseEjectionTime;
    private final Duration maxEjectionTime;
    private final double maxEjectionPercent;
    private final Mode mode;

    OutlierDetectionConfig(int consecutive5xx, int consecutiveGatewayErrors, int consecutiveConnectFailures,
            Duration interval, Duration baseEjectionTime, Duration maxEjectionTime, double maxEjectionPercent,
            Mode mode) {
        this.consecutive5xx = consecutive5xx;
        this.consecutiveGatewayErrors = consecutiveGatewayErrors;
        this.consecutiveConnectFailures = consecutiveConnectFailures;
        this.interval = interval;
        this.baseEjectionTime = baseEjectionTime;
        this.maxEjectionTime = maxEjectionTime;
        this.maxEjectionPercent = maxEjectionPercent;
        this.mode = mode;
    }

    /** Consecutive 5xx responses that eject an endpoint; 0: off. */
    public int consecutive5xx() {
        return consecutive5xx;
    }

    /** Consecutive 502/503/504 responses that eject an endpoint; 0: off. */
    public int consecutiveGatewayErrors() {
        return consecutiveGatewayErrors;
    }

    /** Consecutive connect failures (refused, unreachable, connect timeout) that eject an endpoint; 0: off. */
    public int consecutiveConnectFailures() {
        return consecutiveConnectFailures;
    }

    /** How often ejections are reconsidered. */
    public Duration interval() {
        return interval;
    }

    public Duration baseEjectionTime() {
        return baseEjectionTime;
    }

    /** At least {@link #baseEjectionTime()}. */
    public Duration maxEjectionTime() {
        return maxEjectionTime;
    }

    /** Largest share of the endpoints ejected at once, as a fraction in (0, 1]. */
    public double maxEjectionPercent() {
        return maxEjectionPercent;
    }

    public Mode mode() {
        return mode;
    }

    @Override
    Object[] fields() {
        return new Object[] {"consecutive5xx", consecutive5xx, "consecutiveGatewayErrors", consecutiveGatewayErrors,
            "consecutiveConnectFailures", consecutiveConnectFailures, "interval", interval,
            "baseEjectionTime", baseEjectionTime, "maxEjectionTime", maxEjectionTime,
            "maxEjectionPercent", maxEjectionPercent, "mode", mode};
    }
}
