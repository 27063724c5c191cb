package dev.jmesh.benchmarks.harness;

import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.DataFormatException;

/** Turns the runs into RESULTS.md (ratios to (a) with their spread over rounds) and a raw CSV. */
final class Report {
    /** A figure read off one run. */
    record Metric(String id, String label, String unit, Function<RunResult, Double> value, boolean higherIsBetter) {
    }

    /** Median and range over rounds. */
    record Summary(double median, double min, double max, int n) {
        static Summary of(List<Double> values) {
            if (values.isEmpty()) {
                return null;
            }
            List<Double> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            return new Summary(median, sorted.get(0), sorted.get(n - 1), n);
        }
    }

    private final HarnessOptions options;
    private final List<Setup> setups;
    private final List<RunResult> results;
    private final Map<String, String> env;
    private final List<String> notes;
    private final List<String[]> jmh;
    private final Map<String, String> configs;
    private final Server upstream;
    private final String top;

    Report(HarnessOptions options, List<Setup> setups, List<RunResult> results, Map<String, String> env,
           List<String> notes, List<String[]> jmh, Map<String, String> configs, Server upstream) {
        this.options = options;
        this.setups = setups;
        this.results = results;
        this.env = env;
        this.notes = notes;
        this.jmh = jmh;
        this.configs = configs;
        this.upstream = upstream;
        this.top = "r" + options.topRate();
    }

    // ---------------------------------------------------------------- metrics

    Metric latency(int rate, String key, String label) {
        String phase = "r" + rate;
        return new Metric(key + "@" + rate, label, "µs", r -> r.number(phase, key), false);
    }

    Metric maxRps() {
        return new Metric("max_rps", "max throughput", "req/s", r -> r.number("max", "rps"), true);
    }

    /** CPU seconds per 1000 requests at the top rate = vCPU used per 1000 req/s. */
    Metric cpu(boolean withSidecar) {
        return new Metric(withSidecar ? "cpu_total" : "cpu_app",
                withSidecar ? "CPU per 1000 req (app + sidecar)" : "CPU per 1000 req (app JVM)", "s", r -> {
                    Double cpu = r.number(top, "cpu_ms");
                    Double requests = r.number(top, "requests");
                    Double sidecar = withSidecar ? r.sidecarCpuMs(top) : Double.valueOf(0);
                    if (cpu == null || requests == null || requests == 0 || sidecar == null) {
                        return null;
                    }
                    return (cpu + sidecar) / requests;
                }, false);
    }

    /** Memory that is really used: RSS outside the pre-touched heap, plus live heap, plus the sidecar's PSS. */
    Metric footprint() {
        double heapMb = heapMb();
        return new Metric("footprint", "memory (app non-heap RSS + live heap + sidecar PSS)", "MB", r -> {
            Double rss = r.number("memory", "rss_kb");
            Double heap = r.number("memory", "heap_used_kb");
            if (rss == null || heap == null) {
                return null;
            }
            return rss / 1024 - heapMb + heap / 1024 + r.sidecarPssKb / 1024.0;
        }, false);
    }

    Metric rss() {
        return new Metric("rss", "app RSS", "MB", r -> div(r.number("memory", "rss_kb"), 1024), false);
    }

    Metric heap() {
        return new Metric("heap", "heap used after GC", "MB", r -> div(r.number("memory", "heap_used_kb"), 1024), false);
    }

    Metric nonHeap() {
        return new Metric("nonheap", "non-heap used (metaspace, code)", "MB",
                r -> div(r.number("memory", "nonheap_used_kb"), 1024), false);
    }

    Metric startup() {
        return new Metric("startup", "JVM start to first OK", "ms", r -> r.startupMs, false);
    }

    private static Double div(Double value, double by) {
        return value == null ? null : value / by;
    }

    private double heapMb() {
        String h = options.heap.toLowerCase(Locale.ROOT);
        double n = Double.parseDouble(h.replaceAll("[^0-9.]", ""));
        if (h.endsWith("g")) {
            return n * 1024;
        }
        if (h.endsWith("k")) {
            return n / 1024;
        }
        if (h.endsWith("m")) {
            return n;
        }
        return n / 1024 / 1024;
    }

    private List<Metric> mainMetrics() {
        int rate = options.topRate();
        return List.of(latency(rate, "p50_us", "p50"), latency(rate, "p90_us", "p90"), latency(rate, "p99_us", "p99"),
                latency(rate, "p999_us", "p99.9"), maxRps(), cpu(true), footprint(), heap(), startup());
    }

