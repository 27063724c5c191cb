package dev.jmesh.instrumentation.apachehttpclient5;

import java.util.List;
import java.util.ArrayList;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.Header;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.OutgoingHeaders;
import dev.jmesh.bootstrap.apachehttpclient5.ApacheHttpClient5Bridge;
import dev.jmesh.instrumentation.Http;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.Configurable;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.CancellableDependency;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.net.URIAuthority;
import org.apache.hc.core5.util.Timeout;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.Locale;

/**
 * Runs Apache HttpClient 5 classic calls through the mesh. The advice in {@link ApacheHttpClient5Module}
 * hands every {@code doExecute} of the library's clients here (through {@link ApacheHttpClient5Bridge});
 * each attempt the engine asks for is a real call on the application's own client (same connection
 * pool, TLS, proxy, cookies, credentials, redirect and protocol-retry settings), with the application's
 * own context, made while {@link CallDepth} tells the advice to let it through.
 *
 * <p>This is a helper: the agent defines it inside the library's class loader, so it may use the
 * library's API; it must not use the engine, Byte Buddy or anything else of the agent. It compiles
 * against HttpClient 5.0 and uses only API that every 5.x version has.
 *
 * <p>An attempt sends a copy of the application's request aimed at the endpoint the mesh chose: same
 * method, scheme, path and query, headers, entity and protocol version; the request's authority and
 * the target host name the endpoint, so the upstream sees the endpoint's {@code host:port} in
 * {@code Host} (as it does with the JDK clients), unless the application set a {@code Host} header
 * itself. The copy carries the application's effective {@code RequestConfig} (the request's own, else
 * the context's, else the client's default) with its response, connect and connection-request timeouts
 * tightened to the mesh's per-try timeout; the context's request config is put back afterwards so that
 * the mesh's timeout never leaks into a context the application reuses. When the mesh keeps the
 * application's address and adds no timeout (no engine, or a host that is not a mesh service), the
 * application's own request, target and context are passed on untouched.
 *
 * <p>Failures are the library's own: a per-try timeout surfaces as {@code SocketTimeoutException}
 * (response) or {@code org.apache.hc.client5.http.ConnectTimeoutException} (connect) thrown by the
 * library itself; a call the mesh refuses (open breaker, throttled) as {@code IOException}, the type
 * {@code execute} declares, with the mesh's message.
 *
 * <p>Differences from calling the client directly, all deliberate or unavoidable:
 * <ul>
 *   <li>the client's own retries ({@code HttpRequestRetryStrategy}, by default once for 429/503 and
 *       some I/O errors) run inside each mesh attempt, just as the JDK client's silent resend does;</li>
 *   <li>where the application sets its connect or socket timeout only through {@code ConnectionConfig}
 *       or {@code SocketConfig} (5.2+), the mesh's per-try timeout replaces it for that attempt even
 *       if the application's is tighter: the client exposes no way to read it;</li>
 *   <li>with {@code https}, TLS verifies the endpoint's host name, as for the other clients;</li>
 *   <li>the application's request is not modified (the library would fill in its scheme and
 *       authority); aborting it ({@code cancel()}) aborts the attempt in flight.</li>
 * </ul>
 */
public final class ApacheHttpClient5Interceptor implements ApacheHttpClient5Bridge.Interceptor {

    public ApacheHttpClient5Interceptor() {
    }

    @Override
    public Object execute(Object client, Object target, Object request, Object context) throws Exception {
        Classic exchange;
        try {
            HttpHost host = (HttpHost) target;
            ClassicHttpRequest classic = (ClassicHttpRequest) request;
            OutboundCall call = describe(host, classic);
            if (call == null) {
                return null;
            }
            exchange = new Classic((CloseableHttpClient) client, host, classic, (HttpContext) context, call);
        } catch (RuntimeException | LinkageError e) {
            declined(e);
            return null;
        }
        try {
            return Mesh.call(exchange.call, exchange);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException(e.getMessage());
            interrupted.initCause(e);
            throw interrupted;
        } catch (Exception e) {
            // doExecute declares only IOException; never surprise the application with another checked type.
            throw new IOException(e.getMessage(), e);
        }
    }

    private static void declined(Throwable cause) {
        AgentLog.warnOnce("apache-httpclient-5-describe:" + cause.getClass().getName(),
                "could not run an Apache HttpClient 5 call through the mesh (" + cause
                        + "); such calls pass through untouched");
    }

