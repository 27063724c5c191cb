package dev.jmesh.demo.clients;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

/** The JDK's {@code java.net.http.HttpClient}: {@code send}, or {@code sendAsync} waited for. */
final class JdkCalls implements LibraryClients.Client {
    private final boolean async;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    JdkCalls(boolean async) {
        this.async = async;
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
        HttpResponse<String> response = async
                ? client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).get(60, TimeUnit.SECONDS)
                : client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new LibraryClients.Reply(response.statusCode(), response.body());
    }
}
