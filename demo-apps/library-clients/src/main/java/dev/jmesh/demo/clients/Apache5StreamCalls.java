package dev.jmesh.demo.clients;

import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http.nio.entity.StringAsyncEntityConsumer;
import org.apache.hc.core5.http.nio.support.AsyncRequestBuilder;
import org.apache.hc.core5.http.nio.support.BasicResponseConsumer;
import org.apache.hc.core5.io.CloseMode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Apache HttpClient 5 async with streaming producers and consumers, written against the 5.0 API:
 * {@code execute(AsyncRequestProducer, AsyncResponseConsumer, FutureCallback)} with a request from
 * {@code AsyncRequestBuilder} (a body from {@code AsyncEntityProducers}, or a producer of unknown length that
 * streams the body) and a {@code BasicResponseConsumer} that streams the response into a string. A callback that
 * runs more than once is reported on stderr. The library's own automatic retries are off.
 */
final class Apache5StreamCalls implements LibraryClients.Client {
    private final CloseableHttpAsyncClient client;

    /** @param trustStore the app's own trust for https (see {@link Tls}), or null for the library's default */
    Apache5StreamCalls(String trustStore) {
        client = trustStore == null ? HttpAsyncClients.custom().disableAutomaticRetries().build()
                : HttpAsyncClients.custom().disableAutomaticRetries()
                        .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                                .setTlsStrategy(ClientTlsStrategyBuilder.create()
                                        .setSslContext(Tls.trusting(trustStore)).build())
                                .build())
                        .build();
        LibraryClients.announce("apache5-stream", client.getClass());
        client.start();
    }

    @Override
    public LibraryClients.Reply call(String url, String method, Body body) throws Exception {
        AsyncRequestBuilder request = AsyncRequestBuilder.create(method).setUri(url);
        if (body != null) {
            request.setEntity(body.streamed() ? new StreamedEntity(body)
                    : AsyncEntityProducers.create(body.bytes(), ContentType.APPLICATION_JSON));
        }
        AtomicInteger callbacks = new AtomicInteger();
        Future<Message<HttpResponse, String>> future = client.execute(request.build(),
                new BasicResponseConsumer<>(new StringAsyncEntityConsumer()),
                new FutureCallback<Message<HttpResponse, String>>() {
                    @Override
                    public void completed(Message<HttpResponse, String> result) {
                        once("completed " + result.getHead().getCode());
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
                            System.err.println("library-clients: apache5-stream callback called again (" + what + ")");
                        }
                    }
                });
        Message<HttpResponse, String> response;
        try {
            response = future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
        return new LibraryClients.Reply(response.getHead().getCode(), response.getBody());
    }

    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
    }

    /** A body of unknown length, read from its stream as the connection takes it; it cannot be produced twice. */
    private static final class StreamedEntity implements AsyncEntityProducer {
        private final InputStream in;
        private final byte[] chunk = new byte[8192];

        StreamedEntity(Body body) {
            this.in = body.newStream();
        }

        @Override
        public boolean isRepeatable() {
            return false;
        }

        @Override
        public int available() {
            return chunk.length;
        }

        @Override
        public void produce(DataStreamChannel channel) throws IOException {
            int n = in.read(chunk);
            if (n < 0) {
                channel.endStream();
            } else {
                channel.write(ByteBuffer.wrap(chunk, 0, n)); // the demo's chunks are small: written whole
            }
        }

        @Override
        public long getContentLength() {
            return -1;
        }

        @Override
        public String getContentType() {
            return ContentType.APPLICATION_JSON.toString();
        }

        @Override
        public String getContentEncoding() {
            return null;
        }

        @Override
        public boolean isChunked() {
            return true;
        }

        @Override
        public Set<String> getTrailerNames() {
            return Collections.emptySet();
        }

        @Override
        public void failed(Exception cause) {
        }

        @Override
        public void releaseResources() {
        }
    }
}
