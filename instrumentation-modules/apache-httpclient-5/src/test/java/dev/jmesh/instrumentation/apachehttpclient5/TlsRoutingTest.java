package dev.jmesh.instrumentation.apachehttpclient5;

import dev.jmesh.bootstrap.Helpers;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.instrumentation.testing.FakeEngine;
import dev.jmesh.instrumentation.testing.TestHelpers;
import dev.jmesh.instrumentation.testing.TestTls;
import dev.jmesh.instrumentation.testing.TestUpstream;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.SSLConnectionSocketFactoryBuilder;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.nio.entity.StringAsyncEntityConsumer;
import org.apache.hc.core5.http.nio.support.AsyncRequestBuilder;
import org.apache.hc.core5.http.nio.support.BasicResponseConsumer;
import org.apache.hc.core5.io.CloseMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import java.lang.instrument.Instrumentation;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * https calls to {@code https://inventory/...} routed to a TLS server on 127.0.0.1: TLS is about the service's
 * name (a certificate for {@code inventory} only is accepted on the endpoint's address), and a certificate for
 * another name still fails with the library's own {@code SSLException}: classic, async with a
 * {@code SimpleHttpRequest}, async with a producer and a consumer. The 503 of the first request is retried over TLS.
 */
class TlsRoutingTest {
    private static Instrumentation instrumentation;
    private static ResettableClassFileTransformer transformer;

    @TempDir
    Path dir;
    private TestUpstream upstream;
    private CloseableHttpClient classic;
    private CloseableHttpAsyncClient async;

    @BeforeAll
    static void weave() {
        instrumentation = ByteBuddyAgent.install();
        Helpers.install(TestHelpers.INSTANCE);
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.Listener.StreamWriting.toSystemError().withErrorsOnly());
        transformer = new ApacheHttpClient5Module().instrument(builder).installOn(instrumentation);
    }

    @AfterAll
    static void unweave() {
        transformer.reset(instrumentation, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
        Helpers.install(null);
    }

    @AfterEach
    void tearDown() throws Exception {
        Mesh.install(null);
        if (classic != null) {
            classic.close();
        }
        if (async != null) {
            async.close(CloseMode.IMMEDIATE);
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    /** A TLS upstream serving {@code served}'s certificate, 503 first; the clients trust only {@code served}. */
    private void start(TestTls served) throws Exception {
        upstream = new TestUpstream(n -> n == 0 ? new TestUpstream.Reply(503, 0, "busy")
                : new TestUpstream.Reply(200, 0, "secure"), served.serverContext());
        Mesh.install(new FakeEngine(upstream.port(), 0));
        SSLContext trust = served.clientContext();
        classic = HttpClients.custom().disableAutomaticRetries()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setSSLSocketFactory(SSLConnectionSocketFactoryBuilder.create().setSslContext(trust).build())
                        .build())
                .build();
        async = HttpAsyncClients.custom().disableAutomaticRetries()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setTlsStrategy(ClientTlsStrategyBuilder.create().setSslContext(trust).build())
                        .build())
                .build();
        async.start();
    }

    @Test
    void aCertificateForTheServiceNameIsAcceptedOnTheEndpointsAddress() throws Exception {
        start(TestTls.generate(dir, "inventory", "dns:inventory"));

        String classicBody = classic.execute(new HttpGet("https://inventory/c"), r -> EntityUtils.toString(r.getEntity()));
        SimpleHttpResponse simple = async.execute(new SimpleHttpRequest("GET", URI.create("https://inventory/s")), null)
                .get(10, TimeUnit.SECONDS);
        Message<HttpResponse, String> streamed = async.execute(AsyncRequestBuilder.get("https://inventory/p").build(),
                new BasicResponseConsumer<>(new StringAsyncEntityConsumer()), null).get(10, TimeUnit.SECONDS);

        assertEquals("secure", classicBody);
        assertEquals("secure", simple.getBodyText());
        assertEquals("secure", streamed.getBody());
        assertEquals(List.of("/c", "/c", "/s", "/p"), upstream.seen.stream().map(TestUpstream.Seen::path).toList(),
                "the first request got the 503 and was retried over TLS");
    }

    @Test
    void aCertificateForAnotherNameStillFailsWithTheLibrarysSslException() throws Exception {
        start(TestTls.generate(dir, "billing", "dns:billing"));

        assertThrows(SSLException.class, () -> classic.execute(new HttpGet("https://inventory/c"), r -> r.getCode()));
        ExecutionException simple = assertThrows(ExecutionException.class, () -> async.execute(
                new SimpleHttpRequest("GET", URI.create("https://inventory/s")), null).get(10, TimeUnit.SECONDS));
        assertInstanceOf(SSLException.class, simple.getCause());
        ExecutionException streamed = assertThrows(ExecutionException.class, () -> async.execute(
                AsyncRequestBuilder.get("https://inventory/p").build(),
                new BasicResponseConsumer<>(new StringAsyncEntityConsumer()), null).get(10, TimeUnit.SECONDS));
        assertInstanceOf(SSLException.class, streamed.getCause());
        assertEquals(List.of(), upstream.seen, "no request left the client");
    }
}
