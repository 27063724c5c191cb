package dev.jmesh.instrumentation.apachehttpclient5;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.OutgoingHeaders;
import dev.jmesh.bootstrap.apachehttpclient5.ApacheHttpClient5Bridge;
import dev.jmesh.instrumentation.Http;
import org.apache.hc.client5.http.async.methods.SimpleBody;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.concurrent.BasicFuture;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.net.URIAuthority;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;

/**
 * Runs Apache HttpClient 5 async calls made with a {@code SimpleHttpRequest} through the mesh:
 * {@code CloseableHttpAsyncClient.execute(SimpleHttpRequest, [HttpContext,] FutureCallback)}, the buffered
 * request/response pair the library offers (a {@code SimpleHttpResponse} holds the whole body). Because both
 * sides are in memory, every attempt is a complete exchange whose response the engine can look at, retry or
 * discard before the application hears of it: routing, retries, per-try timeouts and the retry's body limit
 * apply as for the classic API.
 *
 * <p>Each attempt is a copy of the application's request aimed at the chosen endpoint (same method, scheme, path
 * and query, headers, body, protocol version; the engine's trace headers; the request's own config, else the
 * context's, with its timeouts tightened to the per-try timeout), executed on the application's own client and
 * context with a fresh {@code SimpleResponseConsumer}. A timed-out attempt fails with the library's own
 * {@code SocketTimeoutException}.
 *
 * <p>The application gets a {@code Future} completed with the response the mesh settled on, or the failure;
 * its {@code FutureCallback} is called exactly once (the library's {@code BasicFuture} guarantees it). Cancelling
 * that future cancels the attempt in flight and starts no other.
 *
 * <p>Not covered: calls made with an arbitrary {@code AsyncRequestProducer}/{@code AsyncResponseConsumer} pair
 * (streamed request or response bodies) pass through untouched, without routing, policies or a log line: the
 * engine cannot look at or replay a streamed exchange before the application's consumer has seen it.
 */
public final class SimpleAsyncInterceptor implements ApacheHttpClient5Bridge.AsyncInterceptor {

    public SimpleAsyncInterceptor() {
    }

    @Override
    public Object executeSimple(Object client, Object request, Object context, Object callback) {
        SimpleAttempts exchange;
        OutboundCall call;
        try {
            SimpleHttpRequest simple = (SimpleHttpRequest) request;
            call = describe(simple);
            if (call == null) {
                return null;
            }
            exchange = new SimpleAttempts((CloseableHttpAsyncClient) client, simple, (HttpContext) context, call);
        } catch (RuntimeException | LinkageError e) {
            AgentLog.warnOnce("apache-httpclient-5-async-describe:" + e.getClass().getName(),
                    "could not run an Apache HttpClient 5 async call through the mesh (" + e
                            + "); such calls pass through untouched");
            return null;
        }
        @SuppressWarnings("unchecked")
        AppFuture app = new AppFuture((FutureCallback<SimpleHttpResponse>) callback, exchange);
        Mesh.callAsync(call, exchange).whenComplete((response, failure) -> {
            if (failure == null) {
                app.completed(response); // false when the application cancelled: the buffered response needs nothing
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof CancellationException) {
                app.cancel();
            } else {
                app.failed(cause instanceof Exception ? (Exception) cause : new IOException(cause));
            }
        });
        return app;
    }

    /** The mesh's view of the request: scheme and authority as the library resolves the target from them. */
    static OutboundCall describe(SimpleHttpRequest request) {
        URIAuthority authority = request.getAuthority();
        if (authority == null || authority.getHostName() == null || authority.getHostName().isEmpty()) {
            return null;
        }
        String scheme = request.getScheme() != null ? request.getScheme() : "http";
        SimpleBody body = request.getBody();
        byte[] bytes = body == null ? null : body.getBodyBytes();
        long bodyBytes = body == null ? 0 : bytes != null ? bytes.length : body.getBodyText().length();
        return new OutboundCall("http", scheme.toLowerCase(Locale.ROOT), authority.getHostName(), authority.getPort(),
                request.getMethod(), Http.pathOf(request.getPath()), true, name -> {
                    Header header = request.getFirstHeader(name);
                    return header == null ? null : header.getValue();
                }).withQuery(Http.queryOf(request.getPath())).withBodyBytes(bodyBytes);
    }

