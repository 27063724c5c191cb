package dev.jmesh.demo.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;

/** The catalog's call to a pricing service, the same in both containers. */
final class Pricing {
    private Pricing() {
    }

    /** {@code "9.99"} when {@code base/prices/id} answers 200, {@code "null"} otherwise or without a base. */
    static String price(String base, String id) throws IOException {
        if (base == null) {
            return "null";
        }
        HttpURLConnection connection = (HttpURLConnection) new URL(base + "/prices/" + id).openConnection();
        int status = connection.getResponseCode();
        InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        if (in != null) {
            in.close();
        }
        return status == 200 ? "9.99" : "null";
    }

    /** {@code --port N --pricing URL}; index 0 is the port, 1 the pricing base (or null). */
    static String[] options(String[] args) {
        String[] options = {"0", null};
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> options[0] = args[i + 1];
                case "--pricing" -> options[1] = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return options;
    }
}
