package dev.jmesh.benchmarks.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The side-by-side harness of issue #10: starts one upstream and the sidecar stand-ins, then, round after round,
 * starts one app JVM ({@code target/load-app.jar}) per set-up, in a rotated order, reads what it measured, and
 * writes RESULTS.md with every figure as a ratio to set-up (a), no agent, and its spread over the rounds.
 * Entry point: {@code benchmarks/run.sh}.
 */
public final class Harness {
    private final HarnessOptions options;
    private final Path work;
    private final List<Server> servers = new ArrayList<>();
    private volatile Process running;

    private Harness(HarnessOptions options, Path work) {
        this.options = options;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        HarnessOptions options;
        try {
            options = HarnessOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("harness: " + e.getMessage());
            System.err.println(HarnessOptions.USAGE);
            System.exit(2);
            return;
        }
        Path work = Files.createTempDirectory("jmesh-bench-");
        Harness harness = new Harness(options, work);
        Runtime.getRuntime().addShutdownHook(new Thread(harness::stopAll, "harness-cleanup"));
        int status = harness.run();
        harness.stopAll();
        if (!options.keep) {
            deleteTree(work);
        }
        System.exit(status);
    }

    private int run() throws Exception {
        Instant started = Instant.now();
        long startNanos = System.nanoTime();
        Path repo = options.repo;
        Path agentJar = repo.resolve("agent/target/jmesh-agent.jar");
        Path otelJar = repo.resolve("benchmarks/target/agents/opentelemetry-javaagent.jar");
        Path loadApp = repo.resolve("benchmarks/target/load-app.jar");
        Path jmhJar = repo.resolve("benchmarks/target/benchmarks.jar");
        Path flakyJar = repo.resolve("demo-apps/flaky-upstream/target/flaky-upstream.jar");
        for (Path required : List.of(agentJar, otelJar, loadApp)) {
            if (!Files.isRegularFile(required)) {
                System.err.println("harness: missing " + required + " (benchmarks/run.sh builds it)");
                return 2;
            }
        }
        Files.createDirectories(work.resolve("runs"));
        say("work directory %s%s", work, options.keep ? " (kept)" : "");

        Map<String, String> env = environment(agentJar, otelJar);
        String loadStart = loadAverage();

        // The upstream, and the hops in front of it, run for the whole measurement.
        boolean nginx = Servers.onPath("nginx");
        boolean haproxy = Servers.onPath("haproxy");
        List<String> notes = new ArrayList<>();
        Server upstream;
        if (options.upstream.equals("nginx") && nginx) {
            upstream = Servers.nginxUpstream(work);
        } else {
            if (options.upstream.equals("nginx")) {
                notes.add("nginx is not installed: the upstream is demo-apps/flaky-upstream instead.");
            }
            if (!Files.isRegularFile(flakyJar)) {
                System.err.println("harness: missing " + flakyJar);
                return 2;
            }
            upstream = Servers.flakyUpstream(options.java, flakyJar, work);
        }
        servers.add(upstream);
        say("upstream: %s on port %d", upstream.name, upstream.port);

        Server nginxHop = null;
        Server haproxyHop = null;
        if (options.setups.contains("e")) {
            if (nginx) {
                nginxHop = Servers.nginxProxy(work, upstream.port, options.proxyWorkers);
                servers.add(nginxHop);
            } else {
                notes.add("(e) skipped: nginx is not installed (run.sh installs it with apt-get when it can).");
            }
        }
        if (options.setups.contains("f")) {
            if (haproxy) {
                haproxyHop = Servers.haproxy(work, upstream.port, options.proxyWorkers);
                servers.add(haproxyHop);
            } else {
                notes.add("(f) skipped: haproxy is not installed (run.sh installs it with apt-get when it can).");
            }
        }

        Path meshYaml = work.resolve("mesh.yaml");
        Path accessLog = work.resolve("jmesh-access.log");
        String meshConfig = meshConfig(upstream.port, accessLog);
        Files.writeString(meshYaml, meshConfig);
        String validation = exec(options.java, "-jar", agentJar.toString(), "validate", meshYaml.toString());
        env.put("mesh.yaml validate", validation.isBlank() ? "ok" : validation.strip());

        List<Setup> setups = setups(agentJar, otelJar, meshYaml, accessLog, upstream, nginxHop, haproxyHop);
        say("set-ups: %s; %d round(s); rates %s req/s; phases: warm-up %d s, %d s per rate, closed loop %d s",
                String.join(", ", setups.stream().map(Setup::label).toList()), options.rounds, options.rates,
                options.warmupSeconds, options.phaseSeconds, options.maxSeconds);

        List<RunResult> results = new ArrayList<>();
        for (int round = 1; round <= options.rounds; round++) {
            // Rotate the order every round, so that no set-up always runs first, or right after a heavy one.
            int shift = (round - 1) % setups.size();
            for (int position = 0; position < setups.size(); position++) {
                Setup setup = setups.get((position + shift) % setups.size());
                RunResult result = runOnce(setup, round, position + 1, loadApp, upstream);
                results.add(result);
                say("round %d/%d  %-18s %s", round, options.rounds, setup.label(), summary(result));
            }
        }

        List<String[]> jmh = List.of();
        if (options.jmh) {
            if (Files.isRegularFile(jmhJar)) {
                jmh = runJmh(jmhJar);
            } else {
                notes.add("JMH skipped: " + jmhJar + " is missing.");
            }
        }
        String loadEnd = loadAverage();
        env.put("load average (1/5/15 min) at start", loadStart);
        env.put("load average (1/5/15 min) at end", loadEnd);
        double minutes = (System.nanoTime() - startNanos) / 60e9;
        env.put("duration", String.format(Locale.ROOT, "%.1f min (started %s)", minutes,
                started.truncatedTo(ChronoUnit.SECONDS)));

        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("mesh.yaml (set-ups b, d)", meshConfig);
        if (nginxHop != null) {
            configs.put("nginx.conf (set-up e)", nginxHop.config);
        }
        if (haproxyHop != null) {
            configs.put("haproxy.cfg (set-up f)", haproxyHop.config);
        }
        configs.put("upstream", upstream.config);

        Report report = new Report(options, setups, results, env, notes, jmh, configs, upstream);
        Files.createDirectories(options.out.getParent());
        Files.writeString(options.out, report.markdown());
        Path raw = options.out.resolveSibling(options.out.getFileName().toString().replaceFirst("\\.md$", "") + "-raw.csv");
        Files.writeString(raw, report.rawCsv());
        say("wrote %s and %s (%.1f min)", options.out, raw, minutes);
        System.out.println();
        System.out.println(report.ratioTable());
        long failed = results.stream().filter(r -> !r.ok()).count();
        if (failed > 0) {
            say("%d of %d app runs failed; see the report", failed, results.size());
        }
        // Measurements, not tests: a failed run is reported, the harness only fails when it could not measure at all.
        return results.stream().anyMatch(RunResult::ok) ? 0 : 1;
    }

