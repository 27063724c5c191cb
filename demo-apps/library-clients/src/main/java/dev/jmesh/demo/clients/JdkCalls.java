package dev.jmesh.demo.clients;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The JDK's {@code java.net.http.HttpClient}: {@code send}, or {@code sendAsync} waited for. Optionally with a
 * request timeout ({@code HttpRequest.timeout}), and for {@code sendAsync} a patience after which the app cancels
 * the future ({@code cancel(true)}) and gives up.
 */
final class JdkCalls implements LibraryClients.Client {
    private final boolean async;
    private final long requestTimeoutMillis;
    private final long cancelAfterMillis;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    JdkCalls(boolean async, long requestTimeoutMillis, long cancelAfterMillis) {
        this.async = async;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.cancelAfterMillis = cancelAfterMillis;
        LibraryClients.announce(async ? "jdk-async" : "jdk", HttpClient.class);
    }

    @Override
    public LibraryClients.Reply call(String url, String method, Body body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : body.streamed() ? HttpRequest.BodyPublishers.ofInputStream(body::newStream)
                : HttpRequest.BodyPublishers.ofByteArray(body.bytes());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).method(method, publisher);
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (requestTimeoutMillis > 0) {
            request.timeout(Duration.ofMillis(requestTimeoutMillis));
        }
        HttpResponse<String> response = async ? sendAsync(request.build())
                : client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new LibraryClients.Reply(response.statusCode(), response.body());
    }

    private HttpResponse<String> sendAsync(HttpRequest request) throws Exception {
        CompletableFuture<HttpResponse<String>> future = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            return future.get(cancelAfterMillis > 0 ? cancelAfterMillis : 60_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new CancellationException("the app cancelled after " + cancelAfterMillis + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }
}
