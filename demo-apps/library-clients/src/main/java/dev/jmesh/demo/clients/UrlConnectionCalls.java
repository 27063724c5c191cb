package dev.jmesh.demo.clients;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * {@code java.net.HttpURLConnection} as legacy code uses it. A streamed body uses chunked streaming mode, so that
 * the JDK sends it as it is written instead of collecting it in memory first.
 */
final class UrlConnectionCalls implements LibraryClients.Client {

    UrlConnectionCalls() {
        LibraryClients.announce("huc", HttpURLConnection.class);
    }

    @Override
    public LibraryClients.Reply call(String url, String method, Body body) throws Exception {
        HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
        connection.setRequestMethod(method);
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
