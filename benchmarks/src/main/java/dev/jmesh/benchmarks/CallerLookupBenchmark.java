package dev.jmesh.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Ways to find the application frame that made a call, at a realistic depth (an application frame
 * under a few library and agent frames, itself 20 frames deep). Informs how the access log's
 * {@code caller} is computed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class CallerLookupBenchmark {
    private static final StackWalker WALKER = StackWalker.getInstance();

    @Benchmark
    public Object throwableStackTrace() {
        return deep(20, () -> {
            for (StackTraceElement frame : new Throwable().getStackTrace()) {
                if (!frame.getClassName().startsWith("dev.jmesh.benchmarks.CallerLookupBenchmark$$")) {
                    return frame.getClassName() + "." + frame.getMethodName() + ":" + frame.getLineNumber();
                }
            }
            return null;
        });
    }

    @Benchmark
    public Object stackWalker() {
        return deep(20, () -> WALKER.walk(frames -> frames
                .filter(f -> !f.getClassName().startsWith("dev.jmesh.benchmarks.CallerLookupBenchmark$$"))
                .findFirst()
                .map(f -> f.getClassName() + "." + f.getMethodName() + ":" + f.getLineNumber())
                .orElse(null)));
    }

    @Benchmark
    public Object stackWalkerFrameOnly() {
        return deep(20, () -> WALKER.walk(frames -> frames
                .filter(f -> !f.getClassName().startsWith("dev.jmesh.benchmarks.CallerLookupBenchmark$$"))
                .findFirst()
                .orElse(null)));
    }

    private static Object deep(int depth, java.util.function.Supplier<Object> top) {
        return depth == 0 ? top.get() : deep(depth - 1, top);
    }
}