    /** The policy of set-ups (b) and (d): routing by service name, retry, timeouts, breaker, access log. */
    static String meshConfig(int upstreamPort, Path accessLog) {
        return ""
                + "service: bench-app\n"
                + "services:\n"
                + "  inventory:                       # the app calls http://inventory/items/<i>\n"
                + "    endpoints: [\"127.0.0.1:" + upstreamPort + "\"]\n"
                + "    loadBalancer: round_robin\n"
                + "    timeout: 2s\n"
                + "    retry: { maxAttempts: 3, perTryTimeout: 1s, backoff: { base: 25ms, max: 250ms },\n"
                + "             retryOn: [connect-failure, reset, 5xx] }\n"
                + "    circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 20, window: 10s,\n"
                + "                      openDuration: 30s, halfOpenCalls: 5 }\n"
                + "telemetry:\n"
                + "  accessLog: { format: json, path: " + accessLog + " }\n";
    }

    private List<Setup> setups(Path agentJar, Path otelJar, Path meshYaml, Path accessLog, Server upstream,
                               Server nginxHop, Server haproxyHop) {
        List<String> jmesh = List.of("-javaagent:" + agentJar, "-Djmesh.config=" + meshYaml);
        List<String> otel = List.of("-javaagent:" + otelJar,
                "-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none",
                "-Dotel.service.name=bench-app");
        List<String> both = new ArrayList<>(jmesh);
        both.addAll(otel);
        String direct = upstream.base();
        List<Setup> all = new ArrayList<>();
        all.add(new Setup("a", "no agent", "the app calls the upstream directly", List.of(), direct, List.of(), null, null));
        all.add(new Setup("b", "jmesh", "-javaagent:jmesh-agent.jar with mesh.yaml below; the app calls http://inventory",
                jmesh, "http://inventory", List.of(), null, accessLog));
        all.add(new Setup("c", "OTel agent", "-javaagent:opentelemetry-javaagent.jar, every exporter none",
                otel, direct, List.of(), null, null));
        all.add(new Setup("d", "jmesh + OTel", "both agents (jmesh first); the app calls http://inventory",
                both, "http://inventory", List.of(), null, accessLog));
        if (nginxHop != null) {
            all.add(new Setup("e", "nginx hop", "the app calls an nginx reverse proxy on 127.0.0.1 (nginx.conf below)",
                    List.of(), nginxHop.base(), List.of(), nginxHop, null));
        }
        if (haproxyHop != null) {
            all.add(new Setup("f", "HAProxy hop", "the app calls an HAProxy reverse proxy on 127.0.0.1 (haproxy.cfg below)",
                    List.of(), haproxyHop.base(), List.of(), haproxyHop, null));
        }
        all.add(new Setup("g", "Resilience4j", "no agent; the app wraps each call in Resilience4j circuit breaker,"
                + " retry and time limiter (Resilience4jCaller)", List.of(), direct, List.of("--resilience4j"), null, null));
        return all.stream().filter(s -> options.setups.contains(s.key())).toList();
    }

