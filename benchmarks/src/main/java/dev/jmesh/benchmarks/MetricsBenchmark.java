package dev.jmesh.benchmarks;

import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.agent.engine.MeshEngineImpl;
import dev.jmesh.agent.telemetry.MeshMetrics;
import dev.jmesh.agent.telemetry.Telemetry;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.MeshConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What metrics add per call. {@code routedWithMetrics} vs {@code routedWithoutSinks} (EnginePipeline's
 * routed call): the application thread's added cost, i.e. handing the record to the metrics queue (when the
 * benchmark outruns the metrics thread, the queue is full and the cost is that of a counted drop; both are
 * one or two atomic operations). {@code recordOnMetricsThread}: what the {@code jmesh-metrics} thread spends
 * per record (attributes, two SDK histograms), i.e. how many calls per second one metrics thread keeps up with.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar Metrics -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MetricsBenchmark {
    private static final String SERVICES = "services:\n"
            + "  inventory:\n"
            + "    endpoints: [\"10.0.0.1:8080\", \"10.0.0.2:8080\"]\n"
            + "    timeout: 2s\n"
            + "    retry: { maxAttempts: 3, perTryTimeout: 500ms }\n"
            + "    circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 20, window: 10s }\n";
    private static final String WITH_METRICS = SERVICES
            + "telemetry:\n"
            + "  metrics: { prometheus: { port: 9464 } }\n";

    private final OutboundCall routed = new OutboundCall("http", "http", "inventory", -1, "GET", "/items/1", true);
    private final EnginePipelineBenchmark.NoIoExchange exchange = new EnginePipelineBenchmark.NoIoExchange();
    private ScheduledExecutorService scheduler;
    private MeshEngineImpl withoutSinks;
    private MeshEngineImpl withMetrics;
    private Telemetry telemetry;
    private MeshMetrics standalone;
    private CallRecord sample;

    @Setup
    public void setUp() throws Exception {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        withoutSinks = new MeshEngineImpl(ConfigLoader.parse(SERVICES, "benchmark.yaml").config(), scheduler,
                record -> sample = record);
        withoutSinks.call(routed, exchange); // one real record for recordOnMetricsThread
        MeshConfig config = ConfigLoader.parse(WITH_METRICS, "benchmark.yaml").config();
        telemetry = new Telemetry();
        telemetry.configure(config.telemetry());
        withMetrics = new MeshEngineImpl(config, scheduler, telemetry);
        standalone = new MeshMetrics(null, MeshMetrics.DEFAULT_SERIES_LIMIT, MeshMetrics.DEFAULT_VALUE_LIMIT, Map.of());
    }

    @TearDown
    public void tearDown() {
        scheduler.shutdownNow();
        standalone.close();
    }

    @Benchmark
    public Object routedWithoutSinks() throws Exception {
        return withoutSinks.call(routed, exchange);
    }

    @Benchmark
    public Object routedWithMetrics() throws Exception {
        return withMetrics.call(routed, exchange);
    }

    @Benchmark
    public void recordOnMetricsThread() {
        standalone.record(sample);
    }
}
