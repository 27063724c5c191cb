package dev.jmesh.benchmarks.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The measured application: one JVM per set-up and round, started by the harness with or without agents.
 * It is an HTTP client app that calls {@code GET <base>/items/<i>} and measures itself:
 *
 * <ol>
 *   <li>the very first thing {@code main} does is call the upstream until one call succeeds, then print
 *       {@code FIRST_OK}: the harness times JVM start to that line;</li>
 *   <li>warm-up (closed loop, then 2 s at the top rate), then one open-loop phase per rate: requests are <em>scheduled</em> at a fixed rate and each
 *       latency is measured from the request's scheduled start, not from when a thread got round to sending
 *       it, so a stall delays and counts against every request that should have gone out meanwhile (the
 *       correction for coordinated omission); each phase is bounded in requests and in time;</li>
 *   <li>a closed-loop phase (N threads calling back to back, bounded in time and requests): maximum throughput;</li>
 *   <li>memory after the load: RSS, heap used after a full GC, non-heap used.</li>
 * </ol>
 *
 * <p>In soak mode ({@code --soak-s}) the rate and maximum phases give way to one long fixed-rate run, cut into
 * samples: after each, a full GC and a {@code SOAK t_s=... heap_after_gc_kb=...} line, so that growth over time
 * (a leak in an agent's caches or queues) shows as a rising series.
 *
 * <p>Output is line based on stdout: {@code FIRST_OK}, {@code PHASE_START name}, {@code PHASE_END name},
 * {@code RESULT phase=... key=value ...}, {@code SOAK ...}, {@code DONE}. Nothing else goes to stdout. Usage is in {@link Options}.
 */
public final class LoadApp {
    /** Latencies recorded in microseconds, up to 60 s, 3 significant digits. */
    static final long MAX_MICROS = TimeUnit.SECONDS.toMicros(60);

    private LoadApp() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        // First call before anything else the load generator needs: this is the app's start-up.
        Caller caller = Callers.create(options);
        firstSuccess(caller, options);
        System.out.println("FIRST_OK");
        System.out.flush();
        primeReporting();

        if (options.warmupSeconds > 0) {
            // Closed loop first: at 1000 req/s a method called once per request needs ~15 s to reach C2's
            // thresholds, back to back it needs about one; then 2 s at the top rate to settle into the open loop.
            closedLoop(caller, options, "warmup", options.warmupSeconds, false);
            int rate = options.rates.stream().mapToInt(Integer::intValue).max().orElse(500);
            openLoop(caller, options, "settle", rate, rate * 2L, 2, false);
        }
        if (options.soakSeconds > 0) {
            soak(caller, options);
        } else {
            for (int rate : options.rates) {
                openLoop(caller, options, "r" + rate, rate, (long) rate * options.phaseSeconds, options.phaseSeconds,
                        true);
            }
            if (options.maxSeconds > 0) {
                closedLoop(caller, options, "max", options.maxSeconds, true);
            }
        }
        memory();
        System.out.println("DONE");
        System.out.flush();
        // Non-daemon pools (the client's, an agent's) must not keep the JVM alive.
        System.exit(0);
    }

    private static void firstSuccess(Caller caller, Options options) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                int status = caller.call(0);
                if (status >= 200 && status < 300) {
                    return;
                }
                last = new IOException("status " + status);
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(10);
        }
        System.err.println("load-app: no successful call to " + options.base + " within 60 s: " + last);
        System.exit(3);
    }

    /**
     * Open loop: request {@code i} is due at {@code start + i * period}. A pool of threads takes the next
     * index, waits for its due time and calls; latency is {@code end - due}. Threads that are all busy make
     * later requests late, and that lateness is recorded (as wrk2 does). Bounded by {@code count} requests
     * and by {@code seconds} plus a grace of 10 s; requests not started by then are reported as {@code missed}.
     */
    private static void openLoop(Caller caller, Options options, String phase, int rate, long count, int seconds,
                                 boolean report) throws InterruptedException {
        long period = TimeUnit.SECONDS.toNanos(1) / rate;
        AtomicLong next = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong late = new AtomicLong();
        int threads = options.openLoopThreads;
        Histogram[] response = new Histogram[threads];
        Histogram[] service = new Histogram[threads];
        System.out.println("PHASE_START " + phase);
        System.out.flush();
        long cpuStart = Cpu.processCpuNanos();
        long jitStart = Cpu.jitMillis();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
        long stopIssuing = start + TimeUnit.SECONDS.toNanos(seconds + 10L);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Histogram responseTimes = new Histogram(MAX_MICROS, 3);
            Histogram serviceTimes = new Histogram(MAX_MICROS, 3);
            response[t] = responseTimes;
            service[t] = serviceTimes;
            Thread worker = new Thread(() -> {
                while (true) {
                    long i = next.getAndIncrement();
                    if (i >= count) {
                        return;
                    }
                    long due = start + i * period;
                    long now;
                    while ((now = System.nanoTime()) < due) {
                        LockSupport.parkNanos(due - now);
                    }
                    if (now > stopIssuing) {
                        return;
                    }
                    if (now - due > TimeUnit.MILLISECONDS.toNanos(1)) {
                        late.incrementAndGet();
                    }
                    int status;
                    try {
                        status = caller.call((int) (i % 100_000));
                    } catch (Exception e) {
                        status = -1;
                    }
                    long end = System.nanoTime();
                    if (status < 200 || status >= 300) {
                        errors.incrementAndGet();
                    }
                    responseTimes.recordValue(Math.min(MAX_MICROS, (end - due) / 1000));
                    serviceTimes.recordValue(Math.min(MAX_MICROS, (end - now) / 1000));
                }
            }, "load-" + phase + "-" + t);
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        long elapsed = System.nanoTime() - start;
        long cpu = Cpu.processCpuNanos() - cpuStart;
        long jit = Cpu.jitMillis() - jitStart;
        System.out.println("PHASE_END " + phase);
        System.out.flush();
        if (!report) {
            return;
        }
        System.out.println(openLoopResult(phase, rate, count, errors.get(), late.get(), elapsed, cpu, jit, response, service));
        System.out.flush();
    }

    private static String openLoopResult(String phase, int rate, long count, long errors, long late, long elapsed,
                                         long cpu, long jit, Histogram[] response, Histogram[] service) {
        Histogram all = new Histogram(MAX_MICROS, 3);
        Histogram allService = new Histogram(MAX_MICROS, 3);
        for (int t = 0; t < response.length; t++) {
            all.add(response[t]);
            allService.add(service[t]);
        }
        long done = all.getTotalCount();
        return String.format(Locale.ROOT,
                "RESULT phase=%s rate=%d requests=%d missed=%d errors=%d late=%d seconds=%.3f cpu_ms=%.1f jit_ms=%d"
                        + " p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.1f"
                        + " svc_p50_us=%d svc_p99_us=%d svc_p999_us=%d hist=%s",
                phase, rate, done, count - done, errors, late, elapsed / 1e9, cpu / 1e6, jit,
                all.getValueAtPercentile(50), all.getValueAtPercentile(90), all.getValueAtPercentile(99),
                all.getValueAtPercentile(99.9), all.getMaxValue(), all.getMean(),
                allService.getValueAtPercentile(50), allService.getValueAtPercentile(99),
                allService.getValueAtPercentile(99.9), encode(all));
    }

    /**
     * Runs the reporting code once, before the warm-up, and throws the text away. Reporting between phases loads
     * classes and widens type profiles (formatting, locales, compression); done for the first time after the
     * warm-up, it made the JIT throw away and recompile the HTTP client's hot code during the next measured
     * phase (seen with -XX:+PrintCompilation: over a second of C2 time inside it). Any agent that loads those
     * classes itself at start-up (the OpenTelemetry agent does) escaped that cost, which skewed the comparison.
     */
    private static void primeReporting() {
        Histogram[] h = {new Histogram(MAX_MICROS, 3)};
        Histogram[] s = {new Histogram(MAX_MICROS, 3)};
        for (long v = 1; v < MAX_MICROS; v *= 3) {
            h[0].recordValue(v);
            s[0].recordValue(v);
        }
        String text = openLoopResult("prime", 1, 1, 0, 0, 1, Cpu.processCpuNanos(), Cpu.jitMillis(), h, s)
                + closedLoopResult(1, 1, 0, 1, 1, 1);
        if (text.isEmpty()) {
            System.out.println(text);
        }
    }

    /** Closed loop: {@code maxThreads} threads call back to back for {@code seconds} (and at most 10 M calls). */
    private static void closedLoop(Caller caller, Options options, String phase, int seconds, boolean report)
            throws InterruptedException {
        AtomicLong remaining = new AtomicLong(10_000_000L);
        AtomicLong errors = new AtomicLong();
        AtomicLong done = new AtomicLong();
        System.out.println("PHASE_START " + phase);
        System.out.flush();
        long cpuStart = Cpu.processCpuNanos();
        long jitStart = Cpu.jitMillis();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < options.maxThreads; t++) {
            Thread worker = new Thread(() -> {
                int i = 0;
                while (System.nanoTime() < end && remaining.decrementAndGet() >= 0) {
                    int status;
                    try {
                        status = caller.call(i++ % 100_000);
                    } catch (Exception e) {
                        status = -1;
                    }
                    if (status < 200 || status >= 300) {
                        errors.incrementAndGet();
                    }
                    done.incrementAndGet();
                }
            }, "load-" + phase + "-" + t);
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        long elapsed = System.nanoTime() - start;
        long cpu = Cpu.processCpuNanos() - cpuStart;
        long jit = Cpu.jitMillis() - jitStart;
        System.out.println("PHASE_END " + phase);
        System.out.flush();
        if (!report) {
            return;
        }
        System.out.println(closedLoopResult(options.maxThreads, done.get(), errors.get(), elapsed, cpu, jit));
        System.out.flush();
    }

    private static String closedLoopResult(int threads, long done, long errors, long elapsed, long cpu, long jit) {
        return String.format(Locale.ROOT,
                "RESULT phase=max threads=%d requests=%d errors=%d seconds=%.3f rps=%.1f cpu_ms=%.1f jit_ms=%d",
                threads, done, errors, elapsed / 1e9, done / (elapsed / 1e9), cpu / 1e6, jit);
    }

    /** Fixed-rate samples of {@code --sample-s} seconds until {@code --soak-s}; heap after a full GC after each. */
    private static void soak(Caller caller, Options options) throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        int samples = Math.max(1, options.soakSeconds / options.sampleSeconds);
        for (int k = 1; k <= samples; k++) {
            openLoop(caller, options, "soak" + k, options.soakRate, (long) options.soakRate * options.sampleSeconds,
                    options.sampleSeconds, true);
            System.gc();
            System.out.println(String.format(Locale.ROOT, "SOAK t_s=%d heap_after_gc_kb=%d nonheap_used_kb=%d rss_kb=%d"
                            + " threads=%d", k * options.sampleSeconds, memory.getHeapMemoryUsage().getUsed() / 1024,
                    memory.getNonHeapMemoryUsage().getUsed() / 1024, procStatusKb("VmRSS:"),
                    ManagementFactory.getThreadMXBean().getThreadCount()));
            System.out.flush();
        }
    }

    /** RSS and its high-water mark from /proc, heap used after a full GC, non-heap (metaspace, code) used. */
    private static void memory() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        System.gc();
        long heap = memory.getHeapMemoryUsage().getUsed();
        long nonHeap = memory.getNonHeapMemoryUsage().getUsed();
        long rss = procStatusKb("VmRSS:");
        long hwm = procStatusKb("VmHWM:");
        int threads = ManagementFactory.getThreadMXBean().getThreadCount();
        int classes = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
        System.out.println(String.format(Locale.ROOT,
                "RESULT phase=memory rss_kb=%d rss_hwm_kb=%d heap_used_kb=%d nonheap_used_kb=%d threads=%d classes=%d"
                        + " cpu_total_ms=%.1f uptime_ms=%d",
                rss, hwm, heap / 1024, nonHeap / 1024, threads, classes, Cpu.processCpuNanos() / 1e6,
                ManagementFactory.getRuntimeMXBean().getUptime()));
        System.out.flush();
    }

    private static long procStatusKb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: reported as -1
        }
        return -1;
    }

    /** The histogram, compressed and Base64-encoded, so the harness can merge rounds. */
    private static String encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        byte[] bytes = new byte[length];
        buffer.flip();
        buffer.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
