package dev.jmesh.demo.bundled;

import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The app's own OkHttp 3: {@code GET <base>/items/{i}}, each answer's JSON read with the app's own Jackson 2.6.
 * The base URL is never printed, so that a run against a service name and one against an address compare equal.
 */
final class OkHttpPart {

    private OkHttpPart() {
    }

    static void run(String base, int calls, BundledLibraries.Tally tally) {
        BundledLibraries.print("okhttp " + okhttp3.internal.Version.userAgent());
        OkHttpClient client = new OkHttpClient();
        ObjectMapper mapper = new ObjectMapper();
        try {
            for (int i = 0; i < calls; i++) {
                String path = "/items/" + i;
                try (Response response = client.newCall(new Request.Builder().url(base + path).build()).execute()) {
                    ResponseBody body = response.body();
                    String text = body == null ? "" : body.string();
                    if (response.isSuccessful()) {
                        String name = mapper.readTree(text).path("name").asText();
                        BundledLibraries.print("okhttp GET " + path + " " + response.code() + " name=" + name);
                        tally.ok++;
                    } else {
                        BundledLibraries.print("okhttp GET " + path + " status=" + response.code());
                        tally.failed++;
                    }
                } catch (Exception e) {
                    BundledLibraries.print("okhttp GET " + path + " " + BundledLibraries.describe(e));
                    tally.failed++;
                }
            }
        } finally {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }
}
