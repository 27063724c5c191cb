package dev.jmesh.demo.clients;

import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.io.CloseMode;

import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Apache HttpClient 5 async, written against the 5.0 API: {@code execute(SimpleHttpRequest, FutureCallback)}, the
 * future waited for. A callback that runs more than once is reported on stderr. Like the classic client, the
 * library's own automatic retries are off. A streamed body is not something a {@code SimpleHttpRequest} can carry:
 * it is read into memory first.
 */
final class Apache5AsyncCalls implements LibraryClients.Client {
    private final CloseableHttpAsyncClient client;

    /** @param trustStore the app's own trust for https (see {@link Tls}), or null for the library's default */
    Apache5AsyncCalls(String trustStore) {
        client = trustStore == null ? HttpAsyncClients.custom().disableAutomaticRetries().build()
                : HttpAsyncClients.custom().disableAutomaticRetries()
                        .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                                .setTlsStrategy(ClientTlsStrategyBuilder.create()
                                        .setSslContext(Tls.trusting(trustStore)).build())
                                .build())
                        .build();
        LibraryClients.announce("apache5-async", client.getClass());
        client.start();
    }

    @Override
    public LibraryClients.Reply call(String url, String method, Body body) throws Exception {
        SimpleHttpRequest request = new SimpleHttpRequest(method, URI.create(url));
        if (body != null) {
            request.setBody(body.streamed() ? body.newStream().readAllBytes() : body.bytes(),
                    ContentType.APPLICATION_JSON);
        }
        AtomicInteger callbacks = new AtomicInteger();
        Future<SimpleHttpResponse> future = client.execute(request, new FutureCallback<SimpleHttpResponse>() {
            @Override
            public void completed(SimpleHttpResponse result) {
                once("completed " + result.getCode());
            }

            @Override
            public void failed(Exception ex) {
                once("failed " + ex);
            }

            @Override
            public void cancelled() {
                once("cancelled");
            }

            private void once(String what) {
                if (callbacks.incrementAndGet() > 1) {
                    System.err.println("library-clients: apache5-async callback called again (" + what + ")");
                }
            }
        });
        SimpleHttpResponse response;
        try {
            response = future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
        return new LibraryClients.Reply(response.getCode(), response.getBodyText());
    }

    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
    }
}