    private RunResult runOnce(Setup setup, int round, int position, Path loadApp, Server upstream)
            throws IOException, InterruptedException {
        RunResult result = new RunResult(round, position, setup);
        if (setup.meshLog() != null) {
            Files.deleteIfExists(setup.meshLog());
        }
        List<String> command = new ArrayList<>(List.of(options.java,
                "-Xms" + options.heap, "-Xmx" + options.heap, "-XX:+AlwaysPreTouch"));
        command.addAll(setup.jvmArgs());
        command.addAll(List.of("-jar", loadApp.toString(), "--base", setup.base()));
        command.addAll(setup.appArgs());
        command.addAll(List.of(
                "--rates", String.join(",", options.rates.stream().map(String::valueOf).toList()),
                "--warmup-s", String.valueOf(options.warmupSeconds),
                "--phase-s", String.valueOf(options.phaseSeconds),
                "--max-s", String.valueOf(options.maxSeconds),
                "--max-threads", String.valueOf(options.maxThreads)));
        String name = String.format(Locale.ROOT, "round%d-%s", round, setup.key());
        Path err = work.resolve("runs/" + name + ".err");
        Path out = work.resolve("runs/" + name + ".out");

        long[] machine0 = Proc.machineTicks();
        long ours0 = ourServerTicks() + Proc.cpuTicks(ProcessHandle.current().pid());
        long t0 = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
        running = process;
        long budget = 60 + options.warmupSeconds + 2 + (long) options.rates.size() * (options.phaseSeconds + 15)
                + options.maxSeconds + 30;
        Thread watchdog = new Thread(() -> {
            try {
                if (!process.waitFor(budget, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "harness-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        boolean done = false;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter log = new PrintWriter(Files.newBufferedWriter(out))) {
            String line;
            while ((line = reader.readLine()) != null) {
                long now = System.nanoTime();
                log.println(line.replaceFirst(" hist=\\S+", " hist=..."));
                if (line.equals("FIRST_OK")) {
                    result.startupMs = (now - t0) / 1e6;
                } else if (line.startsWith("PHASE_START ") && setup.sidecar() != null) {
                    result.sidecarTicksStart.put(line.substring(12), setup.sidecar().cpuTicks());
                } else if (line.startsWith("PHASE_END ") && setup.sidecar() != null) {
                    result.sidecarTicksEnd.put(line.substring(10), setup.sidecar().cpuTicks());
                } else if (line.startsWith("RESULT ")) {
                    Map<String, String> values = new LinkedHashMap<>();
                    for (String pair : line.substring(7).split(" ")) {
                        int eq = pair.indexOf('=');
                        if (eq > 0) {
                            values.put(pair.substring(0, eq), pair.substring(eq + 1));
                        }
                    }
                    result.phases.put(values.getOrDefault("phase", "?"), values);
                } else if (line.equals("DONE")) {
                    done = true;
                }
            }
        }
        int exit = process.waitFor();
        running = null;
        result.wallSeconds = (System.nanoTime() - t0) / 1e9;
        if (setup.sidecar() != null) {
            result.sidecarPssKb = setup.sidecar().pssKb();
        }
        long[] machine1 = Proc.machineTicks();
        long ours1 = ourServerTicks() + Proc.cpuTicks(ProcessHandle.current().pid());
        Double appCpuMs = result.number("memory", "cpu_total_ms");
        if (machine0 != null && machine1 != null && appCpuMs != null) {
            double busyTicks = machine1[0] - machine0[0];
            double ourTicks = (ours1 - ours0) + appCpuMs / 1000.0 * Proc.TICKS_PER_SECOND;
            result.foreignCores = Math.max(0, busyTicks - ourTicks) / Proc.TICKS_PER_SECOND / result.wallSeconds;
        }
        if (setup.meshLog() != null && Files.isRegularFile(setup.meshLog())) {
            try (Stream<String> lines = Files.lines(setup.meshLog())) {
                result.accessLogLines = lines.count();
            }
            Files.deleteIfExists(setup.meshLog());
        }
        if (!done || exit != 0) {
            result.failure = "exit " + exit + (done ? "" : ", incomplete") + ": " + lastLines(err, 3);
        } else if (setup.meshLog() != null && result.accessLogLines <= 0) {
            result.failure = "jmesh wrote no access log: the calls did not go through jmesh; " + lastLines(err, 3);
        }
        Thread.sleep(300); // let sockets and the scheduler settle between JVMs
        return result;
    }

    private long ourServerTicks() {
        long sum = 0;
        for (Server server : servers) {
            sum += server.cpuTicks();
        }
        return sum;
    }

    private String summary(RunResult r) {
        if (!r.ok()) {
            return "FAILED " + r.failure;
        }
        String top = "r" + options.topRate();
        return String.format(Locale.ROOT, "start %5.0f ms  @%d/s p50 %6.0f p99 %7.0f p99.9 %7.0f us  max %6.0f/s  cpu %.3f s/1k  rss %4.0f MB  other load %.2f cores",
                nz(r.startupMs), options.topRate(), nz(r.number(top, "p50_us")), nz(r.number(top, "p99_us")),
                nz(r.number(top, "p999_us")), nz(r.number("max", "rps")),
                nz(r.number(top, "cpu_ms")) / Math.max(1, nz(r.number(top, "requests"))),
                nz(r.number("memory", "rss_kb")) / 1024, nz(r.foreignCores));
    }

    private static double nz(Double d) {
        return d == null ? Double.NaN : d;
    }

    /** The engine's JMH benchmark (issue #4's hot path), short: 1 fork, 2 x 1 s warm-up, 3 x 1 s measurement. */
    private List<String[]> runJmh(Path jmhJar) throws IOException, InterruptedException {
        Path csv = work.resolve("jmh.csv");
        say("JMH: EnginePipelineBenchmark (-f 1 -wi 2 -w 1 -i 3 -r 1 -prof gc)");
        Process process = new ProcessBuilder(options.java, "-jar", jmhJar.toString(), "EnginePipeline",
                "-f", "1", "-wi", "2", "-w", "1", "-i", "3", "-r", "1", "-prof", "gc", "-rf", "csv", "-rff", csv.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("jmh.out").toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        List<String[]> rows = new ArrayList<>();
        if (Files.isRegularFile(csv)) {
            for (String line : Files.readAllLines(csv)) {
                rows.add(csvFields(line));
            }
        }
        return rows;
    }

    private static String[] csvFields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields.toArray(new String[0]);
    }

    private Map<String, String> environment(Path agentJar, Path otelJar) {
        Map<String, String> env = new LinkedHashMap<>();
        String cpu = Proc.firstLine(Path.of("/proc/cpuinfo"), "model name");
        env.put("CPU", (cpu == null ? "unknown" : cpu.replaceFirst("model name\\s*:\\s*", ""))
                + ", " + Runtime.getRuntime().availableProcessors() + " cores visible to the JVM");
        String mem = Proc.firstLine(Path.of("/proc/meminfo"), "MemTotal:");
        env.put("memory", mem == null ? "unknown" : mem.replaceFirst("MemTotal:\\s*", ""));
        String os = Proc.firstLine(Path.of("/etc/os-release"), "PRETTY_NAME=");
        env.put("OS", (os == null ? System.getProperty("os.name") : os.substring(12).replace("\"", ""))
                + ", kernel " + System.getProperty("os.version"));
        env.put("JDK (app JVMs)", exec(options.java, "-version").lines().map(String::strip)
                .reduce((a, b) -> a + "; " + b).orElse("unknown"));
        env.put("app JVM flags (every set-up)", "-Xms" + options.heap + " -Xmx" + options.heap
                + " -XX:+AlwaysPreTouch (default GC)");
        env.put("jmesh", exec(options.java, "-jar", agentJar.toString(), "version").strip());
        env.put("OpenTelemetry Java agent", manifestVersion(otelJar) + " (Maven Central io.opentelemetry.javaagent:opentelemetry-javaagent)");
        Properties versions = new Properties();
        try (InputStream in = Harness.class.getResourceAsStream("/dev-jmesh-benchmarks-versions.properties")) {
            if (in != null) {
                versions.load(in);
            }
        } catch (IOException e) {
            // versions stay unknown
        }
        env.put("nginx", Servers.onPath("nginx") ? Servers.version(Servers.executable("nginx"), "-v") : "not installed");
        env.put("HAProxy", Servers.onPath("haproxy") ? Servers.version(Servers.executable("haproxy"), "-v") : "not installed");
        env.put("Resilience4j", versions.getProperty("resilience4j", "unknown"));
        env.put("HdrHistogram", versions.getProperty("hdrhistogram", "unknown"));
        env.put("JMH", versions.getProperty("jmh", "unknown"));
        return env;
    }

    private static String manifestVersion(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            String version = file.getManifest().getMainAttributes().getValue("Implementation-Version");
            return version == null ? "unknown" : version;
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String exec(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
            return text;
        } catch (IOException e) {
            return "failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static String lastLines(Path file, int n) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private void stopAll() {
        Process app = running;
        if (app != null) {
            app.destroyForcibly();
        }
        for (Server server : servers) {
            server.stop();
        }
        servers.clear();
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }

    private static void say(String format, Object... args) {
        System.out.println("[bench] " + String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
