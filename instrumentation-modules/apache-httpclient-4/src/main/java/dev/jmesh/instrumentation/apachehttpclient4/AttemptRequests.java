package dev.jmesh.instrumentation.apachehttpclient4;

import org.apache.http.HttpEntityEnclosingRequest;
import org.apache.http.HttpRequest;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.HttpEntityEnclosingRequestBase;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.params.HttpParams;

import java.net.URI;

/**
 * The request one mesh attempt sends when the application's own request object cannot be sent as it is
 * (its absolute URI names the service, not the endpoint, or the attempt needs a tighter timeout): a copy
 * with the same method, protocol version, headers (in order), parameters and body (the same entity
 * object: only a replayable entity is ever sent twice), and the given URI and request config.
 */
final class AttemptRequests {

    private AttemptRequests() {
    }

    @SuppressWarnings("deprecation") // HttpParams: the library's own per-request settings until 4.3, still honoured
    static HttpRequestBase copyOf(HttpRequest original, URI uri, RequestConfig config, HttpParams params) {
        String method = original.getRequestLine().getMethod();
        HttpRequestBase copy;
        if (original instanceof HttpEntityEnclosingRequest) {
            WithBody withBody = new WithBody(method);
            withBody.setEntity(((HttpEntityEnclosingRequest) original).getEntity());
            copy = withBody;
        } else {
            copy = new WithoutBody(method);
        }
        copy.setProtocolVersion(original.getRequestLine().getProtocolVersion());
        copy.setURI(uri);
        copy.setHeaders(original.getAllHeaders());
        if (params != null) {
            copy.setParams(params);
        }
        copy.setConfig(config);
        return copy;
    }

    private static final class WithoutBody extends HttpRequestBase {
        private final String method;

        WithoutBody(String method) {
            this.method = method;
        }

        @Override
        public String getMethod() {
            return method;
        }
    }

    private static final class WithBody extends HttpEntityEnclosingRequestBase {
        private final String method;

        WithBody(String method) {
            this.method = method;
        }

        @Override
        public String getMethod() {
            return method;
        }
    }
}
