package dev.jmesh.instrumentation.httpurlconnection;

import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Exchange;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.OutgoingHeaders;
import dev.jmesh.instrumentation.Http;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.ProtocolException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import javax.net.ssl.HttpsURLConnection;

/**
 * The {@code HttpURLConnection} an application gets for an {@code http:} URL while jmesh is attached.
 *
 * <p>It keeps what the application configures (method, headers, timeouts, body) and, the first time
 * the application asks for anything about the response, runs the call through the mesh: every attempt
 * is a real JDK connection to the endpoint the mesh chose, and the last attempt's connection answers
 * all response questions from then on. The application therefore sees one connection, whatever
 * happened underneath.
 *
 * <p>Request bodies: without a streaming mode the body is collected in memory before sending, as the JDK
 * itself does, and its size tells the engine whether a retry may replay it ({@code retry.maxReplayBodyBytes}).
 * With {@code setFixedLengthStreamingMode} or {@code setChunkedStreamingMode} nothing is buffered: the mesh
 * chooses the endpoint when the application asks for the output stream, the bytes go straight to that
 * endpoint's connection, and the call gets exactly one attempt ({@link StreamedUpload}).
 *
 * <p>Differences from the JDK's own class, all deliberate: a request without a streaming mode is sent when
 * the response is first needed (or at {@code connect()} when there is no body), not when {@code connect()}
 * opens a socket; a streamed upload's status line is read when its output stream is closed; the upstream
 * sees the endpoint's address in {@code Host}, because the JDK forbids setting that header.
 */
final class MeshHttpURLConnection extends HttpURLConnection {
    private final Proxy proxy;
    /** The TLS settings each attempt of an {@code https:} call gets; null for {@code http:}. */
    private final MeshHttpsURLConnection tls;
    private Map<String, List<String>> requestHeaders;
    private ByteArrayOutputStream body;
    /** The upload in flight when the application streams its body; null otherwise. */
    private StreamedUpload upload;
    private boolean sent;
    private HttpURLConnection response;
    private IOException failure;

    MeshHttpURLConnection(URL url, Proxy proxy) {
        this(url, proxy, null);
    }

    /** @param tls the {@code HttpsURLConnection} the application holds, whose TLS settings every attempt gets */
    MeshHttpURLConnection(URL url, Proxy proxy, MeshHttpsURLConnection tls) {
        super(url);
        this.proxy = proxy;
        this.tls = tls;
    }

    /** The connection that answers the application (the last attempt's); sends the request if it has not been. */
    HttpURLConnection answering() throws IOException {
        send();
        return response;
    }

    /** Whether the request has been sent (or failed to be). */
    boolean sent() {
        return sent;
    }

    // ---- request side ---------------------------------------------------------------------------

    @Override
    public void connect() throws IOException {
        if (!doOutput) {
            send();
        } else {
            freezeRequest();
        }
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        if (!doOutput) {
            throw new ProtocolException("cannot write to a URLConnection if doOutput=false - call setDoOutput(true)");
        }
        if (sent) {
            throw new ProtocolException("Cannot write output after reading input.");
        }
        if ("GET".equals(method)) {
            method = "POST"; // as the JDK does: a GET with a body is sent as POST
        }
        freezeRequest();
        if (streaming()) {
            if (upload == null) {
                upload = new StreamedUpload();
                upload.start(describe(-1));
            }
            return upload.body();
        }
        if (body == null) {
            body = new ByteArrayOutputStream();
        }
        return body;
    }

    /** Takes the headers as they are now; like the JDK, no header may change once connected. */
    private void freezeRequest() {
        if (requestHeaders == null) {
            requestHeaders = getRequestProperties();
            connected = true;
        }
    }

    /** Whether the application chose a streaming mode, in which the JDK sends the body as it is written. */
    private boolean streaming() {
        return chunkLength > 0 || fixedContentLength >= 0 || fixedContentLengthLong >= 0;
    }

    /** @param bodyBytes 0 for none, -1 for a streamed body */
    private OutboundCall describe(long bodyBytes) {
        return new OutboundCall("http", url.getProtocol(), url.getHost(), url.getPort(), method,
                Http.pathOf(url.getPath()), bodyBytes >= 0, this::requestHeader).withQuery(url.getQuery())
                .withBodyBytes(bodyBytes);
    }

