package dev.jmesh.demo.shop;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;

/**
 * A small shop written like a legacy monolith: static state, no framework, no timeouts, and a
 * logical service name ({@code http://inventory}) baked into its URLs. Without the jmesh agent
 * that host does not resolve and every call fails; with the agent the calls are routed to real
 * endpoints. The app itself never changes, which is the point of the demo.
 *
 * <p>Its output depends only on what the upstream answers, so runs can be compared line by line.
 */
public final class LegacyShop {

    private static final String USAGE = String.join(System.lineSeparator(),
            "usage: java -jar legacy-shop.jar [options]",
            "  --base URL          service to call (default http://inventory)",
            "  --calls N           number of calls (default 20)",
            "  --client C          urlconnection | httpclient | httpclient-async | all (default all: rotate per call)",
            "  --post-every K      every K-th call is POST /orders instead of GET /items/{i} (default 0 = never)",
            "  --header 'N: V'     request header sent with every call (repeatable)",
            "  --threads N         calls made by N threads at once (default 1: one after the other, in order)",
            "  --query Q           query string added to every GET /items/{i} (default none)",
            "  --interval-ms MS    pause between calls (default 0), to keep the app running while its config changes",
            "  --exit-code N       exit status at the end (default 0)",
            "  --linger-ms MS      stay up this long after the summary (default 0), to be looked at from outside",
            "  --quiet             print only the summary");

    private static final String[] ALL_CLIENTS = {"urlconnection", "httpclient", "httpclient-async"};

    // Configuration, set once from the command line, legacy style.
    private static String base = "http://inventory";
    private static int calls = 20;
    private static String client = "all";
    private static int postEvery = 0;
    private static int exitCode = 0;
    private static int intervalMillis = 0;
    private static String query = null;
    private static int threads = 1;
    private static final java.util.List<String[]> headers = new java.util.ArrayList<String[]>();
    private static int lingerMillis = 0;
    private static boolean quiet = false;

    /** One java.net.http client for the whole app, created on first use. */
    private static HttpClient httpClient;

    private LegacyShop() {
    }

    /** What the app keeps of a response. */
    private static final class Reply {
        final int status;
        final String body;

        Reply(int status, String body) {
            this.status = status;
            this.body = body;
        }
    }

    public static void main(String[] args) {
        try {
            parseArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println("legacy-shop: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }

        final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        Runnable worker = () -> {
            for (int i = next.getAndIncrement(); i < calls; i = next.getAndIncrement()) {
                (callOnce(i) ? ok : failed).incrementAndGet();
                pause();
            }
        };
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(worker, "shop-" + t);
            workers[t].start();
        }
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
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
        // Always exit explicitly: a test checks that an agent does not change the exit code.
        System.exit(exitCode);
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

    /** Makes call number i and prints its line; returns true when it got a 2xx. */
    private static boolean callOnce(int i) {
        String clientName = client.equals("all") ? ALL_CLIENTS[i % ALL_CLIENTS.length] : client;
        boolean post = postEvery > 0 && (i + 1) % postEvery == 0;
        String method = post ? "POST" : "GET";
        String path = post ? "/orders" : "/items/" + i;
        String target = post || query == null ? path : path + "?" + query;
        String body = post ? "{\"item\":\"" + i + "\",\"quantity\":1}" : null;
        try {
            Reply reply;
            switch (clientName) {
                case "urlconnection": reply = callWithUrlConnection(method, target, body); break;
                case "httpclient": reply = callWithHttpClient(method, target, body); break;
                default: reply = callWithHttpClientAsync(method, target, body); break;
            }
            boolean success = reply.status >= 200 && reply.status < 300;
            if (success) {
                print("OK " + clientName + " " + method + " " + path + " " + reply.status + " " + reply.body.length());
            } else {
                print("FAIL " + clientName + " " + method + " " + path + " status=" + reply.status);
            }
            return success;
        } catch (Exception e) {
            // A failed call is reported and the shop goes on, as a monolith would.
            print("FAIL " + clientName + " " + method + " " + path + " " + describe(e));
            return false;
        }
    }

    /** The classic way: HttpURLConnection, no timeouts, body buffered by the JDK. */
    private static Reply callWithUrlConnection(String method, String path, String body) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL(base + path).openConnection();
        connection.setRequestMethod(method);
        if (body != null) {
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", "application/json");
        }
        for (String[] header : headers) {
            connection.setRequestProperty(header[0], header[1]);
        }
        if (body != null) {
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body.getBytes(StandardCharsets.UTF_8));
            }
        }
        int status = connection.getResponseCode();
        // Real apps look at headers before the body; the mesh must keep them readable. Not printed,
        // so the output stays the same whatever headers a proxy or the agent adds.
        connection.getHeaderField("Content-Type");
        InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        String text = "";
        if (in != null) {
            try (InputStream stream = in) {
                text = new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        return new Reply(status, text);
    }

    private static Reply callWithHttpClient(String method, String path, String body)
            throws IOException, InterruptedException {
        HttpResponse<String> response = sharedClient().send(request(method, path, body),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body());
    }

    private static Reply callWithHttpClientAsync(String method, String path, String body) throws Exception {
        try {
            HttpResponse<String> response = sharedClient().sendAsync(request(method, path, body),
                    HttpResponse.BodyHandlers.ofString()).get();
            return new Reply(response.statusCode(), response.body());
        } catch (ExecutionException e) {
            // Report what actually went wrong, not the future's wrapper.
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            throw e;
        }
    }

    private static HttpRequest request(String method, String path, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path));
        for (String[] header : headers) {
            builder.header(header[0], header[1]);
        }
        if (body != null) {
            builder.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        } else {
            builder.GET();
        }
        return builder.build();
    }

    private static synchronized HttpClient sharedClient() {
        if (httpClient == null) {
            // HTTP/1.1 forced: the shop predates HTTP/2, and it keeps both clients on the same protocol.
            httpClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        }
        return httpClient;
    }

    /**
     * "SimpleName: message". java.net.http often throws a ConnectException without a message,
     * wrapping another one, wrapping e.g. UnresolvedAddressException; then the first message
     * down the cause chain, or else the innermost cause's name, says more than "null".
     */
    private static String describe(Throwable e) {
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

    private static synchronized void print(String line) {
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
                case "--client": client = clientName(value); break;
                case "--post-every": postEvery = nonNegative(option, value); break;
                case "--exit-code": exitCode = wholeNumber(option, value); break;
                case "--interval-ms": intervalMillis = nonNegative(option, value); break;
                case "--query": query = value; break;
                case "--header": headers.add(header(value)); break;
                case "--threads": threads = Math.max(1, nonNegative(option, value)); break;
                case "--linger-ms": lingerMillis = nonNegative(option, value); break;
                default: throw new IllegalArgumentException("unknown option " + option);
            }
        }
    }

    private static String[] header(String value) {
        int colon = value.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--header must be 'Name: value'");
        }
        return new String[] {value.substring(0, colon).trim(), value.substring(colon + 1).trim()};
    }

    private static String clientName(String value) {
        if (value.equals("all")) {
            return value;
        }
        for (String name : ALL_CLIENTS) {
            if (name.equals(value)) {
                return value;
            }
        }
        throw new IllegalArgumentException("--client must be urlconnection, httpclient, httpclient-async or all");
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
