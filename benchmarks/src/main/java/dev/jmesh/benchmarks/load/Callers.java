package dev.jmesh.benchmarks.load;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The app's plain HTTP calls, written the way an app without a mesh library writes them. */
final class Callers {
    /** Connect and read timeout of the Resilience4j variant (see {@link Resilience4jCaller}). */
    static final int R4J_SOCKET_TIMEOUT_MS = 1000;

    private Callers() {
    }

    static Caller create(Options options) {
        Caller plain = options.client.equals("httpclient")
                ? httpClient(options.base)
                : urlConnection(options.base, options.resilience4j ? R4J_SOCKET_TIMEOUT_MS : 0);
        return options.resilience4j ? new Resilience4jCaller(plain) : plain;
    }

    /** HttpURLConnection, keep-alive through the JDK's connection cache; body read in full. */
    static Caller urlConnection(String base, int timeoutMillis) {
        return id -> {
            HttpURLConnection connection = (HttpURLConnection) new URL(base + "/items/" + id).openConnection();
            if (timeoutMillis > 0) {
                connection.setConnectTimeout(timeoutMillis);
                connection.setReadTimeout(timeoutMillis);
            }
            int status = connection.getResponseCode();
            InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            if (in != null) {
                try (InputStream body = in) {
                    body.readAllBytes();
                }
            }
            return status;
        };
    }

    /** java.net.http, HTTP/1.1, blocking send. */
    static Caller httpClient(String base) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return id -> client.send(HttpRequest.newBuilder(URI.create(base + "/items/" + id)).build(),
                HttpResponse.BodyHandlers.ofByteArray()).statusCode();
    }
}
