package dev.jmesh.agent.telemetry;

import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.agent.engine.ClusterView;
import dev.jmesh.agent.engine.EngineEvents;
import dev.jmesh.bootstrap.OutboundCall;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.opentelemetry.sdk.metrics.ExemplarFilter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.resources.Resource;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The mesh's metrics, kept by the OpenTelemetry SDK under semantic-convention names: one call record becomes
 * one measurement of {@code http.client.request.duration}, {@code http.server.request.duration} (inbound
 * records) or {@code db.client.operation.duration} (JDBC), plus {@code jmesh.*} counters for what the mesh
 * did to the call (retries, rate limiting, faults, shadow decisions, egress denials). Engine events (breaker
 * transitions, ejections) arrive through {@link EngineEvents}; breaker states, config reloads and dropped
 * telemetry are observed when metrics are collected.
 *
 * <p>Cardinality is bounded twice: attribute values that come from the application's traffic (hosts,
 * methods, database operations) are admitted up to a limit and then folded into {@value #OTHER}, and every
 * instrument keeps at most {@code seriesLimit} attribute sets (the SDK folds the rest into one series
 * marked {@code otel.metric.overflow=true}). Paths and query strings are never attributes; routes are, by
 * their configured names.
 *
 * <p>{@link #record} runs on the one metrics thread ({@link MetricsSink}); it is not thread-safe.
 */
public final class MeshMetrics implements EngineEvents.Listener {
    public static final int DEFAULT_SERIES_LIMIT = 2000;
    public static final int DEFAULT_VALUE_LIMIT = 100;
    /** What an attribute value beyond its limit becomes (OpenTelemetry's word for an unknown method). */
    public static final String OTHER = "_OTHER";

    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
    static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system");
    static final AttributeKey<String> RPC_SYSTEM_NAME = AttributeKey.stringKey("rpc.system.name");
    static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
    static final AttributeKey<String> DB_OPERATION = AttributeKey.stringKey("db.operation.name");
    static final AttributeKey<String> DB_NAMESPACE = AttributeKey.stringKey("db.namespace");
    static final AttributeKey<String> DB_COLLECTION = AttributeKey.stringKey("db.collection.name");
    static final AttributeKey<String> SERVICE = AttributeKey.stringKey("jmesh.service");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("jmesh.route");
    static final AttributeKey<String> FAULT = AttributeKey.stringKey("jmesh.fault");
    static final AttributeKey<String> DECISION = AttributeKey.stringKey("jmesh.decision");
    static final AttributeKey<String> STATE = AttributeKey.stringKey("jmesh.state");
    static final AttributeKey<String> BREAKER = AttributeKey.stringKey("jmesh.breaker");
    static final AttributeKey<String> FROM = AttributeKey.stringKey("jmesh.from");
    static final AttributeKey<String> TO = AttributeKey.stringKey("jmesh.to");
    static final AttributeKey<Boolean> SHADOW = AttributeKey.booleanKey("jmesh.shadow");
    static final AttributeKey<String> RESULT = AttributeKey.stringKey("jmesh.result");
    static final AttributeKey<String> SINK = AttributeKey.stringKey("jmesh.sink");

    /** Semantic conventions' advice for HTTP durations, in seconds. */
    private static final List<Double> HTTP_BUCKETS = Arrays.asList(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
            0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);
    /** Semantic conventions' advice for database operations, in seconds. */
    private static final List<Double> DB_BUCKETS = Arrays.asList(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0,
            10.0);
    private static final Set<String> HTTP_METHODS = new HashSet<String>(Arrays.asList("GET", "HEAD", "POST",
            "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"));
    private static final String[] BREAKER_STATES = {"closed", "open", "half_open"};

    private final SdkMeterProvider provider;
    private final PullReader cumulative;
    private final PullReader delta;
    private final DoubleHistogram clientDuration;
    private final DoubleHistogram serverDuration;
    private final DoubleHistogram dbDuration;
    private final DoubleHistogram rpcDuration;
    private final LongCounter retries;
    private final LongCounter rateLimited;
    private final LongCounter faultInjected;
    private final LongCounter shadowDecisions;
    private final LongCounter egressDenied;
    private final LongCounter breakerTransitions;
    private final LongCounter ejections;
    private final BoundedValues addresses;
    private final BoundedValues operations;
    private final Map<String, Attributes> serviceAttributes = new HashMap<String, Attributes>();
    private volatile Supplier<List<ClusterView>> clusters = Collections::emptyList;

    /**
     * @param seriesLimit   attribute sets kept per instrument
     * @param valueLimit    distinct values kept per traffic-derived attribute (server.address, db operation)
     * @param droppedBySink telemetry records dropped so far, by sink name ({@code jmesh.telemetry.dropped})
     */
    public MeshMetrics(String serviceName, int seriesLimit, int valueLimit, Map<String, LongSupplier> droppedBySink) {
        this.cumulative = new PullReader(AggregationTemporality.CUMULATIVE);
        this.delta = new PullReader(AggregationTemporality.DELTA);
        this.addresses = new BoundedValues(valueLimit);
        this.operations = new BoundedValues(valueLimit);
        Resource resource = Resource.create(serviceName == null ? Attributes.empty()
                : Attributes.of(AttributeKey.stringKey("service.name"), serviceName));
        this.provider = SdkMeterProvider.builder()
                .setResource(resource)
                .setExemplarFilter(ExemplarFilter.alwaysOff())
                .registerMetricReader(cumulative, type -> seriesLimit)
                .registerMetricReader(delta, type -> seriesLimit)
                .build();
        Meter meter = provider.get("dev.jmesh");
        clientDuration = meter.histogramBuilder("http.client.request.duration").setUnit("s")
                .setDescription("Duration of HTTP client requests, as the application saw them (all attempts).")
                .setExplicitBucketBoundariesAdvice(HTTP_BUCKETS).build();
        serverDuration = meter.histogramBuilder("http.server.request.duration").setUnit("s")
                .setDescription("Duration of HTTP server requests.")
                .setExplicitBucketBoundariesAdvice(HTTP_BUCKETS).build();
        dbDuration = meter.histogramBuilder("db.client.operation.duration").setUnit("s")
                .setDescription("Duration of database client operations.")
                .setExplicitBucketBoundariesAdvice(DB_BUCKETS).build();
        rpcDuration = meter.histogramBuilder("rpc.client.call.duration").setUnit("s")
                .setDescription("Duration of outgoing RPCs (AWS SDK API calls, the SDK's own retries included).")
                .setExplicitBucketBoundariesAdvice(HTTP_BUCKETS).build();
        retries = meter.counterBuilder("jmesh.retries").setUnit("{retry}")
                .setDescription("Attempts beyond the first of each call.").build();
        rateLimited = meter.counterBuilder("jmesh.rate_limited").setUnit("{call}")
                .setDescription("Calls refused by a rate limit (flag RL).").build();
        faultInjected = meter.counterBuilder("jmesh.fault_injected").setUnit("{call}")
                .setDescription("Calls given an injected fault (flags FI, DI).").build();
        shadowDecisions = meter.counterBuilder("jmesh.shadow.decisions").setUnit("{call}")
                .setDescription("What a policy in mode: shadow would have done (flags starting with ~).").build();
        egressDenied = meter.counterBuilder("jmesh.egress.denied").setUnit("{call}")
                .setDescription("Calls refused by the egress policy (flag NR).").build();
        breakerTransitions = meter.counterBuilder("jmesh.circuit_breaker.transitions").setUnit("{transition}")
                .setDescription("Circuit breaker state changes.").build();
        ejections = meter.counterBuilder("jmesh.outlier_detection.ejections").setUnit("{ejection}")
                .setDescription("Endpoints taken out of rotation by outlier detection.").build();
        meter.gaugeBuilder("jmesh.circuit_breaker.state").ofLongs().setUnit("1")
                .setDescription("1 for the state each circuit breaker of a service is in, 0 for the others.")
                .buildWithCallback(m -> {
                    for (ClusterView view : clusters.get()) {
                        recordStates(m, view.service, EngineEvents.FAILURE_RATE, view.breakerState);
                        recordStates(m, view.service, EngineEvents.SLOW_CALLS, view.slowCallBreakerState);
                    }
                });
        final Attributes applied = Attributes.of(RESULT, "applied");
        final Attributes rejected = Attributes.of(RESULT, "rejected");
        meter.counterBuilder("jmesh.config.reloads").setUnit("{reload}")
                .setDescription("Config reloads, applied or rejected (the last good config stays).")
                .buildWithCallback(m -> {
                    m.record(ConfigStatus.INSTANCE.applied(), applied);
                    m.record(ConfigStatus.INSTANCE.rejected(), rejected);
                });
        final Map<Attributes, LongSupplier> dropped = new HashMap<Attributes, LongSupplier>();
        for (Map.Entry<String, LongSupplier> e : droppedBySink.entrySet()) {
            dropped.put(Attributes.of(SINK, e.getKey()), e.getValue());
        }
        meter.counterBuilder("jmesh.telemetry.dropped").setUnit("{record}")
                .setDescription("Call records a telemetry sink dropped because its queue was full.")
                .buildWithCallback(m -> {
                    for (Map.Entry<Attributes, LongSupplier> e : dropped.entrySet()) {
                        m.record(e.getValue().getAsLong(), e.getKey());
                    }
                });
    }

    private static void recordStates(ObservableLongMeasurement m, String service, String breaker, String current) {
        if (current == null) {
            return;
        }
        for (String state : BREAKER_STATES) {
            m.record(state.equals(current) ? 1 : 0, Attributes.of(SERVICE, service, BREAKER, breaker, STATE, state));
        }
    }

    /** Where breaker states come from (the engine); until set, none are reported. */
    public void clusters(Supplier<List<ClusterView>> source) {
        this.clusters = source;
    }

    /** Everything since start, for {@code /metrics} and OTLP. */
    public Collection<MetricData> collectCumulative() {
        synchronized (cumulative) {
            return cumulative.collect();
        }
    }

    /** What changed since the last call of this method, for StatsD. */
    public Collection<MetricData> collectDelta() {
        synchronized (delta) {
            return delta.collect();
        }
    }

    /** Everything since start in Prometheus text format, for {@code /metrics}. */
    public String prometheusText() {
        return PrometheusText.write(collectCumulative());
    }

    public static String prometheusContentType() {
        return PrometheusText.CONTENT_TYPE;
    }

    public void close() {
        provider.close();
    }

    // ---- call records (the metrics thread) ------------------------------------------------------------

    /** Turns one call record into measurements. Not thread-safe: only the metrics thread calls it. */
    public void record(CallRecord r) {
        OutboundCall call = r.call();
        double seconds = r.durationNanos() / 1e9;
        int status = r.status();
        Throwable failure = r.failure();
        AttributesBuilder a = Attributes.builder();
        if (CallRecord.DIRECTION_INBOUND.equals(r.direction())) {
            a.put(HTTP_METHOD, httpMethod(call.method()));
            a.put(URL_SCHEME, call.scheme());
            putStatusAndError(a, status, failure, 500);
            putMesh(a, r);
            serverDuration.record(seconds, a.build());
        } else if ("jdbc".equals(call.protocol())) {
            a.put(DB_SYSTEM, call.scheme());
            a.put(DB_OPERATION, operations.admit(call.method()));
            OutboundCall.Database db = call.database();
            if (db != null) {
                putIfSet(a, DB_NAMESPACE, db.namespace());
                putIfSet(a, DB_COLLECTION, db.collection());
            }
            putServer(a, call, r.service());
            if (failure != null) {
                a.put(ERROR_TYPE, failure.getClass().getName());
            }
            putMesh(a, r);
            dbDuration.record(seconds, a.build());
        } else if (r.rpcSystem() != null) {
            // semconv 1.38+: rpc.system.name, and rpc.method fully qualified as Service/Method (rpc.service is gone)
            a.put(RPC_SYSTEM_NAME, r.rpcSystem());
            a.put(RPC_METHOD, operations.admit(r.rpcService() + "/" + r.rpcMethod()));
            putServer(a, call, null);
            if (failure != null) {
                a.put(ERROR_TYPE, failure.getClass().getName());
            }
            putMesh(a, r);
            rpcDuration.record(seconds, a.build());
        } else {
            a.put(HTTP_METHOD, httpMethod(call.method()));
            putServer(a, call, r.service());
            putStatusAndError(a, status, failure, 400);
            putMesh(a, r);
            clientDuration.record(seconds, a.build());
        }
        countMeshEvents(r);
    }

    private void countMeshEvents(CallRecord r) {
        int attempts = r.attempts();
        String flags = r.flagsText();
        if (attempts <= 1 && "-".equals(flags)) {
            return; // most calls: nothing the mesh did to count
        }
        Attributes service = serviceAttributes(r.service());
        if (attempts > 1 && r.rpcSystem() == null) { // an SDK's own retries are its attempts, not the mesh's
            retries.add(attempts - 1, service);
        }
        if ("-".equals(flags)) {
            return;
        }
        for (String flag : flags.split(",")) {
            if (flag.startsWith("~")) {
                shadowDecisions.add(1, service.toBuilder().put(DECISION, flag.substring(1)).build());
            } else if ("RL".equals(flag)) {
                rateLimited.add(1, service);
            } else if ("FI".equals(flag) || "DI".equals(flag)) {
                AttributesBuilder b = service.toBuilder().put(FAULT, "FI".equals(flag) ? "abort" : "delay");
                putIfSet(b, ROUTE, r.route());
                faultInjected.add(1, b.build());
            } else if ("NR".equals(flag)) {
                egressDenied.add(1, Attributes.of(SERVER_ADDRESS, addresses.admit(r.call().host())));
            }
        }
    }

    private Attributes serviceAttributes(String service) {
        String key = service == null ? "" : service;
        Attributes cached = serviceAttributes.get(key);
        if (cached == null) {
            cached = service == null ? Attributes.empty() : Attributes.of(SERVICE, service);
            if (serviceAttributes.size() < 10_000) { // services come from config, but never grow without bound
                serviceAttributes.put(key, cached);
            }
        }
        return cached;
    }

    private void putServer(AttributesBuilder a, OutboundCall call, String service) {
        String host = call.host();
        a.put(SERVER_ADDRESS, host != null && host.equals(service) ? host : addresses.admit(host));
        if (call.port() >= 0) {
            a.put(SERVER_PORT, (long) call.port());
        }
    }

    /** error.type: the exception's class, else the status when it counts as an error for this side. */
    private static void putStatusAndError(AttributesBuilder a, int status, Throwable failure, int errorFrom) {
        if (status >= 0) {
            a.put(HTTP_STATUS, (long) status);
        }
        if (failure != null) {
            a.put(ERROR_TYPE, failure.getClass().getName());
        } else if (status >= errorFrom) {
            a.put(ERROR_TYPE, Integer.toString(status));
        }
    }

    private static void putMesh(AttributesBuilder a, CallRecord r) {
        putIfSet(a, SERVICE, r.service());
        putIfSet(a, ROUTE, r.route());
    }

    private static void putIfSet(AttributesBuilder a, AttributeKey<String> key, String value) {
        if (value != null) {
            a.put(key, value);
        }
    }

    static String httpMethod(String method) {
        return method != null && HTTP_METHODS.contains(method) ? method : OTHER;
    }

    // ---- engine events (any thread, rare) ---------------------------------------------------------------

    @Override
    public void breakerTransition(String service, String breaker, String from, String to, boolean shadow) {
        breakerTransitions.add(1, Attributes.builder().put(SERVICE, service).put(BREAKER, breaker).put(FROM, from)
                .put(TO, to).put(SHADOW, shadow).build());
    }

    @Override
    public void ejected(String service, String endpoint, boolean shadow) {
        ejections.add(1, Attributes.of(SERVICE, service, SHADOW, shadow));
    }

    /** The first {@code limit} distinct values pass; every later one becomes {@value #OTHER}. */
    static final class BoundedValues {
        private final int limit;
        private final Set<String> admitted = new HashSet<String>();

        BoundedValues(int limit) {
            this.limit = limit;
        }

        String admit(String value) {
            if (value == null) {
                return OTHER;
            }
            if (admitted.contains(value)) {
                return value;
            }
            if (admitted.size() < limit) {
                admitted.add(value);
                return value;
            }
            return OTHER;
        }
    }
}
