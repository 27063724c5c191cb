package dev.jmesh.instrumentation.okhttp;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.OutgoingHeaders;
import dev.jmesh.bootstrap.okhttp.OkHttpBridge;
import dev.jmesh.instrumentation.Http;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.reflect.Method;
import java.net.SocketTimeoutException;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs OkHttp calls through the mesh. {@link OkHttpModule} makes every {@code OkHttpClient} carry one
 * instance of this class as its LAST application interceptor, so each logical call, synchronous
 * ({@code Call.execute()}) or asynchronous ({@code Call.enqueue(Callback)}, on OkHttp's dispatcher thread),
 * passes here exactly once, after the application's own interceptors and before OkHttp's internals
 * (redirects and its own connection-failure retries, cookies, cache, connection, network interceptors).
 *
 * <p>Each attempt the engine asks for is one {@code chain.proceed(request)} with the application's request
 * aimed at the endpoint the mesh chose (same scheme, path, query, method, headers, body and tags), made while
 * {@link CallDepth} tells nested instrumented calls to pass through. When the mesh sets a per-try timeout,
 * the attempt's connect, read and write timeouts are the tighter of the client's own and the mesh's
 * ({@code Chain.withReadTimeout} and friends), so a slow upstream fails with OkHttp's own
 * {@code SocketTimeoutException}. The application's call object, its callback (called exactly once, by
 * OkHttp), {@code cancel()}, call timeout and event listener all stay OkHttp's own.
 *
 * <p>Differences from calling OkHttp directly, all deliberate or unavoidable:
 * <ul>
 *   <li>the upstream sees the endpoint's {@code host:port} in {@code Host} (unless the application set that
 *       header itself); cookies and cache entries of a routed call are those of the endpoint's address;</li>
 *   <li>{@code response.request()} is the application's own request when no redirect happened; after a
 *       redirect it is the redirected request, as OkHttp reports it;</li>
 *   <li>an OkHttp {@code Authenticator}, {@code Dns} or network interceptor that itself calls an instrumented
 *       client during an attempt is not a separate logical call (it passes through);</li>
 *   <li>a request body is replayed on a retry only when OkHttp itself would replay it (not one-shot, not
 *       duplex) and its length is known and at most the retry's {@code maxReplayBodyBytes}; nothing is
 *       buffered.</li>
 * </ul>
 *
 * <p>Needs OkHttp 3.9 or newer (per-chain timeouts and {@code Chain.call()}); an older OkHttp's clients
 * get no interceptor, the agent says so once, and their calls pass through untouched.
 */
public final class MeshInterceptor implements Interceptor, OkHttpBridge.Interceptor {
    private static final String NAME = MeshInterceptor.class.getName();

    /** Whether this OkHttp has what the mesh needs: per-chain timeouts and {@code Chain.call()} (3.9+). */
    private final boolean supported;
    /** {@code RequestBody.isOneShot()} and {@code isDuplex()}, OkHttp 3.14+; null before. */
    private final Method isOneShot;
    private final Method isDuplex;

    public MeshInterceptor() {
        supported = optionalMethod(Interceptor.Chain.class, "withReadTimeout", int.class, TimeUnit.class) != null
                && optionalMethod(Interceptor.Chain.class, "call") != null;
        isOneShot = optionalMethod(RequestBody.class, "isOneShot");
        isDuplex = optionalMethod(RequestBody.class, "isDuplex");
    }

