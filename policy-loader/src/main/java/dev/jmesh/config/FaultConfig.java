package dev.jmesh.config;

import java.time.Duration;

/**
 * Fault injection on a route ({@code routes[].fault}; Envoy: HTTPFault): delay and/or abort a share of
 * the calls before any byte leaves, optionally only calls that carry {@link #header()}.
 */
public final class FaultConfig extends ConfigValue {

    /** {@code fault.delay}: wait {@link #duration()} before {@link #percent()} of the calls. */
    public static final class Delay extends ConfigValue {
        private final double percent;
        private final Duration duration;

        Delay(double percent, Duration duration) {
            this.percent = percent;
            this.duration = duration;
        }

        /** As a fraction in [0, 1]. */
        public double percent() {
            return percent;
        }

        public Duration duration() {
            return duration;
        }

        @Override
        Object[] fields() {
            return new Object[] {"percent", percent, "duration", duration};
        }
    }

    /** {@code fault.abort}: answer {@link #percent()} of the calls with {@link #status()} without calling the upstream. */
    public static final class Abort extends ConfigValue {
        private final double percent;
        private final int status;

        Abort(double percent, int status) {
            this.percent = percent;
            this.status = status;
        }

        /** As a fraction in [0, 1]. */
        public double percent() {
            return percent;
        }

        /** An HTTP status, 200..599. */
        public int status() {
            return status;
        }

        @Override
        Object[] fields() {
            return new Object[] {"percent", percent, "status", status};
        }
    }

    private final Delay delay;
    private final Abort abort;
    private final String header;
    private final Mode mode;

    FaultConfig(Delay delay, Abort abort, String header, Mode mode) {
        this.delay = delay;
        this.abort = abort;
        this.header = header;
        this.mode = mode;
    }

    /** Null for no delay; at least one of delay and abort is set. */
    public Delay delay() {
        return delay;
    }

    /** Null for no abort. */
    public Abort abort() {
        return abort;
    }

    /** A request header that must be present for the fault to apply, or null for every matching call. */
    public String header() {
        return header;
    }

    public Mode mode() {
        return mode;
    }

    @Override
    Object[] fields() {
        return new Object[] {"delay", delay, "abort", abort, "header", header, "mode", mode};
    }
}