    // ---------------------------------------------------------------- statistics

    private RunResult run(String setup, int round) {
        for (RunResult r : results) {
            if (r.setup.key().equals(setup) && r.round == round && r.ok()) {
                return r;
            }
        }
        return null;
    }

    private List<Double> values(String setup, Metric m) {
        List<Double> values = new ArrayList<>();
        for (int round = 1; round <= options.rounds; round++) {
            RunResult r = run(setup, round);
            Double v = r == null ? null : m.value().apply(r);
            if (v != null && !v.isNaN()) {
                values.add(v);
            }
        }
        return values;
    }

    /** Per round: f(value of setup, value of reference), when both runs of that round succeeded. */
    private List<Double> paired(String setup, String reference, Metric m, java.util.function.BinaryOperator<Double> f) {
        List<Double> out = new ArrayList<>();
        for (int round = 1; round <= options.rounds; round++) {
            RunResult r = run(setup, round);
            RunResult ref = run(reference, round);
            if (r == null || ref == null) {
                continue;
            }
            Double v = m.value().apply(r);
            Double w = m.value().apply(ref);
            if (v != null && w != null) {
                Double x = f.apply(v, w);
                if (x != null && !x.isNaN() && !x.isInfinite()) {
                    out.add(x);
                }
            }
        }
        return out;
    }

    private Summary ratio(String setup, Metric m) {
        return Summary.of(paired(setup, "a", m, (v, w) -> w == 0 ? null : v / w));
    }

    private Summary added(String setup, Metric m) {
        return Summary.of(paired(setup, "a", m, (v, w) -> v - w));
    }

    /** Per round: (setup − a) / (other − a) for the same metric; the "fraction of a peer's added cost". */
    private Summary addedFraction(String setup, String other, Metric m) {
        List<Double> out = new ArrayList<>();
        for (int round = 1; round <= options.rounds; round++) {
            RunResult s = run(setup, round);
            RunResult o = run(other, round);
            RunResult a = run("a", round);
            if (s == null || o == null || a == null) {
                continue;
            }
            Double vs = m.value().apply(s);
            Double vo = m.value().apply(o);
            Double va = m.value().apply(a);
            if (vs == null || vo == null || va == null || vo - va <= 0) {
                continue; // the peer added nothing measurable this round: no meaningful fraction
            }
            out.add((vs - va) / (vo - va));
        }
        return Summary.of(out);
    }

    // ---------------------------------------------------------------- formatting

