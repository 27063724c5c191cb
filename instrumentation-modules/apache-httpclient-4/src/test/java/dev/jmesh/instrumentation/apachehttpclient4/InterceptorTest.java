package dev.jmesh.instrumentation.apachehttpclient4;

import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.MeshEngine;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.instrumentation.Http;
import org.apache.http.HttpHost;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.InputStreamEntity;
import org.apache.http.entity.StringEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.message.BasicHttpEntityEnclosingRequest;
import org.apache.http.message.BasicHttpRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The interceptor's pieces, without weaving. */
class InterceptorTest {

    @AfterEach
    void tearDown() {
        Mesh.install(null);
    }

    @Test
    void replayableMeansNoBodyOrARepeatableOneWhoseSizeTheEngineIsTold() throws Exception {
        assertTrue(ApacheHttpClient4Interceptor.replayable(new HttpGet("http://inventory/x")));
        assertTrue(ApacheHttpClient4Interceptor.replayable(new BasicHttpRequest("DELETE", "/x")));
        assertTrue(ApacheHttpClient4Interceptor.replayable(new HttpPost("http://inventory/x")));
        HttpPost small = new HttpPost("http://inventory/x");
        small.setEntity(new StringEntity("{}", "UTF-8"));
        assertTrue(ApacheHttpClient4Interceptor.replayable(small));
        assertEquals(2, ApacheHttpClient4Interceptor.bodyBytes(small));
        assertEquals(0, ApacheHttpClient4Interceptor.bodyBytes(new HttpGet("http://inventory/x")));
        HttpPost large = new HttpPost("http://inventory/x");
        large.setEntity(new ByteArrayEntity(new byte[1024 * 1024]));
        assertTrue(ApacheHttpClient4Interceptor.replayable(large), "the engine decides by its size");
        assertEquals(1024 * 1024, ApacheHttpClient4Interceptor.bodyBytes(large));
        BasicHttpEntityEnclosingRequest streamed = new BasicHttpEntityEnclosingRequest("PUT", "/x");
        streamed.setEntity(new InputStreamEntity(new ByteArrayInputStream(new byte[10]), 10)); // small, not repeatable
        assertFalse(ApacheHttpClient4Interceptor.replayable(streamed));
        assertEquals(-1, ApacheHttpClient4Interceptor.bodyBytes(streamed));
    }

    @Test
    void retargetKeepsEverythingButTheAuthority() {
        URI uri = URI.create("http://user:pw@inventory:8080/a%20b/c?x=1&y=%2F#frag");
        assertEquals(URI.create("http://user:pw@10.0.0.5:9090/a%20b/c?x=1&y=%2F"),
                ApacheHttpClient4Interceptor.retarget(uri, "10.0.0.5", 9090));
        assertEquals(URI.create("https://[::1]/p"),
                ApacheHttpClient4Interceptor.retarget(URI.create("https://inventory/p"), "::1", -1));
        assertEquals(URI.create("http://127.0.0.1:1"),
                ApacheHttpClient4Interceptor.retarget(URI.create("http://my_service"), "127.0.0.1", 1));
        URI relative = URI.create("/x?q=1");
        assertSame(relative, ApacheHttpClient4Interceptor.retarget(relative, "127.0.0.1", 1));
        assertNull(ApacheHttpClient4Interceptor.retarget(null, "127.0.0.1", 1));
    }

    @Test
    void tightenedTakesTheSmallerTimeoutAndKeepsTheRestOfTheConfig() {
        RequestConfig none = RequestConfig.custom().setProxy(new HttpHost("proxy", 3128)).setRedirectsEnabled(false)
                .setConnectionRequestTimeout(777).build();
        RequestConfig meshOnly = ApacheHttpClient4Interceptor.tightened(none, 500).config;
        assertEquals(500, meshOnly.getSocketTimeout());
        assertEquals(500, meshOnly.getConnectTimeout());
        assertEquals(777, meshOnly.getConnectionRequestTimeout());
        assertEquals(new HttpHost("proxy", 3128), meshOnly.getProxy());
        assertFalse(meshOnly.isRedirectsEnabled());

        RequestConfig mixed = RequestConfig.custom().setSocketTimeout(100).setConnectTimeout(9000).build();
        RequestConfig tightened = ApacheHttpClient4Interceptor.tightened(mixed, 500).config;
        assertEquals(100, tightened.getSocketTimeout());
        assertEquals(500, tightened.getConnectTimeout());

        RequestConfig tight = RequestConfig.custom().setSocketTimeout(100).setConnectTimeout(100).build();
        assertNull(ApacheHttpClient4Interceptor.tightened(tight, 500));
        assertNull(ApacheHttpClient4Interceptor.tightened(none, 0));
    }

    @Test
    void theClientsDefaultConfigIsFound() throws IOException {
        RequestConfig defaults = RequestConfig.custom().setSocketTimeout(1234).build();
        try (CloseableHttpClient client = HttpClients.custom().setDefaultRequestConfig(defaults).build()) {
            assertSame(defaults, ApacheHttpClient4Interceptor.clientDefault(client));
        }
    }

    @Test
    void theMeshsOwnFailuresAreTheLibrarysTypes() throws Exception {
        MeshEngine refusing = new MeshEngine() {
            @Override
            public <R> R call(OutboundCall call, BlockingExchange<R> exchange) throws Exception {
                throw exchange.rejectedException("jmesh: circuit open for inventory");
            }

            @Override
            public <R> CompletableFuture<R> callAsync(OutboundCall call, AsyncExchange<R> exchange) {
                throw new UnsupportedOperationException();
            }
        };
        MeshEngine outOfTime = new MeshEngine() {
            @Override
            public <R> R call(OutboundCall call, BlockingExchange<R> exchange) throws Exception {
                throw exchange.timeoutException("jmesh: no time left for inventory");
            }

            @Override
            public <R> CompletableFuture<R> callAsync(OutboundCall call, AsyncExchange<R> exchange) {
                throw new UnsupportedOperationException();
            }
        };
        ApacheHttpClient4Interceptor interceptor = new ApacheHttpClient4Interceptor();
        try (CloseableHttpClient client = HttpClients.createDefault()) {
            HttpGet get = new HttpGet("http://inventory/x");
            HttpHost target = new HttpHost("inventory");
            Mesh.install(refusing);
            IOException refused = assertThrows(IOException.class, () -> interceptor.execute(client, target, get, null));
            assertSame(IOException.class, refused.getClass());
            assertEquals("jmesh: circuit open for inventory", refused.getMessage());
            Mesh.install(outOfTime);
            SocketTimeoutException late = assertThrows(SocketTimeoutException.class,
                    () -> interceptor.execute(client, target, get, null));
            assertEquals("jmesh: no time left for inventory", late.getMessage());
        }
    }

    @Test
    void callsTheLibraryWouldRejectAreLeftToIt() throws Exception {
        ApacheHttpClient4Interceptor interceptor = new ApacheHttpClient4Interceptor();
        try (CloseableHttpClient client = HttpClients.createDefault()) {
            assertNull(interceptor.execute(client, null, new HttpGet("/relative"), null));
            assertNull(interceptor.execute(client, new HttpHost("inventory"), new BasicHttpRequest("GET", "/a b"), null));
            assertNull(interceptor.execute("not a client", new HttpHost("inventory"), new HttpGet("/x"), null));
        }
    }
}