    /**
     * The mesh's view of a call: where it goes is {@code target} if the application named one, else the
     * request's own scheme and authority (as the library resolves it). Null when there is no host to route
     * (the library will refuse the request itself).
     */
    static OutboundCall describe(HttpHost target, ClassicHttpRequest request) {
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
        return new OutboundCall("http", scheme.toLowerCase(Locale.ROOT), host, port, request.getMethod(),
                Http.pathOf(request.getPath()), replayable(request), name -> {
                    Header header = request.getFirstHeader(name);
                    return header == null ? null : header.getValue();
                }).withQuery(Http.queryOf(request.getPath())).withBodyBytes(bodyBytes(request));
    }

    /**
     * No body, or a repeatable entity (in memory, a file, ...) that the library can write again. A
     * streamed entity is never buffered, so such a request is sent at most once.
     */
    static boolean replayable(ClassicHttpRequest request) {
        HttpEntity entity = request.getEntity();
        return entity == null || entity.isRepeatable();
    }

    /** The body size the engine compares with {@code retry.maxReplayBodyBytes}; see {@link Http#bodyBytes}. */
    static long bodyBytes(ClassicHttpRequest request) {
        HttpEntity entity = request.getEntity();
        return entity == null ? 0 : Http.bodyBytes(true, entity.isRepeatable(), entity.getContentLength());
    }

    /**
     * Where an attempt connects: the endpoint. For https to an endpoint given as an IP address, that address under
     * the service's name: the library connects to the address, and TLS (SNI, the certificate's name, a custom
     * verifier) is about the name the application used, as for {@code HttpsURLConnection}. The connection pool
     * keeps such connections per address.
     */
    static HttpHost attemptTarget(OutboundCall call, String endpointHost, int port) {
        InetAddress address = "https".equals(call.scheme()) ? Http.addressLiteral(endpointHost) : null;
        return address == null ? new HttpHost(call.scheme(), endpointHost, port)
                : new HttpHost(call.scheme(), address, call.host(), port);
    }

    /** The smaller of the application's timeout (null = not set, 0 = none) and the mesh's ({@code > 0}). */
    static Timeout tighter(Timeout own, int meshMillis) {
        if (own == null || own.isDisabled() || own.toMilliseconds() > meshMillis) {
            return Timeout.ofMilliseconds(meshMillis);
        }
        return own;
    }

    /** {@code base} (or the defaults) with every timeout at most {@code meshMillis}. */
    @SuppressWarnings("deprecation") // setConnectTimeout: moved to ConnectionConfig in 5.2, still honoured per request
    static RequestConfig withTimeout(RequestConfig base, int meshMillis) {
        RequestConfig from = base != null ? base : RequestConfig.DEFAULT;
        return RequestConfig.copy(from)
                .setResponseTimeout(tighter(from.getResponseTimeout(), meshMillis))
                .setConnectTimeout(tighter(from.getConnectTimeout(), meshMillis))
                .setConnectionRequestTimeout(tighter(from.getConnectionRequestTimeout(), meshMillis))
                .build();
    }

    /**
     * The request config the context holds, or null. Up to 5.3 the context keeps it as an attribute; from
     * 5.4 an {@code HttpClientContext} keeps it in a field (and returns null when unset, where older
     * versions returned {@code RequestConfig.DEFAULT}).
     */
    static RequestConfig contextConfig(HttpContext context) {
        if (context == null) {
            return null;
        }
        Object attribute = context.getAttribute(HttpClientContext.REQUEST_CONFIG);
        if (attribute instanceof RequestConfig) {
            return (RequestConfig) attribute;
        }
        if (context instanceof HttpClientContext) {
            RequestConfig config = ((HttpClientContext) context).getRequestConfig();
            return config == RequestConfig.DEFAULT ? null : config;
        }
        return null;
    }

    /** One logical classic call: the application's client, target, request and context. */
    static final class Classic implements BlockingExchange<CloseableHttpResponse> {
        final CloseableHttpClient client;
        final HttpHost target;
        final ClassicHttpRequest request;
        final HttpContext context;
        final OutboundCall call;

        Classic(CloseableHttpClient client, HttpHost target, ClassicHttpRequest request, HttpContext context,
                OutboundCall call) {
            if (client == null || request == null || call == null) {
                throw new NullPointerException("client, request and call are required");
            }
            this.client = client;
            this.target = target;
            this.request = request;
            this.context = context;
            this.call = call;
        }