    private static String num(double v) {
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String signed(double v) {
        return (v >= 0 ? "+" : "−") + num(Math.abs(v));
    }

    private static String ratioCell(Summary s) {
        if (s == null) {
            return "n/a";
        }
        if (s.n() == 1) {
            return String.format(Locale.ROOT, "%.2f", s.median());
        }
        return String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", s.median(), s.min(), s.max());
    }

    private static String addedCell(Summary s) {
        if (s == null) {
            return "n/a";
        }
        if (s.n() == 1) {
            return signed(s.median());
        }
        return signed(s.median()) + " (" + signed(s.min()) + " … " + signed(s.max()) + ")";
    }

    private static String valueCell(Summary s, String unit) {
        return s == null ? "n/a" : num(s.median()) + " " + unit;
    }

    // ---------------------------------------------------------------- the report

    /** The main table, also printed at the end of a run. */
    String ratioTable() {
        List<Metric> metrics = mainMetrics();
        StringBuilder b = new StringBuilder();
        b.append("| set-up |");
        for (Metric m : metrics) {
            b.append(' ').append(m.label()).append(m.id().startsWith("p") ? " @" + options.topRate() + "/s" : "").append(" |");
        }
        b.append('\n').append("|---|");
        b.append("---|".repeat(metrics.size())).append('\n');
        for (Setup s : setups) {
            b.append("| ").append(s.label()).append(" |");
            for (Metric m : metrics) {
                if (s.key().equals("a")) {
                    b.append(" 1 = ").append(valueCell(Summary.of(values("a", m)), m.unit())).append(" |");
                } else {
                    b.append(' ').append(ratioCell(ratio(s.key(), m))).append(" |");
                }
            }
            b.append('\n');
        }
        return b.toString();
    }

    private String addedTable() {
        int rate = options.topRate();
        List<Metric> metrics = List.of(latency(rate, "p50_us", "p50 µs"), latency(rate, "p90_us", "p90 µs"),
                latency(rate, "p99_us", "p99 µs"), latency(rate, "p999_us", "p99.9 µs"), maxRps(), cpu(false), cpu(true),
                footprint(), rss(), heap(), nonHeap(), startup());
        StringBuilder b = new StringBuilder();
        b.append("| set-up |");
        for (Metric m : metrics) {
            b.append(' ').append(m.label()).append(m.unit().equals("µs") ? "" : " (" + m.unit() + ")").append(" |");
        }
        b.append('\n').append("|---|").append("---|".repeat(metrics.size())).append('\n');
        for (Setup s : setups) {
            b.append("| ").append(s.label()).append(" |");
            for (Metric m : metrics) {
                if (s.key().equals("a")) {
                    Summary v = Summary.of(values("a", m));
                    b.append(' ').append(v == null ? "n/a" : "**" + num(v.median()) + "**"
                            + (v.n() > 1 ? " (" + num(v.min()) + " … " + num(v.max()) + ")" : "")).append(" |");
                } else {
                    b.append(' ').append(addedCell(added(s.key(), m))).append(" |");
                }
            }
            b.append('\n');
        }
        return b.toString();
    }

    private String latencyRatioTable(int rate) {
        List<Metric> metrics = List.of(latency(rate, "p50_us", "p50"), latency(rate, "p90_us", "p90"),
                latency(rate, "p99_us", "p99"), latency(rate, "p999_us", "p99.9"));
        StringBuilder b = new StringBuilder("| set-up | p50 | p90 | p99 | p99.9 |\n|---|---|---|---|---|\n");
        for (Setup s : setups) {
            b.append("| ").append(s.label()).append(" |");
            for (Metric m : metrics) {
                b.append(' ').append(s.key().equals("a") ? "1 = " + valueCell(Summary.of(values("a", m)), "µs")
                        : ratioCell(ratio(s.key(), m))).append(" |");
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** Every round's histogram of one set-up at one rate, merged: more samples for the tail. */
    private Histogram pooled(String setup, int rate) {
        Histogram all = null;
        for (RunResult r : results) {
            if (!r.ok() || !r.setup.key().equals(setup) || r.phases.get("r" + rate) == null) {
                continue;
            }
            String encoded = r.phases.get("r" + rate).get("hist");
            if (encoded == null) {
                continue;
            }
            try {
                Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(encoded)), 0);
                if (all == null) {
                    all = new Histogram(h.getHighestTrackableValue(), h.getNumberOfSignificantValueDigits());
                }
                all.add(h);
            } catch (DataFormatException | RuntimeException e) {
                // a damaged histogram is left out
            }
        }
        return all;
    }

    private String pooledTable(int rate) {
        StringBuilder b = new StringBuilder("| set-up | requests | p50 | p90 | p99 | p99.9 | max | p50 added | p99 added | p99.9 added |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        Histogram a = pooled("a", rate);
        for (Setup s : setups) {
            Histogram h = pooled(s.key(), rate);
            if (h == null) {
                b.append("| ").append(s.label()).append(" | n/a |||||||||\n");
                continue;
            }
            b.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d |", s.label(), h.getTotalCount(),
                    h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                    h.getValueAtPercentile(99.9), h.getMaxValue()));
            if (a == null || s.key().equals("a")) {
                b.append(" | | |\n");
            } else {
                b.append(' ').append(signed(h.getValueAtPercentile(50) - a.getValueAtPercentile(50))).append(" | ")
                        .append(signed(h.getValueAtPercentile(99) - a.getValueAtPercentile(99))).append(" | ")
                        .append(signed(h.getValueAtPercentile(99.9) - a.getValueAtPercentile(99.9))).append(" |\n");
            }
        }
        return b.toString();
    }

    private boolean has(String key) {
        return setups.stream().anyMatch(s -> s.key().equals(key));
    }

    private String targets() {
        int rate = options.topRate();
        StringBuilder b = new StringBuilder("| target (issue #10) | measured: median (min–max over rounds) | verdict |\n|---|---|---|\n");
        if (has("b")) {
            for (String hop : List.of("e", "f")) {
                if (!has(hop)) {
                    continue;
                }
                String hopName = hop.equals("e") ? "nginx" : "HAProxy";
                for (String[] p : new String[][] {{"p50_us", "p50"}, {"p99_us", "p99"}}) {
                    Metric m = latency(rate, p[0], p[1]);
                    Summary f = addedFraction("b", hop, m);
                    b.append("| jmesh added ").append(p[1]).append(" ≤ 1/10 of the ").append(hopName).append(" hop's (")
                            .append(rate).append(" req/s) | ")
                            .append(f == null ? "n/a (the hop added nothing measurable in any round)" : fraction(f))
                            .append(" of the hop's; jmesh ")
                            .append(addedCell(added("b", m))).append(" µs, hop ").append(addedCell(added(hop, m)))
                            .append(" µs | ").append(verdict(f, 0.10, true)).append(" |\n");
                }
            }
            Summary t = ratio("b", maxRps());
            b.append("| jmesh throughput ≥ 97 % of no agent | ").append(percent(t)).append(" | ")
                    .append(verdict(t, 0.97, false)).append(" |\n");
            if (has("c")) {
                Summary s = addedFraction("b", "c", startup());
                b.append("| jmesh start-up added ≤ 1/3 of the OTel agent's | ").append(fraction(s))
                        .append(" of OTel's; jmesh ").append(addedCell(added("b", startup()))).append(" ms, OTel ")
                        .append(addedCell(added("c", startup()))).append(" ms | ").append(verdict(s, 1.0 / 3, true)).append(" |\n");
            }
            Summary c = added("b", cpu(false));
            b.append("| jmesh CPU ≤ 0.05 vCPU per 1000 req/s (added CPU s per 1000 req, app JVM) | ")
                    .append(addedCell(c)).append(" | ").append(verdict(c, 0.05, true)).append(" |\n");
            Summary mem = added("b", footprint());
            b.append("| jmesh memory added ≤ 20 MB (non-heap RSS + live heap) | ").append(addedCell(mem)).append(" MB (RSS alone ")
                    .append(addedCell(added("b", rss()))).append(", heap ").append(addedCell(added("b", heap())))
                    .append(") | ").append(verdict(mem, 20, true)).append(" |\n");
        }
        return b.toString();
    }

    private static String fraction(Summary s) {
        if (s == null) {
            return "n/a";
        }
        String text = s.n() == 1 ? String.format(Locale.ROOT, "%.2f", s.median())
                : String.format(Locale.ROOT, "%.2f (%.2f … %.2f)", s.median(), s.min(), s.max());
        return text.replace('-', '−');
    }

    private static String percent(Summary s) {
        return s == null ? "n/a" : s.n() == 1 ? String.format(Locale.ROOT, "%.1f %%", 100 * s.median())
                : String.format(Locale.ROOT, "%.1f %% (%.1f–%.1f)", 100 * s.median(), 100 * s.min(), 100 * s.max());
    }

    private static String verdict(Summary s, double limit, boolean atMost) {
        if (s == null) {
            return "not measurable in this run";
        }
        boolean medianOk = atMost ? s.median() <= limit : s.median() >= limit;
        boolean allOk = atMost ? s.max() <= limit : s.min() >= limit;
        boolean noneOk = atMost ? s.min() > limit : s.max() < limit;
        if (allOk) {
            return "**met**";
        }
        if (noneOk) {
            return "**missed**";
        }
        return medianOk ? "met at the median, not in every round" : "missed at the median, met in some rounds";
    }

    private String runsTable() {
        List<Integer> rates = options.rates;
        StringBuilder b = new StringBuilder("| round | # | set-up | start ms |");
        for (int rate : rates) {
            b.append(" p50 / p99 / p99.9 µs @").append(rate).append(" |");
        }
        b.append(" errors | late >1 ms | max req/s | app CPU s/1k | JIT ms @").append(options.topRate()).append(" | sidecar CPU s/1k | RSS MB | sidecar PSS MB | heap MB | non-heap MB | threads | jmesh log lines | other load (cores) |\n");
        b.append("|---|---|---|---|").append("---|".repeat(rates.size())).append("---|".repeat(13)).append('\n');
        for (RunResult r : results) {
            b.append("| ").append(r.round).append(" | ").append(r.position).append(" | ").append(r.setup.label()).append(" | ");
            if (!r.ok()) {
                b.append("failed: ").append(r.failure.replace('|', '/')).append(" |");
                b.append(" |".repeat(rates.size() + 13)).append('\n');
                continue;
            }
            b.append(fmt(r.startupMs)).append(" |");
            long errors = 0;
            long late = 0;
            for (int rate : rates) {
                String p = "r" + rate;
                b.append(' ').append(fmt(r.number(p, "p50_us"))).append(" / ").append(fmt(r.number(p, "p99_us")))
                        .append(" / ").append(fmt(r.number(p, "p999_us"))).append(" |");
                errors += (long) nz(r.number(p, "errors")) + (long) nz(r.number(p, "missed"));
                late += (long) nz(r.number(p, "late"));
            }
            Double requests = r.number(top, "requests");
            Double sidecar = r.sidecarCpuMs(top);
            b.append(' ').append(errors + (long) nz(r.number("max", "errors"))).append(" | ").append(late).append(" | ")
                    .append(fmt(r.number("max", "rps"))).append(" | ")
                    .append(fmt(cpu(false).value().apply(r))).append(" | ")
                    .append(fmt(r.number(top, "jit_ms"))).append(" | ")
                    .append(sidecar == null || requests == null ? "n/a" : fmt(sidecar / requests)).append(" | ")
                    .append(fmt(div(r.number("memory", "rss_kb"), 1024))).append(" | ")
                    .append(r.setup.sidecar() == null ? "–" : fmt(r.sidecarPssKb / 1024.0)).append(" | ")
                    .append(fmt(div(r.number("memory", "heap_used_kb"), 1024))).append(" | ")
                    .append(fmt(div(r.number("memory", "nonheap_used_kb"), 1024))).append(" | ")
                    .append(fmt(r.number("memory", "threads"))).append(" | ")
                    .append(r.setup.meshLog() == null ? "–" : String.valueOf(r.accessLogLines)).append(" | ")
                    .append(fmt(r.foreignCores)).append(" |\n");
        }
        return b.toString();
    }

    private static double nz(Double d) {
        return d == null ? 0 : d;
    }

    private static String fmt(Double d) {
        return d == null ? "n/a" : num(d);
    }

    private String jmhTable() {
        if (jmh.size() < 2) {
            return "";
        }
        StringBuilder b = new StringBuilder("| benchmark | score | ± (99.9 %) | unit |\n|---|---|---|---|\n");
        for (String[] row : jmh.subList(1, jmh.size())) {
            if (row.length < 7) {
                continue;
            }
            String name = row[0].replace("dev.jmesh.benchmarks.", "");
            boolean time = row[6].equals("ns/op");
            boolean alloc = name.endsWith("gc.alloc.rate.norm");
            if (!time && !alloc) {
                continue;
            }
            if (row.length > 7 && !row[7].isEmpty()) {
                name += " (accessLog=" + row[7] + ")"; // EnginePipeline's one parameter
            }
            b.append("| ").append(name).append(" | ").append(fmtNumber(row[4])).append(" | ").append(fmtNumber(row[5]))
                    .append(" | ").append(row[6]).append(" |\n");
        }
        return b.toString();
    }

    private static String fmtNumber(String s) {
        try {
            return num(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return s;
        }
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        long ok = results.stream().filter(RunResult::ok).count();
        b.append("# jmesh side by side: no agent, jmesh, OpenTelemetry agent, nginx and HAProxy hops, Resilience4j\n\n");
        b.append("Generated by `benchmarks/run.sh` (issue #10); do not edit by hand, rerun it. ")
                .append(options.quick ? "**Quick mode**: a smoke run that proves the harness works; its phases are too short for "
                        + "the numbers to mean much." : "Full mode.")
                .append(" ").append(options.rounds).append(options.rounds == 1 ? " round × " : " rounds × ").append(setups.size()).append(" set-ups, ")
                .append(ok).append(" of ").append(results.size()).append(" app runs succeeded; ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(".\n\n");
        List<Double> other = new ArrayList<>();
        for (RunResult r : results) {
            if (r.foreignCores != null) {
                other.add(r.foreignCores);
            }
        }
        Summary load = Summary.of(other);
        if (load != null) {
            b.append(String.format(Locale.ROOT, "Other work on the machine while the app JVMs ran: median %.2f cores, "
                    + "%.2f–%.2f over the runs, of %d cores%s.%n%n", load.median(), load.min(), load.max(),
                    Runtime.getRuntime().availableProcessors(),
                    load.max() > 0.2 ? " (**the machine was shared: read the spreads, not only the medians**)" : ""));
        }
        b.append("Command: `").append(options.command.isBlank() ? "benchmarks/run.sh" : options.command).append("`\n\n");
        if (!options.note.isBlank()) {
            b.append("> **Note:** ").append(options.note).append("\n\n");
        }
        for (String note : notes) {
            b.append("> ").append(note).append("\n\n");
        }

        b.append("## Set-ups\n\nEvery set-up is the same app (`target/load-app.jar`, the `dev.jmesh.benchmarks.load` package) "
                + "in its own JVM, calling `GET /items/<i>` on the same upstream (").append(upstream.name)
                .append(") on 127.0.0.1 with HttpURLConnection.\n\n| | set-up | how |\n|---|---|---|\n");
        for (Setup s : setups) {
            b.append("| ").append(s.key()).append(" | ").append(s.name()).append(" | ").append(s.what()).append(" |\n");
        }

        b.append("\n## Ratio to (a), no agent\n\nEach cell: the median over the rounds of (set-up ÷ (a) in the same round), and "
                + "in brackets the lowest and highest of those ratios: the spread shows the noise. Lower is better, except "
                + "max throughput. Row (a) shows (a)'s own median. Latency is at ").append(options.topRate())
                .append(" req/s, open loop, corrected for coordinated omission.\n\n");
        b.append(ratioTable());

        b.append("\n## Added over (a), in absolute terms\n\nEach cell: median over rounds of (set-up − (a) in the same round), "
                + "and the range. Row (a) shows its absolute median and range. Latency at ").append(options.topRate())
                .append(" req/s in µs; CPU in seconds per 1000 requests, which is the same number as vCPU per 1000 req/s.\n\n");
        b.append(addedTable());

        b.append("\n## Targets\n\nReported against issue #10's targets; nothing enforces them (no thresholds anywhere). "
                + "A fraction of a peer's added cost is computed per round, and only in rounds where the peer added something.\n\n");
        b.append(targets());

        for (int rate : options.rates) {
            b.append("\n## Latency at ").append(rate).append(" req/s\n\nRatios to (a), as above:\n\n").append(latencyRatioTable(rate));
            b.append("\nAll rounds pooled (every round's HdrHistogram merged), µs; added = set-up − (a) at the same percentile:\n\n")
                    .append(pooledTable(rate));
        }

        b.append("\n## Every run\n\nIn the order they ran. `late >1 ms`: open-loop requests that went out more than 1 ms after "
                + "their scheduled time (all app threads busy or descheduled; their latency counts from the scheduled time). "
                + "`JIT ms`: time the JIT compilers spent during the top-rate phase (part of its CPU; large means the phase was not yet steady). `other load`: CPU used by everything else on the machine while the run lasted, in cores (of ")
                .append(Runtime.getRuntime().availableProcessors()).append("); above 0 means the machine was shared. "
                + "Raw numbers of every phase: `").append(options.out.getFileName().toString().replaceFirst("\\.md$", ""))
                .append("-raw.csv`.\n\n");
        b.append(runsTable());

        String jmhTable = jmhTable();
        if (!jmhTable.isEmpty()) {
            b.append("\n## The engine without I/O (JMH)\n\n`java -jar benchmarks/target/benchmarks.jar EnginePipeline -f 1 -wi 2 -w 1 -i 3 -r 1 -prof gc`: "
                    + "one call through the engine (route, balance, breaker, retry, deadline, record) with an exchange that "
                    + "answers at once; `direct` is the attempt alone. Short iterations: read the ± column.\n\n")
                    .append(jmhTable);
        }

        b.append("\n## Method\n\n");
        b.append("- **One app JVM per set-up and round**, started by the harness; the measured JVM is the app's, the one with "
                + "the agent. Set-ups run interleaved, in an order rotated every round, so drift on the machine spreads "
                + "over all of them; the upstream and the hops keep running for the whole run.\n");
        b.append("- **Start-up**: from the harness spawning the JVM to the app printing `FIRST_OK`, which `main` does after "
                + "its first successful call (retried every 10 ms until one succeeds). The hops are already running.\n");
        b.append("- **Latency**: after a warm-up (").append(options.warmupSeconds).append(" s closed loop, so that the JIT "
                + "compiles the hot paths, then 2 s at the top rate), one open-loop "
                + "phase per rate: request i is due at start + i/rate; 32 threads take the next request, wait for its due "
                + "time, call, and record end − due time in an HdrHistogram (so a stall counts against every request "
                + "that should have gone out during it: the coordinated-omission correction of wrk2). Each phase is ")
                .append(options.phaseSeconds).append(" s × rate requests, cut off 10 s after it should have ended.\n");
        b.append("- **Max throughput**: ").append(options.maxThreads).append(" threads calling back to back for ")
                .append(options.maxSeconds).append(" s (at most 10 M calls). On ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores the app, the upstream and the hop share the CPU, so a hop's own CPU shows up here.\n");
        b.append("- **CPU**: the app JVM's process CPU time (every thread, the agent's included) over the top-rate phase, "
                + "per 1000 requests; for (e) and (f) the hop's CPU (master and workers, from /proc) over the same phase is added.\n");
        b.append("- **Memory**: the heap is fixed and pre-touched (`-Xms=-Xmx=").append(options.heap).append(", -XX:+AlwaysPreTouch`) "
                + "so that RSS does not depend on how much of the heap the GC happened to touch; after the load, "
                + "two `System.gc()`, then RSS (/proc/self/status), heap used and non-heap used. `memory` = RSS − heap size "
                + "+ heap used after GC + the hop's PSS (proportional set size, /proc/PID/smaps_rollup).\n");
        b.append("- **Noise**: the machine may run other work; `other load` in the table of every run says how much. "
                + "Ratios are taken within a round, so slow drift cancels; the min–max over rounds shows what does not.\n");

        b.append("\n## Environment\n\n| | |\n|---|---|\n");
        for (Map.Entry<String, String> e : env.entrySet()) {
            b.append("| ").append(e.getKey()).append(" | ").append(e.getValue().replace("\n", " ").replace("|", "/")).append(" |\n");
        }
        b.append("| set-ups, rounds | ").append(String.join(",", options.setups)).append("; ").append(options.rounds).append(" |\n");
        b.append("| rates, phases | ").append(options.rates).append(" req/s; warm-up ").append(options.warmupSeconds)
                .append(" s, ").append(options.phaseSeconds).append(" s per rate, closed loop ").append(options.maxSeconds)
                .append(" s with ").append(options.maxThreads).append(" threads |\n");
        b.append("| hops | ").append(options.proxyWorkers).append(" nginx workers / HAProxy threads |\n");

        b.append("\n## Configurations\n\nGenerated into a temporary directory by the harness (paths shown as they were).\n");
        for (Map.Entry<String, String> e : configs.entrySet()) {
            b.append("\n<details><summary>").append(e.getKey()).append("</summary>\n\n```\n").append(e.getValue().strip())
                    .append("\n```\n</details>\n");
        }
        return b.toString();
    }

    String rawCsv() {
        StringBuilder b = new StringBuilder("round,position,setup,phase,key,value\n");
        for (RunResult r : results) {
            String prefix = r.round + "," + r.position + "," + r.setup.key() + ",";
            b.append(prefix).append("run,startup_ms,").append(r.startupMs == null ? "" : num(r.startupMs)).append('\n');
            b.append(prefix).append("run,wall_s,").append(num(r.wallSeconds)).append('\n');
            b.append(prefix).append("run,other_load_cores,").append(r.foreignCores == null ? "" : num(r.foreignCores)).append('\n');
            if (r.setup.meshLog() != null) {
                b.append(prefix).append("run,jmesh_access_log_lines,").append(r.accessLogLines).append('\n');
            }
            if (r.setup.sidecar() != null) {
                b.append(prefix).append("run,sidecar_pss_kb,").append(r.sidecarPssKb).append('\n');
                for (String phase : r.sidecarTicksEnd.keySet()) {
                    Double ms = r.sidecarCpuMs(phase);
                    b.append(prefix).append(phase).append(",sidecar_cpu_ms,").append(ms == null ? "" : num(ms)).append('\n');
                }
            }
            if (!r.ok()) {
                b.append(prefix).append("run,failure,\"").append(r.failure.replace("\"", "'")).append("\"\n");
            }
            for (Map.Entry<String, Map<String, String>> phase : r.phases.entrySet()) {
                for (Map.Entry<String, String> kv : phase.getValue().entrySet()) {
                    if (kv.getKey().equals("phase") || kv.getKey().equals("hist")) {
                        continue;
                    }
                    b.append(prefix).append(phase.getKey()).append(',').append(kv.getKey()).append(',').append(kv.getValue()).append('\n');
                }
            }
        }
        return b.toString();
    }
}
