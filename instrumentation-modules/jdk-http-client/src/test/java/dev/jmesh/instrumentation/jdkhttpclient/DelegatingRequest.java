package dev.jmesh.instrumentation.jdkhttpclient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;

/** An application-defined {@code HttpRequest}, for the cases the JDK's builder cannot produce. */
class DelegatingRequest extends HttpRequest {
    private final HttpRequest delegate;

    DelegatingRequest(HttpRequest delegate) {
        this.delegate = delegate;
    }

    @Override
    public Optional<BodyPublisher> bodyPublisher() {
        return delegate.bodyPublisher();
    }

    @Override
    public String method() {
        return delegate.method();
    }

    @Override
    public Optional<Duration> timeout() {
        return delegate.timeout();
    }

    @Override
    public boolean expectContinue() {
        return delegate.expectContinue();
    }

    @Override
    public URI uri() {
        return delegate.uri();
    }

    @Override
    public Optional<HttpClient.Version> version() {
        return delegate.version();
    }

    @Override
    public HttpHeaders headers() {
        return delegate.headers();
    }
}