        @Override
        @SuppressWarnings("deprecation") // execute(HttpHost, ClassicHttpRequest, HttpContext): the one overload every 5.x has that returns the response
        public CloseableHttpResponse attempt(String host, int port, int timeoutMillis) throws IOException {
            boolean sameTarget = port == call.port() && host.equalsIgnoreCase(call.host());
            final List<Header> added = new ArrayList<Header>(1);
            OutgoingHeaders.addTo((name, value) -> added.add(new BasicHeader(name, value)));
            if (sameTarget && timeoutMillis <= 0 && added.isEmpty()) {
                CallDepth.enter();
                try {
                    return client.execute(target, request, context);
                } finally {
                    CallDepth.exit();
                }
            }
            String hostName = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            HttpHost attemptTarget = sameTarget ? target : attemptTarget(call, hostName, port);
            RequestConfig own = request instanceof Configurable ? ((Configurable) request).getConfig() : null;
            // Under the service's name when TLS is about it (5.4+ take the TLS name from the request's authority).
            String authorityHost = attemptTarget.getAddress() != null ? call.host() : hostName;
            HttpUriRequestBase copy = copyOf(sameTarget, authorityHost, port,
                    timeoutMillis > 0 ? withTimeout(effectiveConfig(own), timeoutMillis) : own);
            for (Header header : added) {
                copy.setHeader(header); // replaces the application's header of that name, if any
            }
            Object attributeBefore = context != null ? context.getAttribute(HttpClientContext.REQUEST_CONFIG) : null;
            RequestConfig fieldBefore = context instanceof HttpClientContext
                    ? ((HttpClientContext) context).getRequestConfig() : null;
            CallDepth.enter();
            try {
                return client.execute(attemptTarget, copy, context);
            } finally {
                CallDepth.exit();
                if (context != null && timeoutMillis > 0) {
                    restore(attributeBefore, fieldBefore);
                }
            }
        }

        /** The config the library would use for the application's request. */
        private RequestConfig effectiveConfig(RequestConfig own) {
            if (own != null) {
                return own;
            }
            RequestConfig fromContext = contextConfig(context);
            if (fromContext != null) {
                return fromContext;
            }
            return client instanceof Configurable ? ((Configurable) client).getConfig() : null;
        }

        /**
         * Puts back the context's request config (the library stores the attempt's there). The field first:
         * up to 5.3 it is the attribute, which the second step then sets to exactly what it was.
         */
        private void restore(Object attributeBefore, RequestConfig fieldBefore) {
            if (context instanceof HttpClientContext) {
                ((HttpClientContext) context).setRequestConfig(fieldBefore);
            }
            if (attributeBefore != null) {
                context.setAttribute(HttpClientContext.REQUEST_CONFIG, attributeBefore);
            } else {
                context.removeAttribute(HttpClientContext.REQUEST_CONFIG);
            }
        }

        /** The application's request aimed at {@code host:port} (or its own authority), with {@code config}. */
        private HttpUriRequestBase copyOf(boolean sameTarget, String host, int port, RequestConfig config) {
            HttpUriRequestBase copy = new HttpUriRequestBase(request.getMethod(), URI.create("/"));
            URIAuthority authority = request.getAuthority();
            if (sameTarget) {
                copy.setScheme(request.getScheme());
                copy.setAuthority(authority);
            } else {
                copy.setScheme(call.scheme());
                copy.setAuthority(new URIAuthority(authority != null ? authority.getUserInfo() : null, host, port));
            }
            copy.setPath(request.getPath());
            copy.setVersion(request.getVersion());
            copy.setHeaders(request.getHeaders());
            copy.setEntity(request.getEntity());
            copy.setConfig(config);
            if (request instanceof CancellableDependency) {
                // The application's abort() / cancel() now reaches the attempt (at once if it already happened).
                ((CancellableDependency) request).setDependency(copy);
            }
            return copy;
        }

        @Override
        public int statusOf(CloseableHttpResponse response) {
            return response.getCode();
        }

        @Override
        public String headerOf(CloseableHttpResponse response, String name) {
            Header header = response.getFirstHeader(name);
            return header == null ? null : header.getValue();
        }

        /** Reads what is left of the body (so the connection goes back to the pool) and closes the response. */
        @Override
        public void discard(CloseableHttpResponse response) {
            try {
                EntityUtils.consume(response.getEntity());
            } catch (IOException | RuntimeException ignored) {
                // close() below releases the connection without reuse
            } finally {
                try {
                    response.close();
                } catch (IOException | RuntimeException ignored) {
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
}
