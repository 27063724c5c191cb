package dev.jmesh.benchmarks.load;

import java.util.ArrayList;
import java.util.List;

/** Command line of {@link LoadApp}. */
final class Options {
    static final String USAGE = String.join(System.lineSeparator(),
            "usage: java [agents] -jar load-app.jar --base URL [options]",
            "  --base URL              upstream to call: GET URL/items/<i> (required)",
            "  --client C              urlconnection (default) | httpclient (java.net.http, HTTP/1.1, send)",
            "  --resilience4j          wrap every call in Resilience4j: circuit breaker(retry(time limiter(call)))",
            "  --rates R1,R2           open-loop rates in requests/s (default 500,1000)",
            "  --warmup-s S            warm-up, not recorded: S seconds closed loop, then 2 s at the top rate (default 5)",
            "  --phase-s S             seconds per rate; each phase is rate*S requests (default 10)",
            "  --max-s S               closed-loop maximum-throughput phase, seconds (default 5; 0 = skip)",
            "  --max-threads N         closed-loop threads (default 4)",
            "  --open-loop-threads N   threads that issue the open-loop requests (default 32)",
            "  --soak-s S              soak mode: after the warm-up, S seconds at --soak-rate instead of the rate and",
            "                          maximum phases, reporting heap after GC every --sample-s seconds",
            "  --soak-rate R           requests/s of the soak (default 200)",
            "  --sample-s K            seconds between soak samples (default 30)");

    String base;
    String client = "urlconnection";
    boolean resilience4j;
    List<Integer> rates = new ArrayList<>(List.of(500, 1000));
    int warmupSeconds = 5;
    int phaseSeconds = 10;
    int maxSeconds = 5;
    int maxThreads = 4;
    int openLoopThreads = 32;
    int soakSeconds = 0;
    int soakRate = 200;
    int sampleSeconds = 30;

    private Options() {
    }

    static Options parse(String[] args) {
        Options o = new Options();
        try {
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--resilience4j")) {
                    o.resilience4j = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + option);
                }
                String value = args[++i];
                switch (option) {
                    case "--base": o.base = value.endsWith("/") ? value.substring(0, value.length() - 1) : value; break;
                    case "--client": o.client = value; break;
                    case "--rates":
                        o.rates.clear();
                        for (String rate : value.split(",")) {
                            o.rates.add(positive(option, rate));
                        }
                        break;
                    case "--warmup-s": o.warmupSeconds = Integer.parseInt(value); break;
                    case "--phase-s": o.phaseSeconds = positive(option, value); break;
                    case "--max-s": o.maxSeconds = Integer.parseInt(value); break;
                    case "--max-threads": o.maxThreads = positive(option, value); break;
                    case "--open-loop-threads": o.openLoopThreads = positive(option, value); break;
                    case "--soak-s": o.soakSeconds = positive(option, value); break;
                    case "--soak-rate": o.soakRate = positive(option, value); break;
                    case "--sample-s": o.sampleSeconds = positive(option, value); break;
                    default: throw new IllegalArgumentException("unknown option " + option);
                }
            }
            if (o.base == null) {
                throw new IllegalArgumentException("--base is required");
            }
            if (!o.client.equals("urlconnection") && !o.client.equals("httpclient")) {
                throw new IllegalArgumentException("--client must be urlconnection or httpclient");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("load-app: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
        return o;
    }

    private static int positive(String option, String value) {
        int n = Integer.parseInt(value.trim());
        if (n <= 0) {
            throw new IllegalArgumentException(option + " must be positive");
        }
        return n;
    }
}
