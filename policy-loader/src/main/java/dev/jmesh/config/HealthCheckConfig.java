package dev.jmesh.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Active HTTP health checking of a service's endpoints ({@code services.<name>.healthCheck}; Envoy:
 * health_checks.http_health_check): every {@link #interval()} a GET of {@link #path()} on each endpoint,
 * on a daemon thread. An endpoint turns unhealthy after {@link #unhealthyThreshold()} failed checks in a
 * row and healthy again after {@link #healthyThreshold()} passed ones.
 */
public final class HealthCheckConfig extends ConfigValue {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_HEALTHY_THRESHOLD = 2;
    public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;
    public static final List<StatusRange> DEFAULT_EXPECTED_STATUSES =
            Collections.singletonList(new StatusRange(200, 299));

    private final String path;
    private final Duration interval;
    private final Duration timeout;
    private final int healthyThreshold;
    private final int unhealthyThreshold;
    private final List<StatusRange> expectedStatuses;

    HealthCheckConfig(String path, Duration interval, Duration timeout, int healthyThreshold, int unhealthyThreshold,
            List<StatusRange> expectedStatuses) {
        this.path = path;
        this.interval = interval;
        this.timeout = timeout;
        this.healthyThreshold = healthyThreshold;
        this.unhealthyThreshold = unhealthyThreshold;
        this.expectedStatuses = Collections.unmodifiableList(new ArrayList<StatusRange>(expectedStatuses));
    }

    /** Starts with '/'. */
    public String path() {
        return path;
    }

    public Duration interval() {
        return interval;
    }

    /** Less than {@link #interval()}. */
    public Duration timeout() {
        return timeout;
    }

    public int healthyThreshold() {
        return healthyThreshold;
    }

    public int unhealthyThreshold() {
        return unhealthyThreshold;
    }

    /** Statuses that pass the check. */
    public List<StatusRange> expectedStatuses() {
        return expectedStatuses;
    }

    /** Whether a check that got {@code status} passed. */
    public boolean expects(int status) {
        for (StatusRange r : expectedStatuses) {
            if (r.contains(status)) {
                return true;
            }
        }
        return false;
    }

    @Override
    Object[] fields() {
        return new Object[] {"path", path, "interval", interval, "timeout", timeout,
            "healthyThreshold", healthyThreshold, "unhealthyThreshold", unhealthyThreshold,
            "expectedStatuses", expectedStatuses};
    }
}
