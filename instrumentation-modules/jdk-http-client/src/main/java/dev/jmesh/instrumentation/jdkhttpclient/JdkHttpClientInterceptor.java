package dev.jmesh.instrumentation.jdkhttpclient;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Exchange;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.OutgoingHeaders;
import dev.jmesh.bootstrap.jdkhttpclient.HttpClientBridge;
import dev.jmesh.instrumentation.Http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;

/**
 * Runs {@code java.net.http.HttpClient} calls through the mesh. The advice in {@link JdkHttpClientModule}
 * hands every {@code send}/{@code sendAsync} of the JDK's client here (through {@link HttpClientBridge});
 * each attempt the engine asks for is a real call on the application's own client (same executor,
 * proxy, TLS, authenticator, cookie handler, redirect and version settings), made while
 * {@link CallDepth} tells the advice to let it through.
 *
 * <p>An attempt sends a copy of the application's request whose URI names the endpoint the mesh chose
 * (same scheme, path and query), with the same method, body publisher, headers, expect-continue flag
 * and version, and the tighter of the application's own request timeout and the mesh's per-try timeout.
 * When the mesh keeps the application's address and adds no timeout, the application's request object
 * itself is sent.
 *
 * <p>The application's {@code HttpRequest.timeout()} bounds the whole logical call, retries and back-off included:
 * the engine ends the call at the tighter of it and the service's {@code timeout}, and each attempt gets at most
 * what is left; running out surfaces as {@code HttpTimeoutException}, as without the mesh.
 *
 * <p>{@code sendAsync} returns a future that the application may cancel as the client's own: {@code cancel(true)}
 * aborts the attempt in flight (the JDK client aborts an exchange whose future is cancelled that way), and with
 * either argument no further attempt starts; a response that arrives anyway is released.
 *
 * <p>Differences from calling the client directly, all deliberate or unavoidable:
 * <ul>
 *   <li>the {@code HttpResponse} of a routed call reports the attempt's request and URI (the endpoint's
 *       address), not the application's; the upstream sees the endpoint's address in {@code Host},
 *       because the JDK forbids setting that header;</li>
 *   <li>a request header the JDK's builder rejects (it can only come from an application-defined
 *       {@code HttpRequest}) is not copied;</li>
 *   <li>a body handler that feeds one shared consumer or subscriber ({@code fromSubscriber},
 *       {@code ofByteArrayConsumer}, ...) also sees the bodies of responses the mesh retried, and a push
 *       promise handler sees the promises of every attempt.</li>
 * </ul>
 */
final class JdkHttpClientInterceptor implements HttpClientBridge.Interceptor {

    /** Connects the bridge to a new interceptor. Only called on Java 11+, where java.net.http exists. */
    static void install() {
        HttpClientBridge.register(new JdkHttpClientInterceptor());
    }

