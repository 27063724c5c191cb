package dev.jmesh.demo.clients;

import org.apache.http.HttpEntity;
import org.apache.http.HttpResponse;
import org.apache.http.client.HttpClient;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.client.methods.HttpUriRequest;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.InputStreamEntity;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.DefaultHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;

import java.io.Closeable;

/**
 * Apache HttpClient 4, written against the 4.3 API: {@code HttpClients.createDefault()} as a 4.3+ app
 * writes it, or {@code new DefaultHttpClient()} as older code still does (deprecated since 4.3, still in
 * 4.5.14). Library defaults everywhere: its own retry handler, no timeouts.
 */
@SuppressWarnings("deprecation")
final class Apache4Calls implements LibraryClients.Client {
    private final HttpClient client;

    private Apache4Calls(HttpClient client) {
        this.client = client;
    }

    /** @param trustStore the app's own trust for https (see {@link Tls}), or null for the library's default */
    static Apache4Calls createDefault(String trustStore) {
        CloseableHttpClient client = trustStore == null ? HttpClients.createDefault() : HttpClients.custom()
                .setSSLSocketFactory(new SSLConnectionSocketFactory(Tls.trusting(trustStore))).build();
        LibraryClients.announce("apache4", client.getClass());
        return new Apache4Calls(client);
    }

    static Apache4Calls legacyDefaultHttpClient() {
        DefaultHttpClient client = new DefaultHttpClient();
        LibraryClients.announce("apache4-legacy", client.getClass());
        return new Apache4Calls(client);
    }

    @Override
    public LibraryClients.Reply call(String url, String method, Body body) throws Exception {
        HttpUriRequest request;
        if (body != null) {
            HttpPost post = new HttpPost(url);
            post.setEntity(body.streamed()
                    ? new InputStreamEntity(body.newStream(), -1, ContentType.APPLICATION_JSON)
                    : new ByteArrayEntity(body.bytes(), ContentType.APPLICATION_JSON));
            request = post;
        } else {
            request = new HttpGet(url);
        }
        // The style of its era: the plain HttpResponse, the entity consumed to free the connection.
        HttpResponse response = client.execute(request);
        HttpEntity entity = response.getEntity();
        String text = entity == null ? "" : EntityUtils.toString(entity);
        return new LibraryClients.Reply(response.getStatusLine().getStatusCode(), text);
    }

    @Override
    public void close() throws Exception {
        if (client instanceof Closeable) {
            ((Closeable) client).close();
        } else {
            client.getConnectionManager().shutdown();
        }
    }
}
