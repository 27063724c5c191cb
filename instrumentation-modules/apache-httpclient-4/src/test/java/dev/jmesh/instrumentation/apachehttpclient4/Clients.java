package dev.jmesh.instrumentation.apachehttpclient4;

import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.DefaultHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.PoolingClientConnectionManager;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.params.HttpConnectionParams;

/** The three kinds of client whose {@code doExecute} is woven, as applications create them. */
@SuppressWarnings("deprecation")
enum Clients {
    /** {@code HttpClients.createDefault()}: an {@code InternalHttpClient}. */
    BUILT("org.apache.http.impl.client.InternalHttpClient") {
        @Override
        CloseableHttpClient create() {
            return HttpClients.createDefault();
        }

        @Override
        CloseableHttpClient withOneConnection() {
            PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
            pool.setMaxTotal(1);
            pool.setDefaultMaxPerRoute(1);
            return HttpClients.custom().setConnectionManager(pool)
                    .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(2000).build()).build();
        }
    },
    /** {@code HttpClients.createMinimal()}: a {@code MinimalHttpClient}. */
    MINIMAL("org.apache.http.impl.client.MinimalHttpClient") {
        @Override
        CloseableHttpClient create() {
            return HttpClients.createMinimal();
        }

        @Override
        CloseableHttpClient withOneConnection() {
            PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
            pool.setMaxTotal(1);
            pool.setDefaultMaxPerRoute(1);
            return HttpClients.createMinimal(pool);
        }
    },
    /** The deprecated {@code new DefaultHttpClient()}: an {@code AbstractHttpClient}. */
    LEGACY("org.apache.http.impl.client.AbstractHttpClient") {
        @Override
        CloseableHttpClient create() {
            return new DefaultHttpClient();
        }

        @Override
        CloseableHttpClient withOneConnection() {
            PoolingClientConnectionManager pool = new PoolingClientConnectionManager();
            pool.setMaxTotal(1);
            pool.setDefaultMaxPerRoute(1);
            return new DefaultHttpClient(pool);
        }
    };

    /** The woven class that runs this kind's {@code doExecute}. */
    final String wovenType;

    Clients(String wovenType) {
        this.wovenType = wovenType;
    }

    abstract CloseableHttpClient create();

    /** A client whose pool holds one connection: a leaked connection makes the next call wait (forever). */
    abstract CloseableHttpClient withOneConnection();

    /** Sets the application's own socket timeout where this kind of client reads it from the request. */
    void ownSocketTimeout(HttpRequestBase request, int millis) {
        if (this == LEGACY) {
            HttpConnectionParams.setSoTimeout(request.getParams(), millis);
        } else {
            request.setConfig(RequestConfig.custom().setSocketTimeout(millis).build());
        }
    }
}
