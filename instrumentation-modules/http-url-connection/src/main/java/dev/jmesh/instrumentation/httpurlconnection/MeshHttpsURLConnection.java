package dev.jmesh.instrumentation.httpurlconnection;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.security.Permission;
import java.security.Principal;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Map;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocketFactory;

/**
 * The {@code HttpsURLConnection} an application gets for an {@code https:} URL while jmesh is attached: it can be
 * cast as usual, takes {@code setSSLSocketFactory} and {@code setHostnameVerifier}, and answers
 * {@code getServerCertificates} and friends from the connection that produced the response. Everything else is
 * the {@link MeshHttpURLConnection} it forwards to, as the JDK's own {@code HttpsURLConnectionImpl} forwards to
 * its delegate.
 *
 * <p>TLS when the mesh routes the call to an endpoint ({@code https://inventory/} to {@code 10.0.0.5:8443}): the
 * attempt connects to the endpoint's address, but TLS is about the name the application used. SNI names it, the
 * server's certificate must be valid for it (the default check, or the application's {@code HostnameVerifier},
 * which is asked about that name), and the application's socket factory (trust and key material) is used. So a
 * service keeps one certificate for its name, whichever endpoints serve it, and routing never weakens the check.
 */
final class MeshHttpsURLConnection extends HttpsURLConnection {
    /** The JDK's own verifier, which leaves the check to TLS (against the peer host): nothing to wrap. */
    private static final String JDK_DEFAULT_VERIFIER = "javax.net.ssl.HttpsURLConnection$DefaultHostnameVerifier";
    private final MeshHttpURLConnection delegate;

    MeshHttpsURLConnection(URL url, Proxy proxy) {
        super(url);
        this.delegate = new MeshHttpURLConnection(url, proxy, this);
    }

    /** Gives one attempt's real connection the application's TLS settings, checked against the application's host. */
    void configure(HttpsURLConnection attempt, String endpointHost) {
        String serviceHost = url.getHost();
        SSLSocketFactory factory = getSSLSocketFactory();
        HostnameVerifier verifier = getHostnameVerifier();
        if (serviceHost.equalsIgnoreCase(endpointHost)) {
            attempt.setSSLSocketFactory(factory);
            attempt.setHostnameVerifier(verifier);
            return;
        }
        attempt.setSSLSocketFactory(ServerNameSocketFactory.of(factory, serviceHost));
        if (!verifier.getClass().getName().equals(JDK_DEFAULT_VERIFIER)) {
            attempt.setHostnameVerifier((ignoredEndpoint, session) -> verifier.verify(serviceHost, session));
        }
    }

    private HttpsURLConnection tlsResponse() {
        if (!delegate.sent()) {
            throw new IllegalStateException("connection not yet open");
        }
        try {
            HttpURLConnection answering = delegate.answering();
            if (answering instanceof HttpsURLConnection) {
                return (HttpsURLConnection) answering;
            }
        } catch (IOException e) {
            // no connection answered: as the JDK, say the connection is not open
        }
        throw new IllegalStateException("connection not yet open");
    }

    // ---- TLS: from the connection that answered ---------------------------------------------------

    @Override
    public String getCipherSuite() {
        return tlsResponse().getCipherSuite();
    }

    @Override
    public Certificate[] getLocalCertificates() {
        return tlsResponse().getLocalCertificates();
    }

    @Override
    public Certificate[] getServerCertificates() throws SSLPeerUnverifiedException {
        return tlsResponse().getServerCertificates();
    }

    @Override
    public Principal getPeerPrincipal() throws SSLPeerUnverifiedException {
        return tlsResponse().getPeerPrincipal();
    }

    @Override
    public Principal getLocalPrincipal() {
        return tlsResponse().getLocalPrincipal();
    }

    // ---- everything else: the mesh connection ------------------------------------------------------

    @Override
    public void connect() throws IOException {
        delegate.connect();
    }

    @Override
    public void disconnect() {
        delegate.disconnect();
    }

