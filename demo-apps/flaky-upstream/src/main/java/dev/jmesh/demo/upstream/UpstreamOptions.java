package dev.jmesh.demo.upstream;

import java.util.concurrent.ThreadLocalRandom;

/** Command line options of {@link FlakyUpstream}; every option is {@code --name value}. */
final class UpstreamOptions {

    static final String USAGE = String.join(System.lineSeparator(),
            "usage: java -jar flaky-upstream.jar [options]",
            "  --port N            port on 127.0.0.1 (default 0 = ephemeral)",
            "  --name NAME         sent back as X-Upstream-Name (default upstream)",
            "  --fail-503 F        share of /items and /orders requests answered 503 (default 0)",
            "  --reset F           share dropped without any response (default 0)",
            "  --delay F           share delayed by --delay-ms before being served (default 0)",
            "  --delay-ms MS       length of an injected delay (default 2000)",
            "  --fail-first N      the first N requests to /items get a 503 (default 0)",
            "  --fail-post-every K  POST /orders number 1, K+1, 2K+1, ... get a 503 after their body was read"
                    + " (default 0 = none)",
            "  --retry-after S     every 503 carries Retry-After: S (seconds; default: no header)",
            "  --seed LONG         seed of the fault draws (default random)",
            "  --trace-log FILE    append each request's method, path and traceparent header (or -) to FILE");

    int port = 0;
    String name = "upstream";
    double fail503 = 0;
    double reset = 0;
    double delay = 0;
    long delayMs = 2000;
    long failFirst = 0;
    long failPostEvery = 0;
    /** Seconds of the Retry-After header on every 503, or -1 for none. */
    long retryAfter = -1;
    long seed = ThreadLocalRandom.current().nextLong();
    String traceLog;

    /** Parses the arguments; throws IllegalArgumentException with a message fit for the user. */
    static UpstreamOptions parse(String[] args) {
        UpstreamOptions o = new UpstreamOptions();
        for (int i = 0; i < args.length; i += 2) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + option);
            }
            String value = args[i + 1];
            switch (option) {
                case "--port": o.port = (int) number(option, value, 0, 65535); break;
                case "--name": o.name = value; break;
                case "--fail-503": o.fail503 = fraction(option, value); break;
                case "--reset": o.reset = fraction(option, value); break;
                case "--delay": o.delay = fraction(option, value); break;
                case "--delay-ms": o.delayMs = number(option, value, 0, Long.MAX_VALUE); break;
                case "--fail-first": o.failFirst = number(option, value, 0, Long.MAX_VALUE); break;
                case "--fail-post-every": o.failPostEvery = number(option, value, 0, Long.MAX_VALUE); break;
                case "--retry-after": o.retryAfter = number(option, value, 0, Long.MAX_VALUE); break;
                case "--seed": o.seed = number(option, value, Long.MIN_VALUE, Long.MAX_VALUE); break;
                case "--trace-log": o.traceLog = value; break;
                default: throw new IllegalArgumentException("unknown option " + option);
            }
        }
        // One draw decides among the faults, so their shares must fit in one unit interval.
        if (o.fail503 + o.reset + o.delay > 1.0) {
            throw new IllegalArgumentException("--fail-503 + --reset + --delay must not exceed 1");
        }
        return o;
    }

    private static double fraction(String option, String value) {
        double d;
        try {
            d = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number between 0 and 1, got " + value);
        }
        if (!(d >= 0 && d <= 1)) {
            throw new IllegalArgumentException(option + " needs a number between 0 and 1, got " + value);
        }
        return d;
    }

    private static long number(String option, String value, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, got " + value);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(option + " must be between " + min + " and " + max);
        }
        return n;
    }
}
