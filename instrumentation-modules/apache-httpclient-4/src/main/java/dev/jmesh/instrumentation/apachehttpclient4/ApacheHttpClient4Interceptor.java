package dev.jmesh.instrumentation.apachehttpclient4;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.OutgoingHeaders;
import dev.jmesh.bootstrap.apachehttpclient4.ApacheHttpClient4Bridge;
import dev.jmesh.instrumentation.Http;
import org.apache.http.HttpEntity;
import org.apache.http.HttpEntityEnclosingRequest;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.StatusLine;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.Configurable;
import org.apache.http.client.methods.HttpExecutionAware;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.client.methods.HttpUriRequest;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.concurrent.Cancellable;
import org.apache.http.impl.client.AbstractHttpClient;
import org.apache.http.impl.client.ClientParamsStack;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.params.BasicHttpParams;
import org.apache.http.params.DefaultedHttpParams;
import org.apache.http.params.HttpConnectionParams;
import org.apache.http.params.HttpParams;
import org.apache.http.params.HttpParamsNames;
import org.apache.http.message.BasicHeader;
import org.apache.http.protocol.HttpContext;
import org.apache.http.util.EntityUtils;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.reflect.Field;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.List;
import java.util.ArrayList;

/**
 * Runs Apache HttpClient 4 calls through the mesh. The advice in {@link ApacheHttpClient4Module} hands
 * every {@code doExecute(HttpHost, HttpRequest, HttpContext)} here; each attempt the engine asks for is a
 * real call on the application's own client (same connection pool, TLS, proxy, cookies, credentials,
 * interceptors, redirect and retry handlers) with the application's own context, made through the public
 * {@code execute(HttpHost, HttpRequest, HttpContext)} while {@link CallDepth} lets the advice pass it
 * through.
 *
 * <p>This class is defined next to the library by the agent (one copy per library class loader), so it
 * uses the library's API directly but never the agent, Byte Buddy or the module class.
 *
 * <p>One attempt sends the application's request to the endpoint {@code host:port} the mesh chose: the
 * target {@code HttpHost} names the endpoint (same scheme) and an absolute request URI is rewritten to it
 * (same user info, path and query), so that the library's route, {@code Host} header and any forward proxy
 * all address the endpoint. Method, protocol version, headers, parameters and body stay the application's.
 * The attempt's timeout is the tighter of the application's own and the mesh's, applied to the connect and
 * the socket (read) timeout, which the library enforces itself: a connect timeout fails with the library's
 * {@code org.apache.http.conn.ConnectTimeoutException}, a read timeout with
 * {@code java.net.SocketTimeoutException}. The application's own timeout is what the library would use:
 * <ul>
 *   <li>{@code HttpClientBuilder} clients: the request's {@code RequestConfig}, else its (legacy)
 *       parameters, else the context's {@code RequestConfig}, else the client's default;</li>
 *   <li>{@code HttpClients.createMinimal()}: the request's, else the context's {@code RequestConfig};</li>
 *   <li>{@code DefaultHttpClient} and the other deprecated {@code AbstractHttpClient}s: the request's
 *       parameters over the client's.</li>
 * </ul>
 * When the mesh keeps the application's address and adds no tighter timeout, the application's request
 * object itself is sent, so a call the mesh merely observes is untouched.
 *
 * <p>Differences from calling the client directly, all deliberate or unavoidable:
 * <ul>
 *   <li>the upstream sees the endpoint in {@code Host}, and cookies, authentication scopes and the
 *       context's target host are those of the endpoint (as with the JDK clients): keeping the service
 *       name there would make the library resolve relative redirects, and any proxy request, against
 *       the service name instead of the endpoint;</li>
 *   <li>the library's own redirect following, retry handler and {@code ServiceUnavailableRetryStrategy}
 *       run inside one mesh attempt; a redirect to another host is followed by the library directly;</li>
 *   <li>the per-try timeout bounds connect and each read, not the wait for a pooled connection;</li>
 *   <li>for a request the mesh copied, the context then holds the copy ({@code http.request}), and
 *       {@code abort()} / {@code releaseConnection()} on the application's request act on the copy;</li>
 *   <li>a client whose default timeouts live in a connection manager's {@code SocketConfig} (rather than
 *       a {@code RequestConfig}) gets the mesh's timeout even where that socket timeout was tighter.</li>
 * </ul>
 */