    private static Method optionalMethod(Class<?> type, String name, Class<?>... parameters) {
        try {
            return type.getMethod(name, parameters);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** Whether {@code interceptor} is a mesh interceptor, from whichever helper loader. */
    static boolean isMesh(Object interceptor) {
        return interceptor != null && interceptor.getClass().getName().equals(NAME);
    }

    @Override
    public void clientBuilding(Object builder) {
        if (!supported) {
            AgentLog.warnOnce("okhttp-unsupported:" + System.identityHashCode(Interceptor.class),
                    "an OkHttp older than 3.9 is not supported (it lacks per-call timeouts); its calls pass through"
                            + " the mesh untouched");
            return;
        }
        List<Interceptor> interceptors = ((OkHttpClient.Builder) builder).interceptors();
        // A builder from newBuilder() already holds the mesh (copied from its client), possibly followed by
        // interceptors the application added since: keep one, and keep it behind all of the application's.
        for (Iterator<Interceptor> it = interceptors.iterator(); it.hasNext(); ) {
            if (isMesh(it.next())) {
                it.remove();
            }
        }
        interceptors.add(this);
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        if (CallDepth.nested() || OkHttpBridge.enqueuedNested(chain.call())) {
            return chain.proceed(request); // an attempt of the mesh or of an outer instrumented client
        }
        OutboundCall call;
        try {
            // An enqueued call runs here on OkHttp's dispatcher thread: its caller was captured at enqueue.
            call = describe(request).withCaller(OkHttpBridge.callerOf(chain.call()));
        } catch (RuntimeException e) {
            AgentLog.warnOnce("okhttp-describe:" + e.getClass().getName(),
                    "could not run an OkHttp call through the mesh (" + e + "); such calls pass through untouched");
            return chain.proceed(request);
        }
        try {
            return Mesh.call(call, new Attempts(chain, request));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException("interrupted");
            interrupted.initCause(e);
            throw interrupted;
        } catch (Exception e) {
            // Interceptor.intercept declares only IOException; never surprise the application with another.
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The mesh's view of {@code request}; the port is -1 when it is the scheme's default. */
    OutboundCall describe(Request request) {
        HttpUrl url = request.url();
        String scheme = url.scheme();
        int port = url.port() == HttpUrl.defaultPort(scheme) ? -1 : url.port();
        return new OutboundCall("http", scheme, url.host(), port, request.method(), Http.pathOf(url.encodedPath()),
                replayable(request), request::header).withQuery(url.encodedQuery()).withBodyBytes(bodyBytes(request));
    }

    /**
     * No body, or a body OkHttp itself would send again (its own retries and redirects do: not one-shot, not
     * duplex) of known length. A body of unknown length is typically streamed from a source that can be read
     * once.
     */
    boolean replayable(Request request) {
        RequestBody body = request.body();
        return body == null || bodyBytes(request) >= 0;
    }

    /** The body size the engine compares with {@code retry.maxReplayBodyBytes}; see {@link Http#bodyBytes}. */
    long bodyBytes(Request request) {
        RequestBody body = request.body();
        if (body == null) {
            return 0;
        }
        boolean repeatable = !flag(isOneShot, body) && !flag(isDuplex, body);
        try {
            return Http.bodyBytes(true, repeatable, body.contentLength());
        } catch (IOException e) {
            return -1;
        }
    }

    private static boolean flag(Method method, RequestBody body) {
        if (method == null) {
            return false;
        }
        try {
            return Boolean.TRUE.equals(method.invoke(body));
        } catch (Exception e) {
            return true; // cannot tell: treat as not replayable
        }
    }

    /**
     * The request one attempt sends: {@code original} aimed at {@code host:port} ({@code port} -1 = the
     * scheme's default) with the headers the engine adds to this attempt ({@link OutgoingHeaders});
     * {@code original} itself when nothing changes.
     */
    static Request requestFor(Request original, String host, int port) {
        HttpUrl url = original.url();
        int targetPort = port < 0 ? HttpUrl.defaultPort(url.scheme()) : port;
        final Request.Builder[] copy = new Request.Builder[1];
        OutgoingHeaders.addTo((name, value) -> {
            if (copy[0] == null) {
                copy[0] = original.newBuilder();
            }
            copy[0].header(name, value);
        });
        if (host.equalsIgnoreCase(url.host()) && targetPort == url.port()) {
            return copy[0] == null ? original : copy[0].build();
        }
        HttpUrl target = url.newBuilder().host(host).port(targetPort).build();
        return (copy[0] == null ? original.newBuilder() : copy[0]).url(target).build();
    }

    /** One logical call: each attempt proceeds down the application's chain. */
    private static final class Attempts implements BlockingExchange<Response> {
        private final Chain chain;
        private final Request request;

        Attempts(Chain chain, Request request) {
            this.chain = chain;
            this.request = request;
        }

        @Override
        public Response attempt(String host, int port, int timeoutMillis) throws IOException {
            Request target = requestFor(request, host, port);
            Chain attemptChain = chain;
            if (timeoutMillis > 0) {
                attemptChain = chain
                        .withConnectTimeout(Http.tighterTimeout(chain.connectTimeoutMillis(), timeoutMillis),
                                TimeUnit.MILLISECONDS)
                        .withReadTimeout(Http.tighterTimeout(chain.readTimeoutMillis(), timeoutMillis),
                                TimeUnit.MILLISECONDS)
                        .withWriteTimeout(Http.tighterTimeout(chain.writeTimeoutMillis(), timeoutMillis),
                                TimeUnit.MILLISECONDS);
            }
            Response response;
            CallDepth.enter();
            try {
                response = attemptChain.proceed(target);
            } catch (IOException e) {
                throw e instanceof InterruptedIOException || !chain.call().isCanceled() ? e : cancelled(e);
            } finally {
                CallDepth.exit();
            }
            if (target != request && response.request().url().equals(target.url())) {
                // No redirect: let the application see the request it made, not the endpoint's address.
                response = response.newBuilder().request(request).build();
            }
            return response;
        }

        /**
         * The failure of an attempt the application cancelled ({@code Call.cancel()}; what OkHttp throws then
         * depends on where the call was, e.g. "Socket closed"): "Canceled", with that failure as its cause, as an
         * {@code InterruptedIOException} (OkHttp's own type for a call it stops), which tells the engine that the
         * application stopped the call: no retry, and no failure counted against the endpoint.
         */
        private static InterruptedIOException cancelled(IOException e) {
            InterruptedIOException stopped = new InterruptedIOException("Canceled"); // OkHttp's word for it
            stopped.initCause(e);
            return stopped;
        }

        @Override
        public int statusOf(Response response) {
            return response.code();
        }

        @Override
        public String headerOf(Response response, String name) {
            return response.header(name);
        }

        /** Closing the body lets OkHttp drain it (briefly) and return the connection to its pool. */
        @Override
        public void discard(Response response) {
            if (response.body() != null) {
                response.close();
            }
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
}