    @Override
    public boolean usingProxy() {
        return delegate.usingProxy();
    }

    @Override
    public void setRequestMethod(String method) throws java.net.ProtocolException {
        delegate.setRequestMethod(method);
    }

    @Override
    public String getRequestMethod() {
        return delegate.getRequestMethod();
    }

    @Override
    public int getResponseCode() throws IOException {
        return delegate.getResponseCode();
    }

    @Override
    public String getResponseMessage() throws IOException {
        return delegate.getResponseMessage();
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return delegate.getInputStream();
    }

    @Override
    public InputStream getErrorStream() {
        return delegate.getErrorStream();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        return delegate.getOutputStream();
    }

    @Override
    public String getHeaderField(String name) {
        return delegate.getHeaderField(name);
    }

    @Override
    public String getHeaderField(int n) {
        return delegate.getHeaderField(n);
    }

    @Override
    public String getHeaderFieldKey(int n) {
        return delegate.getHeaderFieldKey(n);
    }

    @Override
    public Map<String, List<String>> getHeaderFields() {
        return delegate.getHeaderFields();
    }

    @Override
    public void setRequestProperty(String key, String value) {
        delegate.setRequestProperty(key, value);
    }

    @Override
    public void addRequestProperty(String key, String value) {
        delegate.addRequestProperty(key, value);
    }

    @Override
    public String getRequestProperty(String key) {
        return delegate.getRequestProperty(key);
    }

    @Override
    public Map<String, List<String>> getRequestProperties() {
        return delegate.getRequestProperties();
    }

    @Override
    public void setDoInput(boolean doInput) {
        delegate.setDoInput(doInput);
    }

    @Override
    public boolean getDoInput() {
        return delegate.getDoInput();
    }

    @Override
    public void setDoOutput(boolean doOutput) {
        delegate.setDoOutput(doOutput);
    }

    @Override
    public boolean getDoOutput() {
        return delegate.getDoOutput();
    }

    @Override
    public void setAllowUserInteraction(boolean allow) {
        delegate.setAllowUserInteraction(allow);
    }

    @Override
    public boolean getAllowUserInteraction() {
        return delegate.getAllowUserInteraction();
    }

    @Override
    public void setUseCaches(boolean useCaches) {
        delegate.setUseCaches(useCaches);
    }

    @Override
    public boolean getUseCaches() {
        return delegate.getUseCaches();
    }

    @Override
    public void setIfModifiedSince(long ifModifiedSince) {
        delegate.setIfModifiedSince(ifModifiedSince);
    }

    @Override
    public long getIfModifiedSince() {
        return delegate.getIfModifiedSince();
    }

    @Override
    public void setConnectTimeout(int timeout) {
        delegate.setConnectTimeout(timeout);
    }

    @Override
    public int getConnectTimeout() {
        return delegate.getConnectTimeout();
    }

    @Override
    public void setReadTimeout(int timeout) {
        delegate.setReadTimeout(timeout);
    }

    @Override
    public int getReadTimeout() {
        return delegate.getReadTimeout();
    }

    @Override
    public void setInstanceFollowRedirects(boolean followRedirects) {
        delegate.setInstanceFollowRedirects(followRedirects);
    }

    @Override
    public boolean getInstanceFollowRedirects() {
        return delegate.getInstanceFollowRedirects();
    }

    @Override
    public void setFixedLengthStreamingMode(int contentLength) {
        delegate.setFixedLengthStreamingMode(contentLength);
    }

    @Override
    public void setFixedLengthStreamingMode(long contentLength) {
        delegate.setFixedLengthStreamingMode(contentLength);
    }

    @Override
    public void setChunkedStreamingMode(int chunkLength) {
        delegate.setChunkedStreamingMode(chunkLength);
    }

    @Override
    public Permission getPermission() throws IOException {
        return delegate.getPermission();
    }

    @Override
    public String toString() {
        return getClass().getName() + ":" + url;
    }
}