@SuppressWarnings("deprecation") // AbstractHttpClient and HttpParams: deprecated in 4.3, still used by applications
public final class ApacheHttpClient4Interceptor implements ApacheHttpClient4Bridge.Interceptor {
    private static final String MINIMAL_HTTP_CLIENT = "org.apache.http.impl.client.MinimalHttpClient";

    /** {@code InternalHttpClient.defaultConfig}, for 4.3.x releases where the client is not yet {@code Configurable}. */
    private static volatile Field defaultConfigField;

    /** Created by the agent's helper factory, once per library class loader. */
    public ApacheHttpClient4Interceptor() {
    }

    @Override
    public Object execute(Object client, Object target, Object request, Object context) throws Exception {
        Attempts exchange;
        OutboundCall call;
        try {
            if (!(client instanceof CloseableHttpClient) || !(target instanceof HttpHost)
                    || !(request instanceof HttpRequest) || (context != null && !(context instanceof HttpContext))) {
                // No target host: the client's route planner may know a default one; leave it to the library.
                return null;
            }
            exchange = new Attempts((CloseableHttpClient) client, (HttpHost) target, (HttpRequest) request,
                    (HttpContext) context);
            call = exchange.describe();
        } catch (RuntimeException e) {
            declined(e);
            return null;
        }
        if (call == null) {
            return null;
        }
        try {
            return Mesh.call(call, exchange);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException(e.getMessage());
            interrupted.initCause(e);
            throw interrupted;
        } catch (Exception e) {
            // execute declares only IOException (and its ClientProtocolException); never surprise the application.
            throw new IOException(e.getMessage(), e);
        }
    }

    private static void declined(Throwable cause) {
        AgentLog.warnOnce("apache-httpclient-4-describe:" + cause.getClass().getName(),
                "could not run an Apache HttpClient call through the mesh (" + cause
                        + "); such calls pass through untouched");
    }

    /** The request's entity, or null. */
    private static HttpEntity entityOf(HttpRequest request) {
        return request instanceof HttpEntityEnclosingRequest ? ((HttpEntityEnclosingRequest) request).getEntity() : null;
    }

    /**
     * Whether the library can send the request again: no body, or a repeatable entity (in memory, a file). A
     * streamed entity is never buffered, so such a request is sent at most once.
     */
    static boolean replayable(HttpRequest request) {
        HttpEntity entity = entityOf(request);
        return entity == null || entity.isRepeatable();
    }

    /** The body size the engine compares with {@code retry.maxReplayBodyBytes}; see {@link Http#bodyBytes}. */
    static long bodyBytes(HttpRequest request) {
        HttpEntity entity = entityOf(request);
        return entity == null ? 0 : Http.bodyBytes(true, entity.isRepeatable(), entity.getContentLength());
    }

