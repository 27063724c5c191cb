package dev.jmesh.benchmarks;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;

/**
 * A client that makes sequential GETs with each JDK client and prints per-client latency percentiles
 * of the second half of the calls (the first half warms up the JIT). Run it once without and once with
 * the agent; {@code benchmarks/quick.sh} does that side by side.
 *
 * <p>Usage: {@code CallLatency BASE_URL CALLS} (for example {@code http://inventory 4000}).
 */
public final class CallLatency {
    private static final String[] CLIENTS = {"urlconnection", "httpclient", "httpclient-async"};

    private CallLatency() {
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int calls = Integer.parseInt(args[1]);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (String mode : CLIENTS) {
            long[] nanos = new long[calls];
            for (int i = 0; i < calls; i++) {
                long start = System.nanoTime();
                call(mode, client, base + "/items/" + i);
                nanos[i] = System.nanoTime() - start;
            }
            long[] measured = Arrays.copyOfRange(nanos, calls / 2, calls);
            Arrays.sort(measured);
            System.out.printf("%s p50_us=%.1f p90_us=%.1f p99_us=%.1f%n", mode,
                    percentile(measured, 0.50), percentile(measured, 0.90), percentile(measured, 0.99));
        }
    }

    private static void call(String mode, HttpClient client, String url) throws Exception {
        if (mode.equals("urlconnection")) {
            HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
            connection.getResponseCode();
            try (InputStream in = connection.getInputStream()) {
                in.readAllBytes();
            }
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).build();
        if (mode.equals("httpclient")) {
            client.send(request, HttpResponse.BodyHandlers.ofString());
        } else {
            client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get();
        }
    }

    private static double percentile(long[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1000.0;
    }
}