    private void send() throws IOException {
        if (sent) {
            if (failure != null) {
                throw failure;
            }
            return;
        }
        freezeRequest();
        sent = true;
        if (upload != null) {
            try {
                response = upload.response();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
            return;
        }
        byte[] bytes = body == null ? null : body.toByteArray();
        body = null;
        OutboundCall call = describe(bytes == null ? 0 : bytes.length);
        try {
            response = Mesh.call(call, new Attempts(bytes));
        } catch (IOException e) {
            failure = e;
            throw e;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            failure = new IOException(e);
            throw failure;
        }
    }

    /** The first value the application set for header {@code name}, ignoring case. */
    private String requestHeader(String name) {
        for (Map.Entry<String, List<String>> header : requestHeaders.entrySet()) {
            if (name.equalsIgnoreCase(header.getKey()) && !header.getValue().isEmpty()) {
                return header.getValue().get(0);
            }
        }
        return null;
    }

    /** For the accessors that, in the JDK, answer null or -1 instead of throwing. */
    private HttpURLConnection responseOrNull() {
        try {
            send();
        } catch (IOException e) {
            return null;
        }
        return response;
    }

    // ---- response side: delegate to the connection of the last attempt ---------------------------

    @Override
    public int getResponseCode() throws IOException {
        send();
        return response.getResponseCode();
    }

    @Override
    public String getResponseMessage() throws IOException {
        send();
        return response.getResponseMessage();
    }

    @Override
    public InputStream getInputStream() throws IOException {
        if (!doInput) {
            throw new ProtocolException("Cannot read from URLConnection if doInput=false (call setDoInput(true))");
        }
        send();
        return response.getInputStream();
    }

    @Override
    public InputStream getErrorStream() {
        return sent && response != null ? response.getErrorStream() : null;
    }

    @Override
    public String getHeaderField(String name) {
        HttpURLConnection r = responseOrNull();
        return r == null ? null : r.getHeaderField(name);
    }

    @Override
    public String getHeaderField(int n) {
        HttpURLConnection r = responseOrNull();
        return r == null ? null : r.getHeaderField(n);
    }

    @Override
    public String getHeaderFieldKey(int n) {
        HttpURLConnection r = responseOrNull();
        return r == null ? null : r.getHeaderFieldKey(n);
    }

    @Override
    public Map<String, List<String>> getHeaderFields() {
        HttpURLConnection r = responseOrNull();
        return r == null ? Collections.<String, List<String>>emptyMap() : r.getHeaderFields();
    }

    @Override
    public void disconnect() {
        if (response != null) {
            response.disconnect();
        }
    }

    @Override
    public boolean usingProxy() {
        return response != null && response.usingProxy();
    }

    /** One attempt = one real JDK connection to the chosen endpoint, configured as the app asked. */
    private final class Attempts extends Responses implements BlockingExchange<HttpURLConnection> {
        private final byte[] bytes;

        Attempts(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public HttpURLConnection attempt(String host, int port, int timeoutMillis) throws IOException {
            CallDepth.enter();
            try {
                HttpURLConnection c = open(host, port, timeoutMillis);
                if (bytes != null) {
                    c.setDoOutput(true);
                    c.setFixedLengthStreamingMode(bytes.length); // the whole body is at hand: no second copy
                    OutputStream out = c.getOutputStream();
                    out.write(bytes);
                    out.close();
                }
                c.getResponseCode(); // sends the request and reads the status line and headers
                return c;
            } finally {
                CallDepth.exit();
            }
        }
    }

    /**
     * A real JDK connection to {@code host:port}, configured as the application configured this one, with the
     * headers the engine adds to this attempt. Called inside {@link CallDepth}.
     */
    private HttpURLConnection open(String host, int port, int timeoutMillis) throws IOException {
        URL target = new URL(url.getProtocol(), host, port, url.getFile());
        HttpURLConnection c = (HttpURLConnection) (proxy == null
                ? target.openConnection() : target.openConnection(proxy));
        c.setRequestMethod(method);
        c.setInstanceFollowRedirects(instanceFollowRedirects);
        c.setUseCaches(useCaches);
        c.setIfModifiedSince(ifModifiedSince);
        c.setAllowUserInteraction(allowUserInteraction);
        c.setDoInput(doInput);
        c.setConnectTimeout(Http.tighterTimeout(getConnectTimeout(), timeoutMillis));
        c.setReadTimeout(Http.tighterTimeout(getReadTimeout(), timeoutMillis));
        for (Map.Entry<String, List<String>> header : requestHeaders.entrySet()) {
            if (header.getKey() == null) {
                continue;
            }
            for (String value : header.getValue()) {
                c.addRequestProperty(header.getKey(), value);
            }
        }
        OutgoingHeaders.addTo(c::setRequestProperty);
        if (tls != null && c instanceof HttpsURLConnection) {
            tls.configure((HttpsURLConnection) c, host);
        }
        return c;
    }

    /** How the engine reads and releases this connection's responses, and the failures the app expects. */
    private abstract static class Responses implements Exchange<HttpURLConnection> {

        @Override
        public int statusOf(HttpURLConnection c) {
            try {
                return c.getResponseCode();
            } catch (IOException e) {
                return -1;
            }
        }

        @Override
        public String headerOf(HttpURLConnection c, String name) {
            return c.getHeaderField(name);
        }

        @Override
        public void discard(HttpURLConnection c) {
            // Reading the rest of a small body lets the JDK keep the connection alive for the retry.
            try {
                InputStream in = c.getErrorStream();
                if (in == null) {
                    in = c.getInputStream();
                }
                byte[] skip = new byte[4096];
                int budget = 64 * 1024;
                int n;
                while (budget > 0 && (n = in.read(skip)) != -1) {
                    budget -= n;
                }
                in.close();
                if (budget <= 0) {
                    c.disconnect();
                }
            } catch (IOException e) {
                c.disconnect();
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

    /**
     * A body the application streams (fixed-length or chunked streaming mode): one attempt, started through the
     * engine when the application asks for the output stream. The attempt opens the endpoint's connection and
     * hands its output stream to the application, whose bytes go straight there; closing the stream finishes the
     * request and reads the status line, which completes the attempt. Nothing is buffered, so nothing could be
     * sent again: the engine is told the body cannot be replayed.
     */
    private final class StreamedUpload extends Responses implements AsyncExchange<HttpURLConnection> {
        /** The endpoint's output stream, once the attempt has connected. */
        private final CompletableFuture<OutputStream> opened = new CompletableFuture<OutputStream>();
        /** The attempt's connection with its status read, once the application has closed the body. */
        private final CompletableFuture<HttpURLConnection> answered = new CompletableFuture<HttpURLConnection>();
        private CompletableFuture<HttpURLConnection> result;
        private volatile HttpURLConnection connection;
        private OutputStream body;
        private boolean closed;

        void start(OutboundCall call) {
            result = Mesh.callAsync(call, this);
        }

        @Override
        public CompletableFuture<HttpURLConnection> attempt(String host, int port, int timeoutMillis) {
            CallDepth.enter();
            try {
                HttpURLConnection c = open(host, port, timeoutMillis);
                c.setDoOutput(true);
                if (chunkLength > 0) {
                    c.setChunkedStreamingMode(chunkLength);
                } else {
                    c.setFixedLengthStreamingMode(fixedContentLengthLong >= 0 ? fixedContentLengthLong
                            : fixedContentLength);
                }
                OutputStream out = c.getOutputStream(); // connects and sends the request head
                connection = c;
                opened.complete(out);
                return answered;
            } catch (IOException | RuntimeException e) {
                CompletableFuture<HttpURLConnection> failed = new CompletableFuture<HttpURLConnection>();
                failed.completeExceptionally(e);
                return failed;
            } finally {
                CallDepth.exit();
            }
        }

        /** Waits until the attempt has connected (or the mesh refused the call) and returns the body stream. */
        OutputStream body() throws IOException {
            if (body == null) {
                await(CompletableFuture.anyOf(opened, result));
                if (!opened.isDone()) {
                    await(result); // the call failed before connecting: throws its failure
                }
                body = new FilterOutputStream(opened.join()) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        finish();
                    }
                };
            }
            return body;
        }

        /** Ends the body and reads the status line: the attempt is complete. Once. */
        private void finish() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            CallDepth.enter();
            try {
                opened.join().close();
                connection.getResponseCode();
                answered.complete(connection);
            } catch (IOException | RuntimeException e) {
                answered.completeExceptionally(e);
                throw e;
            } finally {
                CallDepth.exit();
            }
        }

        /** The connection that answers the application: as the JDK does, a body not yet closed is closed now. */
        HttpURLConnection response() throws IOException {
            body();
            finish();
            return await(result);
        }

        private <T> T await(CompletableFuture<T> future) throws IOException {
            try {
                return future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the upstream");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException) {
                    throw (IOException) cause;
                }
                if (cause instanceof RuntimeException) {
                    throw (RuntimeException) cause;
                }
                throw new IOException(cause);
            }
        }
    }
}
