package dev.jmesh.demo.clients;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.SSLConnectionSocketFactoryBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;

/**
 * Apache HttpClient 5 classic, written against the 5.0 API. The client's own automatic retries are off:
 * by default HttpClient 5 itself resends a request that got a 503 (or 429) once, which would hide the
 * upstream's failures from the mesh and from the app alike.
 */
final class Apache5Calls implements LibraryClients.Client {
    private final CloseableHttpClient client;

    /** @param trustStore the app's own trust for https (see {@link Tls}), or null for the library's default */
    Apache5Calls(String trustStore) {
        client = trustStore == null ? HttpClients.custom().disableAutomaticRetries().build()
                : HttpClients.custom().disableAutomaticRetries()
                        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                                .setSSLSocketFactory(SSLConnectionSocketFactoryBuilder.create()
                                        .setSslContext(Tls.trusting(trustStore)).build())
                                .build())
                        .build();
        LibraryClients.announce("apache5", client.getClass());
    }

    @Override
    public LibraryClients.Reply call(String url, String method, Body body) throws Exception {
        ClassicHttpRequest request;
        if (body != null) {
            HttpPost post = new HttpPost(url);
            post.setEntity(body.streamed()
                    ? new InputStreamEntity(body.newStream(), -1, ContentType.APPLICATION_JSON)
                    : new ByteArrayEntity(body.bytes(), ContentType.APPLICATION_JSON));
            request = post;
        } else {
            request = new HttpGet(url);
        }
        // A response handler, as HttpClient 5 recommends: the connection is released when it returns.
        return client.execute(request, response -> {
            HttpEntity entity = response.getEntity();
            return new LibraryClients.Reply(response.getCode(), entity == null ? "" : EntityUtils.toString(entity));
        });
    }

    @Override
    public void close() throws Exception {
        client.close();
    }
}
