package dev.jmesh.instrumentation.apachehttpclient4;

import dev.jmesh.instrumentation.testing.TestHelpers;

import dev.jmesh.instrumentation.testing.TestUpstream;
import dev.jmesh.instrumentation.testing.FakeEngine;

import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Mesh;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequestInterceptor;
import org.apache.http.HttpResponse;
import org.apache.http.client.HttpClient;
import org.apache.http.client.ResponseHandler;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.DecompressingHttpClient;
import org.apache.http.impl.client.DefaultHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.message.BasicHttpRequest;
import org.apache.http.util.EntityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The advice on the REAL library classes (woven by {@link WovenLibrary} as the agent weaves them): every
 * public {@code execute} overload is one logical call, nested calls pass through, and the interceptor
 * is a helper defined next to the library.
 */
@SuppressWarnings("deprecation")
class AdviceTest {
    private TestUpstream upstream;

    @BeforeAll
    static void weave() throws Exception {
        WovenLibrary.install();
    }

    @AfterEach
    void tearDown() {
        Mesh.install(null);
        if (upstream != null) {
            upstream.close();
        }
    }

    private static String read(CloseableHttpResponse response) throws IOException {
        try {
            return EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8) + " "
                    + response.getStatusLine().getStatusCode();
        } finally {
            response.close();
        }
    }

    @Test
    void theRealLibraryClassesAreWoven() {
        assertEquals(List.of(), WovenLibrary.ERRORS);
        assertTrue(WovenLibrary.TRANSFORMED.containsAll(new ApacheHttpClient4Module().targetTypes()),
                "transformed: " + WovenLibrary.TRANSFORMED);
    }

    @Test
    void theMatcherFindsExactlyTheConcreteDoExecuteOfEachTarget() throws Exception {
        for (String target : new ApacheHttpClient4Module().targetTypes()) {
            TypeDescription type = TypeDescription.ForLoadedType.of(Class.forName(target));
            List<MethodDescription.InDefinedShape> matched = type.getDeclaredMethods()
                    .filter(ApacheHttpClient4Module.doExecuteMethod());
            assertEquals(1, matched.size(), target);
        }
        TypeDescription closeable = TypeDescription.ForLoadedType.of(CloseableHttpClient.class);
        assertEquals(0, closeable.getDeclaredMethods().filter(ApacheHttpClient4Module.doExecuteMethod()).size());
    }

    @ParameterizedTest
    @EnumSource(Clients.class)
    void everyExecuteOverloadIsOneLogicalCall(Clients kind) throws Throwable {
        upstream = TestUpstream.busyEveryOther();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        HttpHost inventory = new HttpHost("inventory");
        ResponseHandler<String> handler = response -> EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8)
                + " " + response.getStatusLine().getStatusCode();

        try (CloseableHttpClient client = kind.create()) {
            List<ThrowingSupplier<String>> overloads = List.of(
                    () -> read(client.execute(get())),
                    () -> read(client.execute(get(), HttpClientContext.create())),
                    () -> read(client.execute(inventory, relative())),
                    () -> read(client.execute(inventory, relative(), HttpClientContext.create())),
                    () -> client.execute(get(), handler),
                    () -> client.execute(get(), handler, HttpClientContext.create()),
                    () -> client.execute(inventory, relative(), handler),
                    () -> client.execute(inventory, relative(), handler, HttpClientContext.create()));
            for (int i = 0; i < overloads.size(); i++) {
                assertEquals("ok 200", overloads.get(i).get(), "overload " + i);
                assertEquals(i + 1, engine.calls.size(), "logical calls after overload " + i);
            }
        }

        assertEquals(16, upstream.seen.size()); // each call: the 503 the mesh retried, then the 200
        for (TestUpstream.Seen seen : upstream.seen) {
            assertEquals("/x", seen.path());
            assertEquals("q=1", seen.query());
        }
        engine.calls.forEach(call -> assertEquals("GET http://inventory/x", call.toString()));
    }

    private static HttpGet get() {
        return new HttpGet("http://inventory/x?q=1");
    }

    private static BasicHttpRequest relative() {
        return new BasicHttpRequest("GET", "/x?q=1");
    }

    @ParameterizedTest
    @EnumSource(Clients.class)
    void aCallMadeInsideAnAttemptPassesThrough(Clients kind) throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        try (CloseableHttpClient client = kind.create()) {
            CallDepth.enter();
            try {
                assertEquals("busy 503", read(client.execute(new HttpGet("http://" + upstream.authority() + "/x"))));
            } finally {
                CallDepth.exit();
            }
        }
        assertEquals(0, engine.calls.size());
        assertEquals(1, upstream.seen.size());
    }

    /** A client call made by an interceptor of another client, during that client's attempt, is part of it. */
    @Test
    void aClientCallInsideAnotherClientsAttemptIsNotASecondLogicalCall() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        try (TestUpstream tokens = TestUpstream.ok("token");
             CloseableHttpClient inner = HttpClients.createDefault()) {
            HttpRequestInterceptor fetchesAToken = (request, context) -> {
                try (CloseableHttpResponse token = inner.execute(new HttpGet("http://" + tokens.authority() + "/t"))) {
                    request.setHeader("X-Custom", EntityUtils.toString(token.getEntity()));
                }
            };
            try (CloseableHttpClient outer = HttpClients.custom().addInterceptorFirst(fetchesAToken).build()) {
                assertEquals("ok 200", read(outer.execute(new HttpGet("http://inventory/x"))));
            }
            assertEquals(2, tokens.seen.size()); // one token call per attempt, each passed through
        }
        assertEquals(1, engine.calls.size());
        assertEquals("GET http://inventory/x", engine.calls.get(0).toString());
        assertEquals(2, upstream.seen.size());
        assertEquals("token", upstream.seen.get(1).custom());
    }

    @Test
    void aDeprecatedWrapperAroundAWovenClientIsOneLogicalCall() throws Exception {
        upstream = TestUpstream.busyOnce();
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        HttpClient wrapper = new DecompressingHttpClient(new DefaultHttpClient());
        HttpResponse response = wrapper.execute(new HttpGet("http://inventory/x"));
        assertEquals(200, response.getStatusLine().getStatusCode());
        EntityUtils.consume(response.getEntity());
        assertEquals(1, engine.calls.size());
        assertEquals(2, upstream.seen.size());
    }

    @Test
    void oneInterceptorPerLibraryCopyDefinedInItsOwnLoader() throws Exception {
        upstream = TestUpstream.ok("fine");
        Mesh.install(new FakeEngine(upstream.port(), 0));
        for (Clients kind : Clients.values()) {
            try (CloseableHttpClient client = kind.create()) {
                assertEquals("fine 200", read(client.execute(new HttpGet("http://inventory/x"))));
            }
        }
        assertEquals(1, TestHelpers.INSTANCE.created.size(), "helpers: " + TestHelpers.INSTANCE.created);
        Object helper = TestHelpers.INSTANCE.created.get(0);
        assertEquals(ApacheHttpClient4Interceptor.class.getName(), helper.getClass().getName());
        assertNotSame(ApacheHttpClient4Interceptor.class, helper.getClass());
        assertInstanceOf(TestHelpers.HelperLoader.class, helper.getClass().getClassLoader());
        Set<ClassLoader> loaders = new HashSet<>();
        for (Clients kind : Clients.values()) {
            loaders.add(Class.forName(kind.wovenType).getClassLoader());
        }
        assertEquals(Set.of(helper.getClass().getClassLoader().getParent()), loaders);
    }

    @Test
    void theModuleDescribesItself() {
        ApacheHttpClient4Module module = new ApacheHttpClient4Module();
        assertEquals("apache-httpclient-4", module.name());
        assertEquals(List.of(), module.jdkModules());
        assertEquals(List.of("org.apache.http.impl.client.InternalHttpClient",
                "org.apache.http.impl.client.MinimalHttpClient",
                "org.apache.http.impl.client.AbstractHttpClient"), module.targetTypes());
    }
}
