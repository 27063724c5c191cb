package dev.jmesh.demo.clients;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * {@code java.net.HttpURLConnection} as legacy code uses it. A streamed body uses chunked streaming mode, so that
 * the JDK sends it as it is written instead of collecting it in memory first. For {@code https:} it casts to
 * {@code HttpsURLConnection}, sets its own socket factory when given a trust store (the JVM's default trust
 * otherwise), and says on stderr whose certificate the server presented.
 */
final class UrlConnectionCalls implements LibraryClients.Client {

    private final SSLSocketFactory socketFactory;

    /** @param trustStore a PKCS12 trust store (password {@code changeit}) for https, or null for the JVM's default */
    UrlConnectionCalls(String trustStore) throws Exception {
        LibraryClients.announce("huc", HttpURLConnection.class);
        socketFactory = trustStore == null ? null : Tls.trusting(trustStore).getSocketFactory();
    }

    @Override
    public LibraryClients.Reply call(String url, String method, Body body) throws Exception {
        HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
        connection.setRequestMethod(method);
        if (connection instanceof HttpsURLConnection && socketFactory != null) {
            ((HttpsURLConnection) connection).setSSLSocketFactory(socketFactory);
        }
        if (body != null) {
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", "application/json");
            if (body.streamed()) {
                connection.setChunkedStreamingMode(8192);
            }
            try (OutputStream out = connection.getOutputStream(); InputStream in = body.newStream()) {
                in.transferTo(out);
            }
        }
        int status = connection.getResponseCode();
        if (connection instanceof HttpsURLConnection) {
            X509Certificate peer = (X509Certificate) ((HttpsURLConnection) connection).getServerCertificates()[0];
            System.err.println("library-clients: huc " + url + " server certificate "
                    + peer.getSubjectX500Principal().getName());
        }
        InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        String text = in == null ? "" : read(in);
        return new LibraryClients.Reply(status, text);
    }

    private static String read(InputStream in) throws IOException {
        try (InputStream stream = in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            stream.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
