package dev.jmesh.smoke.apps;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A test fixture, not a demo: an app that calls one URL with {@code HttpURLConnection} again and again, one call
 * at a time, so that a test can change the world around it (what a name resolves to) while it runs. Each call
 * prints one line: {@code <n> OK <body>}, {@code <n> STATUS <code>} or {@code <n> FAIL <exception>}.
 *
 * <p>usage: {@code PollingCallerApp <url> <pause-ms> <max-calls> <stop-file>}. It stops when {@code stop-file}
 * exists or after {@code max-calls} calls, and prints {@code DONE}.
 */
public final class PollingCallerApp {
    private PollingCallerApp() {
    }

    public static void main(String[] args) throws Exception {
        URL url = new URL(args[0]);
        long pauseMillis = Long.parseLong(args[1]);
        int maxCalls = Integer.parseInt(args[2]);
        Path stop = Paths.get(args[3]);
        for (int n = 0; n < maxCalls && !Files.exists(stop); n++) {
            System.out.println(n + " " + call(url));
            System.out.flush();
            Thread.sleep(pauseMillis);
        }
        System.out.println("DONE");
    }

    private static String call(URL url) {
        try {
            HttpURLConnection connection = (HttpURLConnection) url.openConnection();
            connection.setConnectTimeout(5000);
            connection.setReadTimeout(5000);
            int status = connection.getResponseCode();
            if (status != 200) {
                return "STATUS " + status;
            }
            try (InputStream in = connection.getInputStream()) {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                byte[] buffer = new byte[256];
                for (int r = in.read(buffer); r >= 0; r = in.read(buffer)) {
                    body.write(buffer, 0, r);
                }
                return "OK " + body.toString(StandardCharsets.UTF_8.name());
            }
        } catch (IOException e) {
            return "FAIL " + e;
        }
    }
}
