package dev.jmesh.benchmarks;

import dev.jmesh.agent.engine.MeshEngineImpl;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.OutboundCall;
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
 * the same attempt without the engine. With {@code accessLog=true} the config has an access log, so each record
 * also carries the calling application frame (a stack walk; the sink still drops the record, so writing the line is
 * not measured). Run: {@code java -jar benchmarks/target/benchmarks.jar EnginePipeline -prof gc}.
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

    @Param({"false", "true"})
    public boolean accessLog;

    private final OutboundCall routed = new OutboundCall("http", "http", "inventory", -1, "GET", "/items/1", true);
    /** Not idempotent: one attempt inside the breaker, no retry policy. */
    private final OutboundCall routedPost = new OutboundCall("http", "http", "inventory", -1, "POST", "/orders", true);
    private final OutboundCall passThrough = new OutboundCall("http", "http", "example.org", 80, "GET", "/", true);
    private final NoIoExchange exchange = new NoIoExchange();
    private ScheduledExecutorService scheduler;
    private MeshEngineImpl engine;

    @Setup
    public void setUp() throws Exception {
        MeshConfig config = ConfigLoader.parse(CONFIG + (accessLog ? "telemetry: { accessLog: { path: stdout } }\n" : ""),
                "benchmark.yaml").config();
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

    /** A library that answers 200 at once. */
    static final class NoIoExchange implements BlockingExchange<Integer> {
        private static final Integer OK = 200;

        @Override
        public Integer attempt(String host, int port, int timeoutMillis) {
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
