package dev.jmesh.benchmarks.harness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command line of {@link Harness}; {@code benchmarks/run.sh} passes its arguments through. */
final class HarnessOptions {
    static final String USAGE = String.join(System.lineSeparator(),
            "usage: benchmarks/run.sh [--quick] [options]",
            "  --quick                 CI smoke run: 1 round of very short phases (under 2 minutes); writes",
            "                          benchmarks/target/quick/RESULTS.md unless --out is given",
            "  --rounds N              rounds; every round runs every set-up once, in a rotated order (full: 3, quick: 1)",
            "  --setups a,b,...        which set-ups (default a,b,c,d,e,f,g; a is always added: it is the reference)",
            "  --rates R1,R2           open-loop rates, requests/s (default 500,1000)",
            "  --warmup-s S            warm-up per app JVM: S s closed loop, then 2 s at the top rate (full: 8, quick: 1)",
            "  --phase-s S             seconds per rate (full: 6, quick: 1)",
            "  --max-s S               closed-loop maximum-throughput phase, seconds (full: 4, quick: 1)",
            "  --max-threads N         closed-loop threads (default 4)",
            "  --heap SIZE             app heap, -Xms = -Xmx, pre-touched (default 128m)",
            "  --upstream nginx|flaky  the upstream: nginx static response (default) or demo-apps/flaky-upstream",
            "  --proxy-workers N       nginx workers / HAProxy threads of the hops (default 2, Istio's sidecar default)",
            "  --java PATH             java for the app JVMs and JMH (default: the one running the harness)",
            "  --jmh | --no-jmh        also run the engine's JMH benchmark (default: on in full mode, off in quick)",
            "  --out FILE              report (default benchmarks/RESULTS.md; raw numbers go next to it, -raw.csv)",
            "  --keep                  keep the work directory (configs, logs, every app JVM's output)",
            "  --note TEXT             a line for the report (e.g. 'machine shared with other work')",
            "  --command TEXT          the command to print in the report (run.sh sets it)");

    boolean quick;
    int rounds = 3;
    List<String> setups = new ArrayList<>(List.of("a", "b", "c", "d", "e", "f", "g"));
    List<Integer> rates = new ArrayList<>(List.of(500, 1000));
    int warmupSeconds = 8;
    int phaseSeconds = 6;
    int maxSeconds = 4;
    int maxThreads = 4;
    String heap = "128m";
    String upstream = "nginx";
    int proxyWorkers = 2;
    String java;
    Boolean jmh;
    Path out;
    boolean keep;
    String note = "";
    String command = "";
    Path repo = Path.of("").toAbsolutePath();

    static HarnessOptions parse(String[] args) {
        HarnessOptions o = new HarnessOptions();
        for (String arg : args) {
            if (arg.equals("--quick")) {
                o.quick = true;
                o.rounds = 1;
                o.warmupSeconds = 1;
                o.phaseSeconds = 1;
                o.maxSeconds = 1;
            }
        }
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--quick": continue;
                case "--jmh": o.jmh = true; continue;
                case "--no-jmh": o.jmh = false; continue;
                case "--keep": o.keep = true; continue;
                case "--help": case "-h":
                    System.out.println(USAGE);
                    System.exit(0);
                    break;
                default:
                    break;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--rounds": o.rounds = positive(option, value); break;
                case "--setups":
                    o.setups.clear();
                    for (String key : value.split(",")) {
                        String k = key.trim().toLowerCase();
                        if (!List.of("a", "b", "c", "d", "e", "f", "g").contains(k)) {
                            throw new IllegalArgumentException("unknown set-up " + key + " (a..g)");
                        }
                        if (!o.setups.contains(k)) {
                            o.setups.add(k);
                        }
                    }
                    if (!o.setups.contains("a")) {
                        o.setups.add(0, "a");
                    }
                    break;
                case "--rates":
                    o.rates.clear();
                    for (String rate : value.split(",")) {
                        o.rates.add(positive(option, rate.trim()));
                    }
                    break;
                case "--warmup-s": o.warmupSeconds = Integer.parseInt(value); break;
                case "--phase-s": o.phaseSeconds = positive(option, value); break;
                case "--max-s": o.maxSeconds = positive(option, value); break;
                case "--max-threads": o.maxThreads = positive(option, value); break;
                case "--heap": o.heap = value; break;
                case "--upstream":
                    if (!value.equals("nginx") && !value.equals("flaky")) {
                        throw new IllegalArgumentException("--upstream must be nginx or flaky");
                    }
                    o.upstream = value;
                    break;
                case "--proxy-workers": o.proxyWorkers = positive(option, value); break;
                case "--java": o.java = value; break;
                case "--out": o.out = Path.of(value).toAbsolutePath(); break;
                case "--note": o.note = value; break;
                case "--command": o.command = value; break;
                case "--repo": o.repo = Path.of(value).toAbsolutePath(); break;
                default: throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (o.java == null) {
            o.java = ProcessHandle.current().info().command().orElse("java");
        }
        if (o.jmh == null) {
            o.jmh = !o.quick;
        }
        if (o.out == null) {
            o.out = o.quick ? o.repo.resolve("benchmarks/target/quick/RESULTS.md") : o.repo.resolve("benchmarks/RESULTS.md");
        }
        return o;
    }

    int topRate() {
        return rates.stream().mapToInt(Integer::intValue).max().orElse(1000);
    }

    private static int positive(String option, String value) {
        int n = Integer.parseInt(value);
        if (n <= 0) {
            throw new IllegalArgumentException(option + " must be positive");
        }
        return n;
    }
}
