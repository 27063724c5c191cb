package dev.jmesh.instrumentation.apachehttpclient5;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.OutgoingHeaders;
import dev.jmesh.bootstrap.apachehttpclient5.ApacheHttpClient5Bridge;
import dev.jmesh.instrumentation.Http;
import org.apache.hc.client5.http.async.methods.ConfigurableHttpRequest;
import org.apache.hc.client5.http.config.Configurable;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.concurrent.BasicFuture;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncPushConsumer;
import org.apache.hc.core5.http.nio.AsyncRequestProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.HandlerFactory;
import org.apache.hc.core5.http.nio.RequestChannel;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.net.URIAuthority;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;

/**
 * Runs Apache HttpClient 5 async calls with streaming producers and consumers through the mesh:
 * {@code doExecute(HttpHost, AsyncRequestProducer, AsyncResponseConsumer, HandlerFactory, HttpContext,
 * FutureCallback)}, which every {@code execute(AsyncRequestProducer, AsyncResponseConsumer, ...)} overload reaches
 * once (requests from {@code AsyncRequestBuilder}, {@code BasicRequestProducer}, {@code SimpleRequestProducer}).
 *
 * <p><b>Request.</b> The producer is asked for its request head once, up front (a {@code BasicRequestProducer}
 * hands it over synchronously and has no other side effect); other producers pass through untouched. Each attempt
 * sends a copy of that head aimed at the chosen endpoint (the engine's trace headers, the per-try timeout in its
 * request config), and its body comes straight from the application's producer: nothing is buffered. The call may
 * be retried only when the producer says it is repeatable and its length is known (the engine then also applies
 * {@code retry.maxReplayBodyBytes} and the retried methods); the library's {@code releaseResources} at the end of
 * an exchange rewinds a repeatable producer, as for the library's own retries.
 *
 * <p><b>Response.</b> An attempt is finished for the engine when the response head arrives: the status decides
 * whether it is retried. The application's consumer sees only the response the mesh settled on: the head, then
 * the body as it streams in. Until the engine has decided (usually at once), the attempt grants no read capacity,
 * so what it holds is at most the library's initial window; a response the mesh retries is drained so that its
 * connection goes back to the pool. The access-log record is written when the head is settled on.
 *
 * <p>The application gets a {@code BasicFuture} whose callback runs exactly once; cancelling it cancels the
 * attempt in flight and starts no other. A timed-out attempt fails with the library's own
 * {@code SocketTimeoutException}.
 */
public final class StreamingAsyncInterceptor implements ApacheHttpClient5Bridge.StreamingInterceptor {

    public StreamingAsyncInterceptor() {
    }

