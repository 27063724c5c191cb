package dev.jmesh.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * {@code telemetry.tracing}: trace context is read from inbound and written to outbound requests in every
 * format of {@link #propagators()}; a {@link #sampling()} share of new traces is recorded, and exported
 * when {@link #otlp()} is set.
 */
public final class TracingConfig extends ConfigValue {

    public static final List<Propagator> DEFAULT_PROPAGATORS =
            Collections.unmodifiableList(Arrays.asList(Propagator.TRACECONTEXT, Propagator.BAGGAGE));
    public static final double DEFAULT_SAMPLING = 1.0;

    static final TracingConfig DEFAULT = new TracingConfig(DEFAULT_PROPAGATORS, DEFAULT_SAMPLING, null);

    private final List<Propagator> propagators;
    private final double sampling;
    private final OtlpConfig otlp;

    TracingConfig(List<Propagator> propagators, double sampling, OtlpConfig otlp) {
        this.propagators = Collections.unmodifiableList(new ArrayList<Propagator>(propagators));
        this.sampling = sampling;
        this.otlp = otlp;
    }

    /** In the order written; the first one that finds a context in an inbound request wins. */
    public List<Propagator> propagators() {
        return propagators;
    }

    /** Share of new traces that are sampled, from 0 to 1 (a sampled parent's decision is kept). */
    public double sampling() {
        return sampling;
    }

    /** Span export, or null for none (trace ids still reach the access log). */
    public OtlpConfig otlp() {
        return otlp;
    }

    @Override
    Object[] fields() {
        return new Object[] {"propagators", propagators, "sampling", sampling, "otlp", otlp};
    }
}
