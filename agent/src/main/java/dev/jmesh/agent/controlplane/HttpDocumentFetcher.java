package dev.jmesh.agent.controlplane;

import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.config.ControlPlaneConfig;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One conditional GET of the config document with the JDK's {@link HttpURLConnection}: {@code If-None-Match}
 * with the last ETag, a bearer token read fresh each time (never logged, never put in a message), the CA
 * file's certificates as the only trust anchors for https. Hostile answers are cut short: at most
 * {@link #MAX_BYTES} are read, and a watchdog closes the connection when the whole exchange takes longer
 * than the deadline (a server dripping one byte at a time defeats a read timeout alone).
 *
 * <p>The call is made inside {@link CallDepth}, so jmesh's own HttpURLConnection instrumentation passes it
 * through: the agent's polls never go through the mesh and never reach the access log.
 */
final class HttpDocumentFetcher {
    /** A config is kilobytes; the cap only keeps a broken or hostile server from filling the heap. */
    static final int MAX_BYTES = 4 * 1024 * 1024;

    /** What one poll produced. */
    static final class Answer {
        /** null when the document did not change (304) or the poll failed. */
        final String document;
        final String etag;
        /** One line saying what went wrong, or null. */
        final String problem;
        /** The problem is the control plane not answering usefully (as opposed to answering nonsense). */
        final boolean outage;

        private Answer(String document, String etag, String problem, boolean outage) {
            this.document = document;
            this.etag = etag;
            this.problem = problem;
            this.outage = outage;
        }

        static Answer notModified() {
            return new Answer(null, null, null, false);
        }

        static Answer document(String document, String etag) {
            return new Answer(document, etag, null, false);
        }

        static Answer rejected(String problem, String etag) {
            return new Answer(null, etag, problem, false);
        }

        static Answer outage(String problem) {
            return new Answer(null, null, problem, true);
        }
    }

    private final ControlPlaneConfig.Http config;
    private final URL url;
    /** The URL without user info, as it appears in messages. */
    private final String shownUrl;
    private final String userAgent;
    private final ScheduledExecutorService watchdogs;
    private long caFileStamp = Long.MIN_VALUE;
    private SSLSocketFactory caSockets;

    HttpDocumentFetcher(ControlPlaneConfig.Http config, String shownUrl, String userAgent,
            ScheduledExecutorService watchdogs) throws IOException {
        this.config = config;
        this.url = new URL(config.url());
        this.shownUrl = shownUrl;
        this.userAgent = userAgent;
        this.watchdogs = watchdogs;
    }

    /** One poll; never throws. {@code deadlineMillis} bounds the whole exchange. */
    Answer fetch(String etag, long deadlineMillis) {
        String token;
        SSLSocketFactory sockets;
        try {
            token = token();
            sockets = caSockets();
        } catch (IOException | RuntimeException | java.security.GeneralSecurityException e) {
            return Answer.outage(prefix() + "cannot poll: " + e.getMessage());
        }
        CallDepth.enter(); // the agent's own call: jmesh's instrumentation passes it through
        try {
            return exchange(etag, token, sockets, deadlineMillis);
        } finally {
            CallDepth.exit();
        }
    }

    private Answer exchange(String etag, String token, SSLSocketFactory sockets, long deadlineMillis) {
        final HttpURLConnection connection;
        try {
            connection = (HttpURLConnection) url.openConnection();
        } catch (IOException e) {
            return Answer.outage(prefix() + "cannot open a connection (" + e + ")");
        }
        final long startedNanos = System.nanoTime();
        final AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> watchdog = watchdogs.schedule(() -> {
            timedOut.set(true);
            connection.disconnect();
        }, deadlineMillis, TimeUnit.MILLISECONDS);
        try {
            int timeout = (int) Math.min(Integer.MAX_VALUE, deadlineMillis);
            connection.setConnectTimeout(timeout);
            connection.setReadTimeout(timeout);
            connection.setUseCaches(false);
            connection.setInstanceFollowRedirects(false); // a redirect would carry the token elsewhere
            connection.setRequestProperty("Accept", "application/yaml, application/json;q=0.9, text/plain;q=0.5");
            connection.setRequestProperty("User-Agent", userAgent);
            if (etag != null) {
                connection.setRequestProperty("If-None-Match", etag);
            }
            if (token != null) {
                connection.setRequestProperty("Authorization", "Bearer " + token);
            }
            if (sockets != null && connection instanceof HttpsURLConnection) {
                ((HttpsURLConnection) connection).setSSLSocketFactory(sockets);
            }
            int status = connection.getResponseCode();
            if (status == HttpURLConnection.HTTP_NOT_MODIFIED) {
                return Answer.notModified();
            }
            if (status != HttpURLConnection.HTTP_OK) {
                return Answer.outage(prefix() + "answered HTTP " + status + statusHint(status)
                        + "; keeping the last good config");
            }
            String newEtag = connection.getHeaderField("ETag");
            String type = connection.getContentType();
            if (!isConfigType(type)) {
                return Answer.rejected(prefix() + "answered with Content-Type '" + type + "', not YAML or JSON;"
                        + " keeping the last good config", newEtag);
            }
            long length = connection.getContentLengthLong();
            if (length > MAX_BYTES) {
                return Answer.rejected(tooLarge(), newEtag);
            }
            byte[] body = read(connection.getInputStream(), startedNanos + deadlineMillis * 1_000_000L);
            if (body == null) {
                return Answer.rejected(tooLarge(), newEtag);
            }
            try {
                String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
                return Answer.document(text, newEtag);
            } catch (CharacterCodingException e) {
                return Answer.rejected(prefix() + "served a document that is not UTF-8 text; keeping the last good"
                        + " config", newEtag);
            }
        } catch (IOException e) {
            return Answer.outage(prefix() + describe(e, timedOut.get(), deadlineMillis));
        } finally {
            watchdog.cancel(false);
            connection.disconnect();
        }
    }

    /**
     * The body, or null when it is longer than {@link #MAX_BYTES} (reading stops there). The deadline is checked
     * after every read as well: while this thread blocks in a read, the JDK's chunked stream holds a lock that the
     * watchdog's disconnect needs, so a server dripping bytes could otherwise starve the watchdog.
     */
    private static byte[] read(InputStream in, long deadlineNanos) throws IOException {
        try (InputStream body = in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[16 * 1024];
            int n;
            while ((n = body.read(chunk)) >= 0) {
                if (System.nanoTime() - deadlineNanos > 0) {
                    throw new SocketTimeoutException("the answer took longer than its deadline");
                }
                if (out.size() + n > MAX_BYTES) {
                    return null;
                }
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        }
    }

    private String tooLarge() {
        return prefix() + "served a document larger than " + MAX_BYTES / (1024 * 1024)
                + " MiB, which is not read; keeping the last good config";
    }

    /** YAML, JSON, plain text, or no type at all; an HTML page (a login or error page) is not a config. */
    private static boolean isConfigType(String type) {
        if (type == null) {
            return true;
        }
        String t = type.toLowerCase(Locale.ROOT);
        int semicolon = t.indexOf(';');
        t = (semicolon < 0 ? t : t.substring(0, semicolon)).trim();
        return t.isEmpty() || t.endsWith("/yaml") || t.endsWith("/x-yaml") || t.endsWith("/json")
                || t.endsWith("+json") || t.endsWith("+yaml") || t.equals("text/plain")
                || t.equals("application/octet-stream");
    }

    private String describe(IOException e, boolean timedOut, long deadlineMillis) {
        if (timedOut || e instanceof SocketTimeoutException) {
            return "did not answer within " + deadlineMillis + "ms; keeping the last good config";
        }
        if (e instanceof SSLException) {
            return "TLS failure (" + e.getMessage() + ")" + (config.caFile() == null
                    ? "; set controlPlane.http.caFile to the CA that signed its certificate"
                    : "; check that " + config.caFile() + " holds the CA that signed its certificate")
                    + "; keeping the last good config";
        }
        if (e instanceof ConnectException) {
            return "is unreachable (" + e.getMessage() + "); keeping the last good config";
        }
        if (e instanceof UnknownHostException) {
            return "is unreachable (unknown host " + e.getMessage() + "); keeping the last good config";
        }
        return "failed (" + e + "); keeping the last good config";
    }

    private String statusHint(int status) {
        if (status == 401 || status == 403) {
            return config.tokenFile() != null ? " (check the token in " + config.tokenFile() + ")"
                    : config.tokenEnv() != null ? " (check the token in $" + config.tokenEnv() + ")"
                    : " (no token is configured: controlPlane.http.tokenFile or tokenEnv)";
        }
        return "";
    }

    private String prefix() {
        return "control plane " + shownUrl + " ";
    }

    /** The bearer token, read at each poll so that a rotated token is picked up; null when none is configured. */
    private String token() throws IOException {
        if (config.tokenFile() != null) {
            String token;
            try {
                token = new String(Files.readAllBytes(Paths.get(config.tokenFile())), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new IOException("cannot read the token file " + config.tokenFile() + " ("
                        + e.getClass().getSimpleName() + ")");
            }
            if (token.isEmpty()) {
                throw new IOException("the token file " + config.tokenFile() + " is empty");
            }
            return token;
        }
        if (config.tokenEnv() != null) {
            String token = System.getenv(config.tokenEnv());
            if (token == null || token.trim().isEmpty()) {
                throw new IOException("the environment variable " + config.tokenEnv() + " (tokenEnv) is not set");
            }
            return token.trim();
        }
        return null;
    }

    /** Sockets trusting exactly the CA file's certificates; rebuilt when the file changes. Null: the JVM's defaults. */
    private SSLSocketFactory caSockets() throws IOException, java.security.GeneralSecurityException {
        if (config.caFile() == null || !"https".equalsIgnoreCase(url.getProtocol())) {
            return null;
        }
        java.nio.file.Path file = Paths.get(config.caFile());
        long stamp;
        try {
            stamp = Files.getLastModifiedTime(file).toMillis() * 31 + Files.size(file);
        } catch (IOException e) {
            throw new IOException("cannot read the CA file " + config.caFile() + " (" + e.getClass().getSimpleName() + ")");
        }
        if (stamp == caFileStamp && caSockets != null) {
            return caSockets;
        }
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(file)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (java.security.cert.CertificateException e) {
            throw new IOException("the CA file " + config.caFile() + " holds no readable PEM certificate ("
                    + e.getMessage() + ")");
        }
        if (certificates.isEmpty()) {
            throw new IOException("the CA file " + config.caFile() + " holds no certificate");
        }
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        int i = 0;
        for (Certificate certificate : certificates) {
            trusted.setCertificateEntry("ca-" + i++, certificate);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        caSockets = context.getSocketFactory();
        caFileStamp = stamp;
        return caSockets;
    }
}
