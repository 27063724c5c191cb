package dev.jmesh.demo.clients;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The legacy-shop demo again, but calling its logical service ({@code http://inventory}) through the HTTP
 * client libraries real applications use instead of the JDK's: OkHttp ({@code Call.execute()} and
 * {@code Call.enqueue}), Apache HttpClient 4 (a builder client and the deprecated {@code DefaultHttpClient})
 * and Apache HttpClient 5. No timeouts, no retries of its own, nothing that knows about a mesh.
 *
 * <p>The libraries are not bundled: the versions on the class path are the ones that run. Each client lives
 * in its own class, so a run needs on its class path only the libraries of the clients it uses.
 *
 * <p>Its output depends only on what the upstream answers, so runs can be compared line by line. Where each
 * library was loaded from goes to stderr, so a test can check that it got the version it asked for.
 */
public final class LibraryClients {

    private static final String USAGE = String.join(System.lineSeparator(),
            "usage: java -cp library-clients.jar:<client libraries> dev.jmesh.demo.clients.LibraryClients [options]",
            "  --base URL          service to call (default http://inventory)",
            "  --calls N           number of calls (default 20)",
            "  --client C[,C...]   okhttp | okhttp-async | apache4 | apache4-legacy | apache5 | apache5-async"
                    + " | apache5-stream | jdk"
                    + " | jdk-async | huc | all",
            "                      (default all; several clients rotate per call)",
            "  --post-every K      every K-th call is POST /orders instead of GET /items/{i} (default 0 = never)",
            "  --body-bytes N      a POST sends N bytes instead of a small JSON document",
            "  --body-mode M       buffered (in memory, default) | streamed (from a stream of unknown length)",
            "  --request-timeout-ms MS  jdk, jdk-async: HttpRequest.timeout (default none)",
            "  --cancel-after-ms MS     jdk-async: cancel the future after MS and give up; okhttp-async: Call.cancel()"
                    + " after MS, then wait for OkHttp's callback (default: wait)",
            "  --trust-store FILE  PKCS12 trust store (password changeit) huc, apache4, apache5* use for https"
                    + " (default: the library's)",
            "  --interval-ms MS    pause between calls (default 0)",
            "  --service-per-client  each client calls the service named like itself: --base's host is replaced"
                    + " by the client's name",
            "  --linger-ms MS      stay up this long after the summary (default 0)",
            "  --exit-code N       exit status at the end (default 0)",
            "  --quiet             print only the summary");

    static final String[] ALL_CLIENTS =
            {"okhttp", "okhttp-async", "apache4", "apache4-legacy", "apache5", "apache5-async", "apache5-stream", "jdk",
                    "jdk-async", "huc"};

    // Configuration, set once from the command line, legacy style.
    private static String base = "http://inventory";
    private static int calls = 20;
    private static List<String> clients = List.of(ALL_CLIENTS);
    private static int postEvery = 0;
    private static int exitCode = 0;
    private static int intervalMillis = 0;
    private static boolean quiet = false;
    /** Size of each POST body, or -1 for the small JSON document. */
    private static int bodyBytes = -1;
    private static boolean streamedBodies = false;
    private static String trustStore = null;
    private static long requestTimeoutMillis = 0;
    private static long cancelAfterMillis = 0;
    private static boolean servicePerClient = false;
    private static int lingerMillis = 0;

    /** One client object per client name, created on first use (and so its library loaded only then). */
    private static final Map<String, Client> CREATED = new LinkedHashMap<>();

    private LibraryClients() {
    }

    /** One way of making a call; each implementation talks to one library. */
    interface Client {
        /** @param body the request body, or null for none */
        Reply call(String url, String method, Body body) throws Exception;

        /** Called once before exit. */
        default void close() throws Exception {
        }
    }

    /** What the app keeps of a response. */
    static final class Reply {
        final int status;
        final String body;

        Reply(int status, String body) {
            this.status = status;
            this.body = body == null ? "" : body;
        }
    }

    public static void main(String[] args) {
        try {
            parseArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println("library-clients: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }

        int ok = 0;
        int failed = 0;
        for (int i = 0; i < calls; i++) {
            if (callOnce(i)) {
                ok++;
            } else {
                failed++;
            }
            pause();
        }
        for (Map.Entry<String, Client> client : CREATED.entrySet()) {
            try {
                client.getValue().close();
            } catch (Exception e) {
                System.err.println("library-clients: closing " + client.getKey() + ": " + describe(e));
            }
        }
        System.out.println("SUMMARY ok=" + ok + " failed=" + failed);
        System.out.flush();
        if (lingerMillis > 0) {
            try {
                Thread.sleep(lingerMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Always exit explicitly: OkHttp's threads would keep the JVM up for a while otherwise.
        System.exit(exitCode);
    }

    /** Makes call number i and prints its line; returns true when it got a 2xx. */
    private static boolean callOnce(int i) {
        String clientName = clients.get(i % clients.size());
        boolean post = postEvery > 0 && (i + 1) % postEvery == 0;
        String method = post ? "POST" : "GET";
        String path = post ? "/orders" : "/items/" + i;
        Body body = !post ? null
                : bodyBytes < 0 ? Body.json("{\"item\":\"" + i + "\",\"quantity\":1}")
                : streamedBodies ? Body.streamed(bodyBytes) : Body.buffered(bodyBytes);
        try {
            Reply reply = client(clientName).call(baseFor(clientName) + path, method, body);
            boolean success = reply.status >= 200 && reply.status < 300;
            if (success) {
                print("OK " + clientName + " " + method + " " + path + " " + reply.status + " " + reply.body.length());
            } else {
                print("FAIL " + clientName + " " + method + " " + path + " status=" + reply.status);
            }
            return success;
        } catch (Exception | LinkageError e) {
            // A failed call is reported and the app goes on, as a monolith would.
            print("FAIL " + clientName + " " + method + " " + path + " " + describe(e));
            return false;
        }
    }

    private static Client client(String name) {
        Client client = CREATED.get(name);
        if (client == null) {
            switch (name) {
                case "okhttp": client = new OkHttpCalls(false, 0); break;
                case "okhttp-async": client = new OkHttpCalls(true, cancelAfterMillis); break;
                case "apache4": client = Apache4Calls.createDefault(trustStore); break;
                case "apache4-legacy": client = Apache4Calls.legacyDefaultHttpClient(); break;
                case "apache5": client = new Apache5Calls(trustStore); break;
                case "apache5-async": client = new Apache5AsyncCalls(trustStore); break;
                case "apache5-stream": client = new Apache5StreamCalls(trustStore); break;
                case "jdk": client = new JdkCalls(false, requestTimeoutMillis, cancelAfterMillis); break;
                case "jdk-async": client = new JdkCalls(true, requestTimeoutMillis, cancelAfterMillis); break;
                case "huc": client = urlConnectionCalls(); break;
                default: throw new IllegalStateException(name);
            }
            CREATED.put(name, client);
        }
        return client;
    }

    /** {@code --base}, or with {@code --service-per-client} the same URL with the client's name as its host. */
    private static String baseFor(String clientName) {
        if (!servicePerClient) {
            return base;
        }
        int hostStart = base.indexOf("://") + 3;
        int hostEnd = base.indexOf(':', hostStart);
        return base.substring(0, hostStart) + clientName + (hostEnd < 0 ? "" : base.substring(hostEnd));
    }

    private static Client urlConnectionCalls() {
        try {
            return new UrlConnectionCalls(trustStore);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the trust store " + trustStore + ": " + describe(e), e);
        }
    }

    /** Says on stderr which jar a library class came from, once per client. */
    static void announce(String client, Class<?> libraryClass) {
        String from;
        try {
            from = String.valueOf(libraryClass.getProtectionDomain().getCodeSource().getLocation());
            from = from.substring(from.lastIndexOf('/') + 1);
        } catch (RuntimeException e) {
            from = "unknown (" + e + ")";
        }
        System.err.println("library-clients: " + client + " uses " + libraryClass.getName() + " from " + from);
    }

    private static void pause() {
        if (intervalMillis > 0) {
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** "SimpleName: message"; the first message down the cause chain when the exception has none. */
    static String describe(Throwable e) {
        String message = e.getMessage();
        Throwable cause = e;
        while (message == null && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
            message = cause.getMessage();
        }
        if (message == null) {
            message = cause == e ? "null" : cause.getClass().getSimpleName();
        }
        return e.getClass().getSimpleName() + ": " + message;
    }

    private static void print(String line) {
        if (!quiet) {
            System.out.println(line);
        }
    }

    private static void parseArgs(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--quiet")) {
                quiet = true;
                continue;
            }
            if (option.equals("--service-per-client")) {
                servicePerClient = true;
                continue;
            }
            if (option.equals("--help")) {
                System.out.println(USAGE);
                System.exit(0);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--base": base = stripTrailingSlash(value); break;
                case "--calls": calls = nonNegative(option, value); break;
                case "--client": clients = clientNames(value); break;
                case "--post-every": postEvery = nonNegative(option, value); break;
                case "--exit-code": exitCode = wholeNumber(option, value); break;
                case "--interval-ms": intervalMillis = nonNegative(option, value); break;
                case "--body-bytes": bodyBytes = nonNegative(option, value); break;
                case "--body-mode": streamedBodies = bodyMode(value); break;
                case "--trust-store": trustStore = value; break;
                case "--request-timeout-ms": requestTimeoutMillis = nonNegative(option, value); break;
                case "--cancel-after-ms": cancelAfterMillis = nonNegative(option, value); break;
                case "--linger-ms": lingerMillis = nonNegative(option, value); break;
                default: throw new IllegalArgumentException("unknown option " + option);
            }
        }
    }

    private static List<String> clientNames(String value) {
        if (value.equals("all")) {
            return List.of(ALL_CLIENTS);
        }
        List<String> names = new ArrayList<>();
        for (String name : value.split(",")) {
            if (!List.of(ALL_CLIENTS).contains(name)) {
                throw new IllegalArgumentException("--client takes " + String.join(", ", ALL_CLIENTS)
                        + " or all (or a comma-separated list), got " + name);
            }
            names.add(name);
        }
        return List.copyOf(names);
    }

    private static boolean bodyMode(String value) {
        switch (value) {
            case "buffered": return false;
            case "streamed": return true;
            default: throw new IllegalArgumentException("--body-mode takes buffered or streamed, got " + value);
        }
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static int nonNegative(String option, String value) {
        int n = wholeNumber(option, value);
        if (n < 0) {
            throw new IllegalArgumentException(option + " must not be negative");
        }
        return n;
    }

    private static int wholeNumber(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, got " + value);
        }
    }
}