    /** The copy one attempt sends: {@code original} aimed at {@code host:port}, with the engine's headers. */
    static SimpleHttpRequest requestFor(SimpleHttpRequest original, HttpContext context, String host, int port,
                                        int timeoutMillis) {
        String scheme = original.getScheme() != null ? original.getScheme() : "http";
        SimpleHttpRequest copy = new SimpleHttpRequest(original.getMethod(), new HttpHost(scheme, host, port),
                original.getPath());
        copy.setVersion(original.getVersion());
        for (Header header : original.getHeaders()) {
            copy.addHeader(header);
        }
        OutgoingHeaders.addTo(copy::setHeader);
        SimpleBody body = original.getBody();
        if (body != null) {
            copy.setBody(body);
        }
        RequestConfig own = original.getConfig() != null ? original.getConfig()
                : ApacheHttpClient5Interceptor.contextConfig(context);
        if (timeoutMillis > 0) {
            copy.setConfig(ApacheHttpClient5Interceptor.withTimeout(own, timeoutMillis));
        } else if (own != null) {
            copy.setConfig(own);
        }
        return copy;
    }

    /**
     * The explicit route of an https attempt to an endpoint given as an address (that address under the service's
     * name, see {@link ApacheHttpClient5Interceptor#attemptTarget}), else null: the request's authority decides.
     */
    static HttpHost routeOf(OutboundCall call, String host, int port) {
        String hostName = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        HttpHost target = ApacheHttpClient5Interceptor.attemptTarget(call, hostName, port);
        return target.getAddress() != null ? target : null;
    }

    /** One logical call: every attempt a complete buffered exchange on the application's client and context. */
    static final class SimpleAttempts implements AsyncExchange<SimpleHttpResponse> {
        private final CloseableHttpAsyncClient client;
        private final SimpleHttpRequest request;
        private final HttpContext context;
        private final OutboundCall call;
        private volatile boolean cancelled;
        private volatile Future<SimpleHttpResponse> inFlight;

        SimpleAttempts(CloseableHttpAsyncClient client, SimpleHttpRequest request, HttpContext context,
                       OutboundCall call) {
            this.client = client;
            this.request = request;
            this.context = context;
            this.call = call;
        }

        @Override
        public CompletableFuture<SimpleHttpResponse> attempt(String host, int port, int timeoutMillis) {
            final CompletableFuture<SimpleHttpResponse> done = new CompletableFuture<SimpleHttpResponse>();
            if (cancelled) {
                done.completeExceptionally(new CancellationException("the application cancelled the call"));
                return done;
            }
            HttpHost route = routeOf(call, host, port);
            // Under the service's name when TLS is about it (5.4+ take the TLS name from the request's authority).
            SimpleHttpRequest target = requestFor(request, context, route != null ? call.host() : host, port,
                    timeoutMillis);
            CallDepth.enter();
            try {
                // route null: the library routes by the request's authority (the endpoint)
                inFlight = client.execute(route, SimpleRequestProducer.create(target), SimpleResponseConsumer.create(),
                        null, context, new FutureCallback<SimpleHttpResponse>() {
                            @Override
                            public void completed(SimpleHttpResponse response) {
                                done.complete(response);
                            }

                            @Override
                            public void failed(Exception e) {
                                done.completeExceptionally(e);
                            }

                            @Override
                            public void cancelled() {
                                done.completeExceptionally(new CancellationException("the attempt was cancelled"));
                            }
                        });
            } catch (RuntimeException e) {
                done.completeExceptionally(e); // e.g. the client is not started or already closed
            } finally {
                CallDepth.exit();
            }
            if (cancelled) {
                inFlight.cancel(true); // the application cancelled while this attempt was being started
            }
            return done;
        }

        void cancel() {
            cancelled = true;
            Future<SimpleHttpResponse> current = inFlight;
            if (current != null) {
                current.cancel(true);
            }
        }

        @Override
        public int statusOf(SimpleHttpResponse response) {
            return response.getCode();
        }

        @Override
        public String headerOf(SimpleHttpResponse response, String name) {
            Header header = response.getFirstHeader(name);
            return header == null ? null : header.getValue();
        }

        /** The body is in memory and the connection already released: nothing to do. */
        @Override
        public void discard(SimpleHttpResponse response) {
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

    /** The future the application gets; its callback runs once; cancelling it cancels the attempt in flight. */
    private static final class AppFuture extends BasicFuture<SimpleHttpResponse> {
        private final SimpleAttempts exchange;

        AppFuture(FutureCallback<SimpleHttpResponse> callback, SimpleAttempts exchange) {
            super(callback);
            this.exchange = exchange;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                exchange.cancel();
            }
            return cancelled;
        }
    }
}
