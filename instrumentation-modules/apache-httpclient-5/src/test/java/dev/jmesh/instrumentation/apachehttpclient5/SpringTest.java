package dev.jmesh.instrumentation.apachehttpclient5;

import dev.jmesh.instrumentation.testing.TestHelpers;

import dev.jmesh.instrumentation.testing.TestUpstream;
import dev.jmesh.instrumentation.testing.FakeEngine;

import dev.jmesh.bootstrap.Helpers;
import dev.jmesh.bootstrap.Mesh;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.net.SocketTimeoutException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Spring's RestTemplate and RestClient over HttpClient 5 (woven for real, as in {@link AdviceTest}): one
 * logical call each, routed, a 503 hidden by the mesh's retry, a per-try timeout surfacing as Spring
 * wraps the library's exception. Spring 6 needs HttpClient 5.2+ ({@code executeOpen}), so this runs in
 * the newest-version pass only.
 */
class SpringTest {
    private static Instrumentation instrumentation;
    private static ResettableClassFileTransformer transformer;

    private final CloseableHttpClient client = HttpClients.custom().disableAutomaticRetries().build();
    private TestUpstream upstream;

    @BeforeAll
    static void weave() {
        boolean executeOpen;
        try {
            CloseableHttpClient.class.getMethod("executeOpen", org.apache.hc.core5.http.HttpHost.class,
                    org.apache.hc.core5.http.ClassicHttpRequest.class, org.apache.hc.core5.http.protocol.HttpContext.class);
            executeOpen = true;
        } catch (NoSuchMethodException e) {
            executeOpen = false;
        }
        assumeTrue(executeOpen, "Spring 6 needs HttpClient 5.2 or newer");
        instrumentation = ByteBuddyAgent.install();
        Helpers.install(TestHelpers.INSTANCE);
        transformer = new ApacheHttpClient5Module().instrument(new AgentBuilder.Default()
                        .disableClassFormatChanges()
                        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE))
                .installOn(instrumentation);
    }

    @AfterAll
    static void unweave() {
        if (transformer != null) {
            transformer.reset(instrumentation, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
            Helpers.install(null);
        }
    }

    @AfterEach
    void tearDown() throws IOException {
        Mesh.install(null);
        client.close();
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void restTemplateIsOneLogicalCall() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        RestTemplate rest = new RestTemplate(new HttpComponentsClientHttpRequestFactory(client));

        assertEquals("ok", rest.getForObject("http://inventory/x?q=1", String.class));

        assertEquals(1, engine.calls.size());
        assertEquals(List.of(503, 200), engine.statuses);
        assertEquals(2, upstream.seen.size());
    }

    @Test
    void restClientPostIsOneLogicalCall() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        RestClient rest = RestClient.builder().requestFactory(new HttpComponentsClientHttpRequestFactory(client)).build();

        String answer = rest.post().uri("http://inventory/orders").body("{\"id\":7}")
                .header("Content-Type", "application/json").retrieve().body(String.class);

        assertEquals("ok", answer);
        assertEquals(1, engine.calls.size());
        assertEquals("POST", engine.calls.get(0).method());
        assertEquals("{\"id\":7}", upstream.seen.get(0).body());
        assertEquals("{\"id\":7}", upstream.seen.get(1).body());
    }

    @Test
    void aPerTryTimeoutIsTheLibrarysExceptionAsSpringWrapsIt() throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 2000, "late"));
        Mesh.install(new FakeEngine(upstream.port(), 200));
        RestTemplate rest = new RestTemplate(new HttpComponentsClientHttpRequestFactory(client));

        ResourceAccessException e = assertThrows(ResourceAccessException.class,
                () -> rest.getForObject("http://inventory/slow", String.class));
        assertInstanceOf(SocketTimeoutException.class, e.getCause());
    }
}
