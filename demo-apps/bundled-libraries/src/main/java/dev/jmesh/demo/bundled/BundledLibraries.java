package dev.jmesh.demo.bundled;

/**
 * An application that brings its own copies of libraries the jmesh agent also uses or instruments, in one fat
 * jar, unrelocated: an old Jackson (2.6), a Byte Buddy other than the agent's, the OpenTelemetry SDK and
 * OkHttp 3. It exercises each, then reports which of the agent's classes its own class loader can see.
 *
 * <p>Every line it prints is deterministic (no times, ids or addresses), so a run with the agent can be
 * compared line by line with a run without it. Sections, in order: {@code jackson ...}, {@code bytebuddy ...},
 * {@code otel ...}, {@code okhttp ...}, {@code class ...}, {@code resource ...}, {@code property ...}, then
 * {@code SUMMARY ok=<okhttp calls answered 2xx> failed=<other okhttp calls and failed sections>}. A section that
 * throws prints {@code FAIL <section> <Exception>: <message>} and the app goes on.
 */
public final class BundledLibraries {

    private static final String USAGE = String.join(System.lineSeparator(),
            "usage: java -jar bundled-libraries.jar [options]",
            "  --base URL        service OkHttp calls, GET <base>/items/{i} (default http://inventory)",
            "  --calls N         number of OkHttp calls (default 3)",
            "  --exit-code N     exit status at the end (default 0)");

    private BundledLibraries() {
    }

    /** What one section reports: calls that worked and calls (or the section itself) that failed. */
    static final class Tally {
        int ok;
        int failed;
    }

    /** One part of the app that exercises one library. */
    interface Section {
        void run(Tally tally) throws Exception;
    }

    public static void main(String[] args) {
        String base = "http://inventory";
        int calls = 3;
        int exitCode = 0;
        try {
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--help")) {
                    System.out.println(USAGE);
                    System.exit(0);
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + option);
                }
                String value = args[++i];
                switch (option) {
                    case "--base": base = value.endsWith("/") ? value.substring(0, value.length() - 1) : value; break;
                    case "--calls": calls = wholeNumber(option, value); break;
                    case "--exit-code": exitCode = wholeNumber(option, value); break;
                    default: throw new IllegalArgumentException("unknown option " + option);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("bundled-libraries: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }

        final String okhttpBase = base;
        final int okhttpCalls = calls;
        Tally tally = new Tally();
        run("jackson", JacksonPart::run, tally);
        run("bytebuddy", ByteBuddyPart::run, tally);
        run("otel", OpenTelemetryPart::run, tally);
        run("okhttp", t -> OkHttpPart.run(okhttpBase, okhttpCalls, t), tally);
        run("visibility", Visibility::run, tally);
        System.out.println("SUMMARY ok=" + tally.ok + " failed=" + tally.failed);
        System.out.flush();
        // Always exit explicitly: a test checks that the agent does not change the exit code.
        System.exit(exitCode);
    }

    private static void run(String name, Section section, Tally tally) {
        try {
            section.run(tally);
        } catch (Throwable e) {
            tally.failed++;
            System.out.println("FAIL " + name + " " + describe(e));
        }
    }

    /** {@code SimpleName: message}, with the first message down the cause chain when the top one has none. */
    static String describe(Throwable e) {
        String message = e.getMessage();
        Throwable cause = e;
        while (message == null && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
            message = cause.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + message;
    }

    static void print(String line) {
        System.out.println(line);
    }

    private static int wholeNumber(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, got " + value);
        }
    }
}