    @Override
    public Object execute(Object client, Object target, Object producer, Object consumer, Object pushHandlerFactory,
                          Object context, Object callback) {
        Attempts attempts;
        OutboundCall call;
        try {
            if (!(producer instanceof BasicRequestProducer) || consumer == null) {
                return null;
            }
            Captured request = Captured.from((AsyncRequestProducer) producer, (HttpContext) context);
            if (request == null) {
                return null;
            }
            call = describe((HttpHost) target, request);
            if (call == null) {
                return null;
            }
            @SuppressWarnings("unchecked")
            HandlerFactory<AsyncPushConsumer> push = (HandlerFactory<AsyncPushConsumer>) pushHandlerFactory;
            attempts = new Attempts((CloseableHttpAsyncClient) client, call, request, (AsyncRequestProducer) producer,
                    push, (HttpContext) context);
        } catch (RuntimeException | LinkageError | HttpException | IOException e) {
            AgentLog.warnOnce("apache-httpclient-5-stream-describe:" + e.getClass().getName(),
                    "could not run an Apache HttpClient 5 async call through the mesh (" + e
                            + "); such calls pass through untouched");
            return null;
        }
        @SuppressWarnings("unchecked")
        final AppFuture app = new AppFuture((FutureCallback<Object>) callback, attempts,
                (AsyncResponseConsumer<Object>) consumer);
        Mesh.callAsync(call, attempts).whenComplete((head, failure) -> {
            if (failure == null) {
                head.handOver(app);
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            app.failBeforeResponse(cause instanceof Exception ? (Exception) cause : new IOException(cause));
        });
        return app;
    }

    /** The mesh's view of the call: {@code target} if the application named one, else the request's authority. */
    static OutboundCall describe(HttpHost target, Captured captured) {
        HttpRequest request = captured.request;
        String scheme;
        String host;
        int port;
        if (target != null) {
            scheme = target.getSchemeName();
            host = target.getHostName();
            port = target.getPort();
        } else {
            URIAuthority authority = request.getAuthority();
            if (authority == null) {
                return null;
            }
            scheme = request.getScheme() != null ? request.getScheme() : "http";
            host = authority.getHostName();
            port = authority.getPort();
        }
        if (host == null || host.isEmpty()) {
            return null;
        }
        EntityDetails entity = captured.entity;
        boolean repeatable = captured.repeatable;
        long length = entity == null ? 0 : entity.getContentLength();
        return new OutboundCall("http", scheme.toLowerCase(Locale.ROOT), host, port, request.getMethod(),
                Http.pathOf(request.getPath()), entity == null || (repeatable && length >= 0), name -> {
                    Header header = request.getFirstHeader(name);
                    return header == null ? null : header.getValue();
                }).withQuery(Http.queryOf(request.getPath()))
                .withBodyBytes(Http.bodyBytes(entity != null, repeatable, length));
    }

    /** The request head and entity details a producer sends, taken once before the first attempt. */
    static final class Captured implements RequestChannel {
        HttpRequest request;
        EntityDetails entity;
        boolean repeatable;

        static Captured from(AsyncRequestProducer producer, HttpContext context) throws HttpException, IOException {
            Captured captured = new Captured();
            producer.sendRequest(captured, context);
            if (captured.request == null) {
                return null;
            }
            captured.repeatable = producer.isRepeatable();
            return captured;
        }

        @Override
        public void sendRequest(HttpRequest request, EntityDetails entityDetails, HttpContext context) {
            this.request = request;
            this.entity = entityDetails;
        }
    }

    /** One logical call: each attempt the captured head aimed at an endpoint, its body from the app's producer. */
    static final class Attempts implements AsyncExchange<AttemptConsumer> {
        private final CloseableHttpAsyncClient client;
        private final OutboundCall call;
        private final Captured request;
        private final AsyncRequestProducer producer;
        private final HandlerFactory<AsyncPushConsumer> pushHandlerFactory;
        private final HttpContext context;
        private volatile boolean cancelled;
        private volatile Future<Object> inFlight;

        Attempts(CloseableHttpAsyncClient client, OutboundCall call, Captured request, AsyncRequestProducer producer,
                 HandlerFactory<AsyncPushConsumer> pushHandlerFactory, HttpContext context) {
            this.client = client;
            this.call = call;
            this.request = request;
            this.producer = producer;
            this.pushHandlerFactory = pushHandlerFactory;
            this.context = context;
        }

        @Override
        public CompletableFuture<AttemptConsumer> attempt(String host, int port, int timeoutMillis) {
            final CompletableFuture<AttemptConsumer> head = new CompletableFuture<AttemptConsumer>();
            if (cancelled) {
                head.completeExceptionally(new CancellationException("the application cancelled the call"));
                return head;
            }
            final AttemptConsumer consumer = new AttemptConsumer(head);
            HttpHost route = SimpleAsyncInterceptor.routeOf(call, host, port);
            // Under the service's name when TLS is about it (5.4+ take the TLS name from the request's authority).
            AttemptProducer attemptProducer = new AttemptProducer(
                    requestFor(route != null ? call.host() : host, port, timeoutMillis), request.entity, producer);
            CallDepth.enter();
            try {
                inFlight = client.execute(route, attemptProducer, consumer,
                        pushHandlerFactory, context,
                        new FutureCallback<Object>() {
                            @Override
                            public void completed(Object result) {
                                consumer.libraryCompleted(result);
                            }

                            @Override
                            public void failed(Exception e) {
                                consumer.libraryFailed(e);
                            }

                            @Override
                            public void cancelled() {
                                consumer.libraryFailed(new CancellationException("the attempt was cancelled"));
                            }
                        });
            } catch (RuntimeException e) {
                head.completeExceptionally(e); // e.g. the client is not started or already closed
            } finally {
                CallDepth.exit();
            }
            if (cancelled && inFlight != null) {
                inFlight.cancel(true); // the application cancelled while this attempt was being started
            }
            return head;
        }

        /** The captured head aimed at {@code host:port}, with the engine's headers and the per-try timeout. */
        ConfigurableHttpRequest requestFor(String host, int port, int timeoutMillis) {
            HttpRequest original = request.request;
            String hostName = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            ConfigurableHttpRequest copy = new ConfigurableHttpRequest(original.getMethod(),
                    new HttpHost(call.scheme(), hostName, port), original.getPath());
            copy.setVersion(original.getVersion());
            for (Header header : original.getHeaders()) {
                copy.addHeader(header);
            }
            OutgoingHeaders.addTo(copy::setHeader);
            RequestConfig own = original instanceof Configurable ? ((Configurable) original).getConfig()
                    : ApacheHttpClient5Interceptor.contextConfig(context);
            if (timeoutMillis > 0) {
                copy.setConfig(ApacheHttpClient5Interceptor.withTimeout(own, timeoutMillis));
            } else if (own != null) {
                copy.setConfig(own);
            }
            return copy;
        }

        void cancel() {
            cancelled = true;
            Future<Object> current = inFlight;
            if (current != null) {
                current.cancel(true);
            }
        }

        /** The library's own future of the attempt in flight, cancelled when the app's consumer fails. */
        void abortInFlight() {
            Future<Object> current = inFlight;
            if (current != null) {
                current.cancel(true);
            }
        }

        /** The application's producer, told once that the call failed, and released. */
        void producerFailed(Exception cause) {
            try {
                producer.failed(cause);
            } finally {
                producer.releaseResources();
            }
        }

        @Override
        public int statusOf(AttemptConsumer head) {
            return head.response.getCode();
        }

        @Override
        public String headerOf(AttemptConsumer head, String name) {
            Header header = head.response.getFirstHeader(name);
            return header == null ? null : header.getValue();
        }

        @Override
        public void discard(AttemptConsumer head) {
            head.drain();
        }

        @Override
        public Exception timeoutException(String message) {
            return new SocketTimeoutException(message);
        }

        @Override
        public Exception rejectedException(String message) {
            return new IOException(message);
        }
    }

    /**
     * One attempt's request: the copied head, then the application's producer's body. Its end-of-exchange
     * {@code releaseResources} rewinds a repeatable producer for a possible next attempt; {@code failed} is kept
     * for the call's final outcome ({@link Attempts#producerFailed}).
     */
    static final class AttemptProducer implements AsyncRequestProducer {
        private final HttpRequest head;
        private final EntityDetails entity;
        private final AsyncRequestProducer body;

        AttemptProducer(HttpRequest head, EntityDetails entity, AsyncRequestProducer body) {
            this.head = head;
            this.entity = entity;
            this.body = body;
        }

        @Override
        public void sendRequest(RequestChannel channel, HttpContext context) throws HttpException, IOException {
            channel.sendRequest(head, entity, context);
        }

        @Override
        public boolean isRepeatable() {
            return body.isRepeatable();
        }

        @Override
        public int available() {
            return body.available();
        }

        @Override
        public void produce(DataStreamChannel channel) throws IOException {
            body.produce(channel);
        }

        @Override
        public void failed(Exception cause) {
        }

        @Override
        public void releaseResources() {
            body.releaseResources();
        }
    }

    /**
     * One attempt's response, as the library delivers it. Once the head is in, the engine decides: the response
     * is handed over to the application's consumer (with whatever body arrived meanwhile), or drained.
     */
    static final class AttemptConsumer implements AsyncResponseConsumer<Object> {
        private static final int WAITING = 0;
        private static final int HANDED_OVER = 1;
        private static final int DRAINED = 2;

        private final CompletableFuture<AttemptConsumer> headArrived;
        private int state = WAITING;
        private AppFuture app;
        HttpResponse response;
        private EntityDetails entity;
        private HttpContext context;
        private FutureCallback<Object> resultCallback;
        private CapacityChannel capacity;
        /** Body that arrived before the engine decided: at most the library's initial window (no capacity granted). */
        private List<ByteBuffer> early = new ArrayList<ByteBuffer>();
        private boolean ended;
        private List<? extends Header> trailers;
        private Exception failure;

        AttemptConsumer(CompletableFuture<AttemptConsumer> headArrived) {
            this.headArrived = headArrived;
        }

        @Override
        public void consumeResponse(HttpResponse response, EntityDetails entityDetails, HttpContext context,
                                    FutureCallback<Object> resultCallback) {
            synchronized (this) {
                this.response = response;
                this.entity = entityDetails;
                this.context = context;
                this.resultCallback = resultCallback;
                ended = entityDetails == null;
            }
            headArrived.complete(this); // outside the lock: the engine may decide right here
        }

        @Override
        public void informationResponse(HttpResponse response, HttpContext context) {
            // A 1xx response of an attempt: nothing the application's consumer must see for a call the mesh routes.
        }

        @Override
        public synchronized void updateCapacity(CapacityChannel capacityChannel) throws IOException {
            if (state == HANDED_OVER) {
                app.consumer.updateCapacity(capacityChannel);
            } else if (state == DRAINED) {
                capacityChannel.update(Integer.MAX_VALUE);
            } else {
                capacity = capacityChannel;
            }
        }

        @Override
        public synchronized void consume(ByteBuffer src) throws IOException {
            if (state == HANDED_OVER) {
                app.consumer.consume(src);
            } else if (state == WAITING) {
                ByteBuffer copy = ByteBuffer.allocate(src.remaining());
                copy.put(src);
                copy.flip();
                early.add(copy);
            } else {
                src.position(src.limit());
            }
        }

        @Override
        public synchronized void streamEnd(List<? extends Header> trailers) throws HttpException, IOException {
            if (state == HANDED_OVER) {
                app.consumer.streamEnd(trailers);
            } else if (state == WAITING) {
                ended = true;
                this.trailers = trailers;
            } else {
                resultCallback.completed(null);
            }
        }

        @Override
        public synchronized void failed(Exception cause) {
            if (state == HANDED_OVER) {
                app.consumer.failed(cause);
            } else if (state == WAITING) {
                failure = cause;
            }
        }

        @Override
        public synchronized void releaseResources() {
            if (state == HANDED_OVER) {
                app.consumer.releaseResources();
            }
        }

        /** The library's future of this attempt completed: with the app consumer's result once handed over. */
        void libraryCompleted(Object result) {
            AppFuture handedTo;
            synchronized (this) {
                handedTo = state == HANDED_OVER ? app : null;
            }
            if (handedTo != null) {
                handedTo.completed(result);
            }
        }

        void libraryFailed(Exception e) {
            AppFuture handedTo;
            synchronized (this) {
                handedTo = state == HANDED_OVER ? app : null;
                if (state == WAITING && failure == null) {
                    failure = e;
                }
            }
            if (handedTo != null) {
                handedTo.failed(e);
            } else {
                headArrived.completeExceptionally(e); // no effect once the head arrived
            }
        }

        /** The engine settled on this response: the app's consumer gets the head, what body came, and the rest. */
        void handOver(AppFuture app) {
            Exception failed;
            synchronized (this) {
                state = HANDED_OVER;
                this.app = app;
                failed = failure;
                if (failed == null) {
                    try {
                        app.consumer.consumeResponse(response, entity, context, resultCallback);
                        if (capacity != null) {
                            app.consumer.updateCapacity(capacity);
                        }
                        for (ByteBuffer chunk : early) {
                            app.consumer.consume(chunk);
                        }
                        early = null;
                        if (ended && entity != null) {
                            app.consumer.streamEnd(trailers);
                        }
                    } catch (HttpException | IOException | RuntimeException e) {
                        failed = e;
                    }
                }
            }
            if (failed != null) {
                app.failAfterResponse(failed);
            }
        }

        /** The engine goes on without this response: read and drop its body, so that the connection is reused. */
        synchronized void drain() {
            state = DRAINED;
            early = null;
            if (ended) {
                resultCallback.completed(null);
            } else if (capacity != null) {
                try {
                    capacity.update(Integer.MAX_VALUE);
                } catch (IOException closing) {
                    // the connection is going away: nothing left to drain
                }
            }
        }
    }

    /** The future the application gets; its callback runs once; cancelling it cancels the attempt in flight. */
    static final class AppFuture extends BasicFuture<Object> {
        private final Attempts attempts;
        final AsyncResponseConsumer<Object> consumer;

        AppFuture(FutureCallback<Object> callback, Attempts attempts, AsyncResponseConsumer<Object> consumer) {
            super(callback);
            this.attempts = attempts;
            this.consumer = consumer;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                attempts.cancel();
            }
            return cancelled;
        }

        /** No response reached the application's consumer: it and the producer learn the outcome, once. */
        void failBeforeResponse(Exception cause) {
            try {
                if (cause instanceof CancellationException) {
                    cancel(true);
                } else {
                    failed(cause);
                }
                consumer.failed(cause);
                consumer.releaseResources();
            } finally {
                attempts.producerFailed(cause);
            }
        }

        /** The application's consumer refused the response: the call fails and the exchange is aborted. */
        void failAfterResponse(Exception cause) {
            failed(cause);
            attempts.abortInFlight();
        }
    }
}