    /**
     * {@code uri} aimed at {@code host:port} ({@code port} -1 = the scheme's default), keeping scheme, user
     * info, raw path and raw query; {@code uri} itself when it is relative (the target host alone decides).
     */
    static URI retarget(URI uri, String host, int port) {
        if (uri == null || !uri.isAbsolute() || uri.isOpaque() || uri.getRawAuthority() == null) {
            return uri;
        }
        StringBuilder target = new StringBuilder(uri.getScheme()).append("://");
        if (uri.getRawUserInfo() != null) {
            target.append(uri.getRawUserInfo()).append('@');
        }
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            target.append('[').append(host).append(']'); // IPv6 literal
        } else {
            target.append(host);
        }
        if (port >= 0) {
            target.append(':').append(port);
        }
        if (uri.getRawPath() != null) {
            target.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            target.append('?').append(uri.getRawQuery());
        }
        return URI.create(target.toString());
    }

    /** Which of the library's clients runs the call; they look for the application's timeouts in different places. */
    enum Kind {
        /** {@code InternalHttpClient}, from {@code HttpClientBuilder} / {@code HttpClients}. */
        BUILT,
        /** {@code MinimalHttpClient}. */
        MINIMAL,
        /** {@code AbstractHttpClient} and its subclasses ({@code DefaultHttpClient}, ...). */
        LEGACY;

        static Kind of(CloseableHttpClient client) {
            if (client instanceof AbstractHttpClient) {
                return LEGACY;
            }
            return MINIMAL_HTTP_CLIENT.equals(client.getClass().getName()) ? MINIMAL : BUILT;
        }
    }

    /** What an attempt's copy carries instead of the application's request config or parameters. */
    static final class Settings {
        final RequestConfig config;
        final HttpParams params;

        Settings(RequestConfig config, HttpParams params) {
            this.config = config;
            this.params = params;
        }
    }

    /** The request config {@code base} with connect and socket timeouts tightened; null if nothing changes. */
    static Settings tightened(RequestConfig base, int meshMillis) {
        int socket = Http.tighterTimeout(base.getSocketTimeout(), meshMillis);
        int connect = Http.tighterTimeout(base.getConnectTimeout(), meshMillis);
        if (socket == base.getSocketTimeout() && connect == base.getConnectTimeout()) {
            return null;
        }
        return new Settings(RequestConfig.copy(base).setSocketTimeout(socket).setConnectTimeout(connect).build(), null);
    }

    /**
     * Request parameters that override {@code requestParams} with connect and socket timeouts tighter than
     * those in force ({@code effective}); null if nothing changes.
     */
    static Settings tightened(HttpParams effective, HttpParams requestParams, int meshMillis) {
        int ownSocket = HttpConnectionParams.getSoTimeout(effective);
        int ownConnect = HttpConnectionParams.getConnectionTimeout(effective);
        int socket = Http.tighterTimeout(ownSocket, meshMillis);
        int connect = Http.tighterTimeout(ownConnect, meshMillis);
        if (socket == ownSocket && connect == ownConnect) {
            return null;
        }
        HttpParams local = new BasicHttpParams();
        HttpConnectionParams.setSoTimeout(local, socket);
        HttpConnectionParams.setConnectionTimeout(local, connect);
        return new Settings(null, new DefaultedHttpParams(local, requestParams));
    }

    /** One logical call: the application's client, target, request and context, and how to make one attempt. */
    static final class Attempts implements BlockingExchange<CloseableHttpResponse> {
        private final CloseableHttpClient client;
        private final Kind kind;
        /** {@code HttpHost(InetAddress, String hostname, int port, String scheme)}, httpcore 4.4+; null before. */
        private static final java.lang.reflect.Constructor<HttpHost> HOST_WITH_ADDRESS = hostWithAddress();

        private static java.lang.reflect.Constructor<HttpHost> hostWithAddress() {
            try {
                return HttpHost.class.getConstructor(java.net.InetAddress.class, String.class, int.class, String.class);
            } catch (NoSuchMethodException | SecurityException olderThan44) {
                return null;
            }
        }

        private final HttpHost target;
        private final HttpRequest request;
        private final HttpContext context;
        private URI uri;

        Attempts(CloseableHttpClient client, HttpHost target, HttpRequest request, HttpContext context) {
            this.client = client;
            this.kind = Kind.of(client);
            this.target = target;
            this.request = request;
            this.context = context;
        }

        /** The mesh's view of the call, or null when the request URI is one the library will reject itself. */
        OutboundCall describe() {
            String method = request.getRequestLine().getMethod();
            if (request instanceof HttpUriRequest) {
                uri = ((HttpUriRequest) request).getURI();
            } else {
                try {
                    uri = URI.create(request.getRequestLine().getUri());
                } catch (IllegalArgumentException invalid) {
                    return null;
                }
            }
            String path = uri == null ? "/" : Http.pathOf(uri.getRawPath());
            return new OutboundCall("http", target.getSchemeName(), target.getHostName(), target.getPort(), method,
                    path, replayable(request), name -> {
                        Header header = request.getFirstHeader(name);
                        return header == null ? null : header.getValue();
                    }).withQuery(uri == null ? null : uri.getRawQuery()).withBodyBytes(bodyBytes(request));
        }

        /**
         * For https to an endpoint given as an IP address: that address under the service's name, so that TLS
         * (SNI, the certificate's name, the app's verifier) is about the name the application used, as for
         * {@code HttpsURLConnection}. Null otherwise, and where the library cannot do it: before 4.4 an
         * {@code HttpHost} carries no address, and the {@code DefaultHttpClient} family resolves the name itself.
         */
        @SuppressWarnings("deprecation") // AbstractHttpClient: the legacy family, told apart
        private HttpHost underServiceName(String host, int port) {
            if (!"https".equalsIgnoreCase(target.getSchemeName()) || HOST_WITH_ADDRESS == null
                    || client instanceof AbstractHttpClient) {
                return null;
            }
            java.net.InetAddress address = Http.addressLiteral(host);
            if (address == null) {
                return null;
            }
            try {
                return HOST_WITH_ADDRESS.newInstance(address, target.getHostName(), port, target.getSchemeName());
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        @Override
        public CloseableHttpResponse attempt(String host, int port, int timeoutMillis) throws IOException {
            boolean sameTarget = host.equalsIgnoreCase(target.getHostName()) && port == target.getPort();
            HttpHost routed = sameTarget ? null : underServiceName(host, port);
            HttpHost attemptTarget = sameTarget ? target
                    : routed != null ? routed : new HttpHost(host, port, target.getSchemeName());
            URI attemptUri = sameTarget ? uri : retarget(uri, routed != null ? target.getHostName() : host, port);
            Settings settings = timeoutMillis > 0 ? settingsFor(timeoutMillis) : null;
            HttpRequest attemptRequest = request;
            final List<Header> added = new ArrayList<Header>(1);
            OutgoingHeaders.addTo((name, value) -> added.add(new BasicHeader(name, value)));
            if (attemptUri != uri || settings != null || !added.isEmpty()) {
                HttpRequestBase copy = copy(attemptUri, settings);
                for (Header header : added) {
                    copy.setHeader(header); // replaces the application's header of that name, if any
                }
                attemptRequest = copy;
            }
            Object configBefore = context == null ? null : context.getAttribute(HttpClientContext.REQUEST_CONFIG);
            CallDepth.enter();
            try {
                return client.execute(attemptTarget, attemptRequest, context);
            } finally {
                CallDepth.exit();
                if (settings != null && context != null) {
                    restoreRequestConfig(configBefore);
                }
            }
        }

        /** Where the application's own timeouts are, per client kind; null when the mesh adds nothing. */
        private Settings settingsFor(int meshMillis) {
            RequestConfig own = ownConfig();
            switch (kind) {
                case LEGACY:
                    HttpParams effective = new ClientParamsStack(null, client.getParams(), request.getParams(), null);
                    return tightened(effective, request.getParams(), meshMillis);
                case MINIMAL:
                    if (own != null) {
                        return tightened(own, meshMillis);
                    }
                    RequestConfig inContext = contextConfig();
                    return tightened(inContext != null ? inContext : RequestConfig.DEFAULT, meshMillis);
                default:
                    if (own != null) {
                        return tightened(own, meshMillis);
                    }
                    HttpParams params = request.getParams();
                    if (!(params instanceof HttpParamsNames)) {
                        cannotTighten("its request parameters are a " + (params == null ? null : params.getClass().getName()));
                        return null;
                    }
                    if (!((HttpParamsNames) params).getNames().isEmpty()) {
                        return tightened(params, params, meshMillis); // the client builds its config from these
                    }
                    RequestConfig base = contextConfig();
                    if (base == null) {
                        base = clientDefault(client);
                    }
                    if (base == null) {
                        cannotTighten("its client's default request config cannot be read");
                        return null;
                    }
                    return tightened(base, meshMillis);
            }
        }

        private RequestConfig ownConfig() {
            return request instanceof Configurable ? ((Configurable) request).getConfig() : null;
        }

        private RequestConfig contextConfig() {
            Object config = context == null ? null : context.getAttribute(HttpClientContext.REQUEST_CONFIG);
            return config instanceof RequestConfig ? (RequestConfig) config : null;
        }

        private HttpRequestBase copy(URI attemptUri, Settings settings) {
            RequestConfig config = settings != null && settings.config != null ? settings.config : ownConfig();
            HttpParams params = settings != null && settings.params != null ? settings.params : request.getParams();
            final HttpRequestBase copy = AttemptRequests.copyOf(request, attemptUri, config, params);
            if (request instanceof HttpExecutionAware) {
                // The application may abort (or release) its request from another thread: pass that on.
                HttpExecutionAware original = (HttpExecutionAware) request;
                original.setCancellable(new Cancellable() {
                    @Override
                    public boolean cancel() {
                        copy.abort();
                        return true;
                    }
                });
                if (original.isAborted()) {
                    copy.abort(); // the library then fails the attempt as it would have failed the original
                }
            }
            return copy;
        }

        /**
         * The library stores the request config in the application's context; leave there what the
         * application's own request would have left, not the mesh's tightened copy.
         */
        private void restoreRequestConfig(Object before) {
            RequestConfig own = kind == Kind.LEGACY ? null : ownConfig();
            Object after = own != null ? own : before;
            if (after == null) {
                context.removeAttribute(HttpClientContext.REQUEST_CONFIG);
            } else {
                context.setAttribute(HttpClientContext.REQUEST_CONFIG, after);
            }
        }

        @Override
        public int statusOf(CloseableHttpResponse response) {
            StatusLine status = response.getStatusLine();
            return status == null ? -1 : status.getStatusCode();
        }

        @Override
        public String headerOf(CloseableHttpResponse response, String name) {
            Header header = response.getFirstHeader(name);
            return header == null ? null : header.getValue();
        }

        /** Reads the rest of the body so the connection goes back to the pool, then closes the response. */
        @Override
        public void discard(CloseableHttpResponse response) {
            try {
                EntityUtils.consume(response.getEntity());
            } catch (IOException ignored) {
                // the connection is not reusable; close() below releases it
            } finally {
                try {
                    response.close();
                } catch (IOException ignored) {
                    // nothing left to release
                }
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

    private static void cannotTighten(String why) {
        AgentLog.warnOnce("apache-httpclient-4-timeout:" + why, "an Apache HttpClient request keeps its own timeouts"
                + " instead of the mesh's per-try timeout, because " + why);
    }

    /** The client's default request config ({@code HttpClientBuilder.setDefaultRequestConfig}), or null. */
    static RequestConfig clientDefault(CloseableHttpClient client) {
        if (client instanceof Configurable) { // InternalHttpClient in every release after 4.3
            return ((Configurable) client).getConfig();
        }
        try {
            Field field = defaultConfigField;
            if (field == null || field.getDeclaringClass() != client.getClass()) {
                field = client.getClass().getDeclaredField("defaultConfig");
                field.setAccessible(true);
                defaultConfigField = field;
            }
            Object config = field.get(client);
            return config instanceof RequestConfig ? (RequestConfig) config : RequestConfig.DEFAULT;
        } catch (Exception | LinkageError e) {
            return null;
        }
    }
}
