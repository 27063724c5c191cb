package dev.jmesh.benchmarks;

import dev.jmesh.agent.engine.MeshEngineImpl;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.OutgoingHeaders;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.MeshConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The engine's cost for one call with no I/O: route by service name, balance, breaker, retry policy,
 * deadline, record (handed to a sink that drops it). Compare {@code routedService} with {@code direct},
 * the same attempt without the engine. The library stand-in copies the attempt's added headers as an
 * instrumented client does. {@code telemetry} says what the config adds to each call:
 * <ul>
 *   <li>{@code bare}: nothing ({@code propagators: []}): the pipeline and its record alone;</li>
 *   <li>{@code traceHeaders}: the default W3C {@code traceparent} (and baggage) on each attempt, built as the
 *       String the library's API takes;</li>
 *   <li>{@code accessLog}: trace headers and an access log, so each record also carries the calling application
 *       frame (a stack walk; the sink still drops the record, so writing the line is not measured);</li>
 *   <li>{@code accessLogNoCaller}: the same access log with {@code caller: false}: no stack walk.</li>
 * </ul>
 * Run: {@code java -jar benchmarks/target/benchmarks.jar EnginePipeline -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EnginePipelineBenchmark {
    private static final String CONFIG = "services:\n"
            + "  inventory:\n"
            + "    endpoints: [\"10.0.0.1:8080\", \"10.0.0.2:8080\"]\n"
            + "    timeout: 2s\n"
            + "    retry: { maxAttempts: 3, perTryTimeout: 500ms }\n"
            + "    circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 20, window: 10s }\n";

    @Param({"bare", "traceHeaders", "accessLog", "accessLogNoCaller"})
    public String telemetry;

    private final OutboundCall routed = new OutboundCall("http", "http", "inventory", -1, "GET", "/items/1", true);
    /** Not idempotent: one attempt inside the breaker, no retry policy. */
    private final OutboundCall routedPost = new OutboundCall("http", "http", "inventory", -1, "POST", "/orders", true);
    private final OutboundCall passThrough = new OutboundCall("http", "http", "example.org", 80, "GET", "/", true);
    private final NoIoExchange exchange = new NoIoExchange();
    private ScheduledExecutorService scheduler;
    private MeshEngineImpl engine;

    @Setup
    public void setUp() throws Exception {
        String added;
        switch (telemetry) {
            case "bare":
                added = "telemetry: { tracing: { propagators: [] } }\n";
                break;
            case "traceHeaders":
                added = "";
                break;
            case "accessLog":
                added = "telemetry: { accessLog: { path: stdout } }\n";
                break;
            case "accessLogNoCaller":
                added = "telemetry: { accessLog: { path: stdout, caller: false } }\n";
                break;
            default:
                throw new IllegalArgumentException("telemetry: bare, traceHeaders, accessLog or accessLogNoCaller, not "
                        + telemetry);
        }
        MeshConfig config = ConfigLoader.parse(CONFIG + added, "benchmark.yaml").config();
        scheduler = Executors.newSingleThreadScheduledExecutor();
        engine = new MeshEngineImpl(config, scheduler, record -> { });
    }

    @TearDown
    public void tearDown() {
        scheduler.shutdownNow();
    }

    @Benchmark
    public Object direct() throws Exception {
        return exchange.attempt("10.0.0.1", 8080, 0);
    }

    @Benchmark
    public Object routedService() throws Exception {
        return engine.call(routed, exchange);
    }

    @Benchmark
    public Object routedPost() throws Exception {
        return engine.call(routedPost, exchange);
    }

    @Benchmark
    public Object passThroughHost() throws Exception {
        return engine.call(passThrough, exchange);
    }

    /** A library that copies the added headers into its request, as instrumented clients do, and answers 200 at once. */
    static final class NoIoExchange implements BlockingExchange<Integer> {
        private static final Integer OK = 200;
        private static final OutgoingHeaders.Sink REQUEST = (name, value) -> { };

        @Override
        public Integer attempt(String host, int port, int timeoutMillis) {
            OutgoingHeaders.addTo(REQUEST);
            return OK;
        }

        @Override
        public int statusOf(Integer response) {
            return response;
        }

        @Override
        public void discard(Integer response) {
        }

        @Override
        public Exception timeoutException(String message) {
            return new SocketTimeoutException(message);
        }

        @Override
        public Exception rejectedException(String message) {
            return new IOException(message);
        }
    }
}