    @Override
    public Object send(Object client, Object request, Object bodyHandler) throws Exception {
        Blocking exchange;
        OutboundCall call;
        try {
            exchange = new Blocking((HttpClient) client, (HttpRequest) request, handler(bodyHandler));
            call = describe(exchange.request);
        } catch (RuntimeException e) {
            declined(e);
            return null;
        }
        if (call == null) {
            return null;
        }
        try {
            return Mesh.call(call, exchange);
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // HttpClient.send declares only these two; never surprise the application with another.
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public Object sendAsync(Object client, Object request, Object bodyHandler, Object pushPromiseHandler) {
        Async exchange;
        OutboundCall call;
        try {
            exchange = new Async((HttpClient) client, (HttpRequest) request, handler(bodyHandler),
                    pushPromiseHandler(pushPromiseHandler));
            call = describe(exchange.request);
        } catch (RuntimeException e) {
            declined(e);
            return null;
        }
        if (call == null) {
            return null;
        }
        CompletableFuture<HttpResponse<Object>> meshed = Mesh.callAsync(call, exchange);
        AppFuture app = new AppFuture(exchange);
        meshed.whenComplete((response, failure) -> {
            if (failure != null) {
                app.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
            } else if (!app.complete(response)) {
                exchange.discard(response); // the application cancelled: nobody will read it
            }
        });
        return app;
    }

    private static void declined(Throwable cause) {
        AgentLog.warnOnce("jdk-http-client-describe:" + cause.getClass().getName(),
                "could not run an HttpClient call through the mesh (" + cause + "); such calls pass through untouched");
    }

    @SuppressWarnings("unchecked")
    private static HttpResponse.BodyHandler<Object> handler(Object bodyHandler) {
        return (HttpResponse.BodyHandler<Object>) bodyHandler;
    }

    @SuppressWarnings("unchecked")
    private static HttpResponse.PushPromiseHandler<Object> pushPromiseHandler(Object pushPromiseHandler) {
        return (HttpResponse.PushPromiseHandler<Object>) pushPromiseHandler;
    }

    /** The mesh's view of {@code request}, or null when there is no host to route (the JDK will refuse it). */
    static OutboundCall describe(HttpRequest request) {
        URI uri = request.uri();
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (scheme == null || host == null) {
            return null;
        }
        HttpHeaders headers = request.headers();
        return new OutboundCall("http", scheme.toLowerCase(Locale.ROOT), host, uri.getPort(), request.method(),
                Http.pathOf(uri.getRawPath()), replayable(request), name -> headers.firstValue(name).orElse(null))
                .withQuery(uri.getRawQuery())
                .withBodyBytes(bodyBytes(request))
                .withTimeoutMillis(request.timeout().map(JdkHttpClientInterceptor::millis).orElse(0L));
    }

    /** At least 1 ms for a positive duration (the JDK accepts any positive timeout). */
    private static long millis(Duration d) {
        return Math.max(1, d.toMillis());
    }

    /**
     * No body, or a body of known size: the JDK's publishers of known length (strings, byte arrays, files) can be
     * subscribed again; {@code ofInputStream} and other streams report -1 and are sent at most once.
     */
    static boolean replayable(HttpRequest request) {
        return bodyBytes(request) >= 0;
    }

    /** The body size the engine compares with {@code retry.maxReplayBodyBytes}; see {@link Http#bodyBytes}. */
    static long bodyBytes(HttpRequest request) {
        Optional<HttpRequest.BodyPublisher> body = request.bodyPublisher();
        if (!body.isPresent()) {
            return 0;
        }
        long length = body.get().contentLength();
        return Http.bodyBytes(true, length >= 0, length);
    }

    /**
     * The request one attempt sends: {@code original} aimed at {@code host:port} ({@code port} -1 = the
     * scheme's default) with the tighter of both timeouts and the headers the engine adds to this
     * attempt ({@link OutgoingHeaders}); {@code original} itself when nothing changes.
     */
    static HttpRequest requestFor(HttpRequest original, String host, int port, int meshTimeoutMillis) {
        URI uri = original.uri();
        Optional<Duration> ownTimeout = original.timeout();
        Duration timeout = tighterTimeout(ownTimeout.orElse(null), meshTimeoutMillis);
        boolean sameTarget = host.equalsIgnoreCase(uri.getHost()) && port == uri.getPort();
        final Map<String, String> added = new LinkedHashMap<String, String>();
        OutgoingHeaders.addTo(added::put);
        if (sameTarget && added.isEmpty()
                && (timeout == null ? !ownTimeout.isPresent() : timeout.equals(ownTimeout.orElse(null)))) {
            return original;
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(sameTarget ? uri : retarget(uri, host, port));
        Optional<HttpRequest.BodyPublisher> body = original.bodyPublisher();
        String method = original.method();
        if (body.isPresent()) {
            builder.method(method, body.get());
        } else if ("GET".equals(method)) {
            builder.GET();
        } else if ("DELETE".equals(method)) {
            builder.DELETE();
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        for (Map.Entry<String, List<String>> header : original.headers().map().entrySet()) {
            if (added.containsKey(header.getKey().toLowerCase(Locale.ROOT))) {
                continue; // the engine's value replaces the application's
            }
            for (String value : header.getValue()) {
                try {
                    builder.header(header.getKey(), value);
                } catch (IllegalArgumentException restricted) {
                    break; // e.g. Host, Connection, Content-Length, Expect, Upgrade: the JDK sets those itself
                }
            }
        }
        for (Map.Entry<String, String> header : added.entrySet()) {
            builder.header(header.getKey(), header.getValue());
        }
        builder.expectContinue(original.expectContinue());
        Optional<HttpClient.Version> version = original.version();
        if (version.isPresent()) {
            builder.version(version.get());
        }
        if (timeout != null) {
            builder.timeout(timeout);
        }
        return builder.build();
    }

    /** The smaller of the application's timeout (null = none) and the mesh's (0 = none). */
    static Duration tighterTimeout(Duration own, int meshMillis) {
        if (meshMillis <= 0) {
            return own;
        }
        Duration mesh = Duration.ofMillis(meshMillis);
        return own == null || mesh.compareTo(own) < 0 ? mesh : own;
    }

    /** {@code uri} with its authority replaced by {@code host:port}; path and query stay raw (as encoded). */
    static URI retarget(URI uri, String host, int port) {
        StringBuilder target = new StringBuilder(uri.getScheme()).append("://");
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            target.append('[').append(host).append(']'); // IPv6 literal
        } else {
            target.append(host);
        }
        if (port >= 0) {
            target.append(':').append(port);
        }
        String path = uri.getRawPath();
        if (path != null) {
            target.append(path);
        }
        if (uri.getRawQuery() != null) {
            target.append('?').append(uri.getRawQuery());
        }
        return URI.create(target.toString());
    }

    /** What both kinds of exchange share: the application's call and how to read and release responses. */
    private abstract static class Attempts implements Exchange<HttpResponse<Object>> {
        final HttpClient client;
        final HttpRequest request;
        final HttpResponse.BodyHandler<Object> bodyHandler;

        Attempts(HttpClient client, HttpRequest request, HttpResponse.BodyHandler<Object> bodyHandler) {
            if (client == null || request == null || bodyHandler == null) {
                throw new NullPointerException("client, request and body handler are required");
            }
            this.client = client;
            this.request = request;
            this.bodyHandler = bodyHandler;
        }

        @Override
        public int statusOf(HttpResponse<Object> response) {
            return response.statusCode();
        }

        @Override
        public String headerOf(HttpResponse<Object> response, String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        /**
         * Releases a response a retry replaces. Bodies the handler already read into memory (String,
         * byte[], a file) need nothing; streams are closed, and a publisher is cancelled, which frees
         * the connection.
         */
        @Override
        public void discard(HttpResponse<Object> response) {
            Object body = response.body();
            if (body instanceof AutoCloseable) { // InputStream, Stream<String>, any Closeable
                try {
                    ((AutoCloseable) body).close();
                } catch (Exception ignored) {
                    // nothing left to release
                }
            } else if (body instanceof Flow.Publisher) {
                ((Flow.Publisher<?>) body).subscribe(CancellingSubscriber.INSTANCE);
            }
        }

        @Override
        public Exception timeoutException(String message) {
            return new HttpTimeoutException(message);
        }

        @Override
        public Exception rejectedException(String message) {
            return new IOException(message);
        }
    }

    private static final class Blocking extends Attempts implements BlockingExchange<HttpResponse<Object>> {

        Blocking(HttpClient client, HttpRequest request, HttpResponse.BodyHandler<Object> bodyHandler) {
            super(client, request, bodyHandler);
        }

        @Override
        public HttpResponse<Object> attempt(String host, int port, int timeoutMillis)
                throws IOException, InterruptedException {
            HttpRequest target = requestFor(request, host, port, timeoutMillis);
            CallDepth.enter();
            try {
                return client.send(target, bodyHandler);
            } finally {
                CallDepth.exit();
            }
        }
    }

    private static final class Async extends Attempts implements AsyncExchange<HttpResponse<Object>> {
        private final HttpResponse.PushPromiseHandler<Object> pushPromiseHandler;
        private volatile boolean cancelled;
        private volatile boolean interrupt;
        private volatile CompletableFuture<HttpResponse<Object>> inFlight;

        Async(HttpClient client, HttpRequest request, HttpResponse.BodyHandler<Object> bodyHandler,
              HttpResponse.PushPromiseHandler<Object> pushPromiseHandler) {
            super(client, request, bodyHandler);
            this.pushPromiseHandler = pushPromiseHandler;
        }

        @Override
        public CompletableFuture<HttpResponse<Object>> attempt(String host, int port, int timeoutMillis) {
            if (cancelled) {
                CompletableFuture<HttpResponse<Object>> refused = new CompletableFuture<HttpResponse<Object>>();
                refused.completeExceptionally(new CancellationException("the application cancelled the call"));
                return refused;
            }
            HttpRequest target = requestFor(request, host, port, timeoutMillis);
            CompletableFuture<HttpResponse<Object>> started;
            // Only starting the attempt is nested; the exchange itself runs on the client's executor.
            CallDepth.enter();
            try {
                started = pushPromiseHandler == null
                        ? client.sendAsync(target, bodyHandler)
                        : client.sendAsync(target, bodyHandler, pushPromiseHandler);
            } finally {
                CallDepth.exit();
            }
            inFlight = started;
            if (cancelled && interrupt) {
                started.cancel(true); // the application cancelled while this attempt was being started
            }
            return started;
        }

        /** The application cancelled its future: no attempt starts from now on; {@code interrupt} aborts this one. */
        void cancel(boolean interrupt) {
            this.interrupt = interrupt;
            cancelled = true;
            CompletableFuture<HttpResponse<Object>> current = inFlight;
            if (interrupt && current != null) {
                current.cancel(true);
            }
        }
    }

    /**
     * The future {@code sendAsync} returns to the application: completed with the mesh's outcome, and cancellable
     * as the client's own. Dependent stages are plain futures, as the client's are.
     */
    private static final class AppFuture extends CompletableFuture<HttpResponse<Object>> {
        private final Async exchange;

        AppFuture(Async exchange) {
            this.exchange = exchange;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                exchange.cancel(mayInterruptIfRunning);
            }
            return cancelled;
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<U>();
        }
    }

    /** Cancels a discarded response's body publisher so that its connection is released. */
    private static final class CancellingSubscriber implements Flow.Subscriber<Object> {
        static final CancellingSubscriber INSTANCE = new CancellingSubscriber();

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.cancel();
        }

        @Override
        public void onNext(Object item) {
        }

        @Override
        public void onError(Throwable throwable) {
        }

        @Override
        public void onComplete() {
        }
    }
}
