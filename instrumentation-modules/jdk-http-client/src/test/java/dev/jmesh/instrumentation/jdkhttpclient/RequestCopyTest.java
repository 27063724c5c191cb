package dev.jmesh.instrumentation.jdkhttpclient;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How one attempt's request is derived from the application's. */
class RequestCopyTest {

    @Test
    void keepsTheApplicationsRequestWhenNothingChanges() {
        HttpRequest original = HttpRequest.newBuilder(URI.create("http://inventory:8080/x"))
                .timeout(Duration.ofSeconds(3)).build();
        assertSame(original, JdkHttpClientInterceptor.requestFor(original, "inventory", 8080, 0));
        assertSame(original, JdkHttpClientInterceptor.requestFor(original, "INVENTORY", 8080, 5000));
    }

    @Test
    void copiesEverythingButTheAuthority() {
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofString("payload");
        HttpRequest original = HttpRequest.newBuilder(URI.create("https://inventory/a%20b/c?x=1%262&y#frag"))
                .method("PATCH", body)
                .header("X-Custom", "one")
                .header("X-Custom", "two")
                .header("Accept", "application/json")
                .expectContinue(true)
                .version(HttpClient.Version.HTTP_1_1)
                .build();

        HttpRequest copy = JdkHttpClientInterceptor.requestFor(original, "10.0.0.5", 8443, 0);

        assertEquals(URI.create("https://10.0.0.5:8443/a%20b/c?x=1%262&y"), copy.uri());
        assertEquals("PATCH", copy.method());
        assertSame(body, copy.bodyPublisher().orElseThrow());
        assertEquals(List.of("one", "two"), copy.headers().allValues("x-custom"));
        assertEquals(List.of("application/json"), copy.headers().allValues("Accept"));
        assertTrue(copy.expectContinue());
        assertEquals(Optional.of(HttpClient.Version.HTTP_1_1), copy.version());
        assertEquals(Optional.empty(), copy.timeout());
    }

    @Test
    void bodilessGetAndDeleteStayBodiless() {
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://inventory/x")).build();
        HttpRequest delete = HttpRequest.newBuilder(URI.create("http://inventory/x")).DELETE().build();
        HttpRequest copyOfGet = JdkHttpClientInterceptor.requestFor(get, "127.0.0.1", 1, 0);
        HttpRequest copyOfDelete = JdkHttpClientInterceptor.requestFor(delete, "127.0.0.1", 1, 0);
        assertEquals("GET", copyOfGet.method());
        assertFalse(copyOfGet.bodyPublisher().isPresent());
        assertEquals("DELETE", copyOfDelete.method());
        assertFalse(copyOfDelete.bodyPublisher().isPresent());
        assertFalse(copyOfGet.expectContinue());
        assertEquals(Optional.empty(), copyOfGet.version());
    }

    @Test
    void usesTheTighterTimeout() {
        HttpRequest own2s = HttpRequest.newBuilder(URI.create("http://inventory/x")).timeout(Duration.ofSeconds(2)).build();
        HttpRequest none = HttpRequest.newBuilder(URI.create("http://inventory/x")).build();
        assertEquals(Optional.of(Duration.ofMillis(500)),
                JdkHttpClientInterceptor.requestFor(own2s, "inventory", -1, 500).timeout());
        assertEquals(Optional.of(Duration.ofSeconds(2)),
                JdkHttpClientInterceptor.requestFor(own2s, "127.0.0.1", 80, 5000).timeout());
        assertEquals(Optional.of(Duration.ofSeconds(2)),
                JdkHttpClientInterceptor.requestFor(own2s, "127.0.0.1", 80, 0).timeout());
        assertEquals(Optional.of(Duration.ofMillis(250)),
                JdkHttpClientInterceptor.requestFor(none, "inventory", -1, 250).timeout());
        assertNull(JdkHttpClientInterceptor.tighterTimeout(null, 0));
    }

    @Test
    void retargetsToIpv6AndDefaultPorts() {
        URI uri = URI.create("http://inventory:9000/p?q");
        assertEquals(URI.create("http://[::1]:8080/p?q"), JdkHttpClientInterceptor.retarget(uri, "::1", 8080));
        assertEquals(URI.create("http://[::1]:8080/p?q"), JdkHttpClientInterceptor.retarget(uri, "[::1]", 8080));
        assertEquals(URI.create("http://backend/p?q"), JdkHttpClientInterceptor.retarget(uri, "backend", -1));
        assertEquals(URI.create("http://backend:1"),
                JdkHttpClientInterceptor.retarget(URI.create("http://inventory"), "backend", 1));
    }

    @Test
    void skipsHeadersTheJdkRestricts() {
        HttpRequest base = HttpRequest.newBuilder(URI.create("http://inventory/x")).build();
        HttpHeaders withRestricted = HttpHeaders.of(Map.of(
                "Host", List.of("inventory"),
                "Connection", List.of("close"),
                "Content-Length", List.of("0"),
                "Expect", List.of("100-continue"),
                "Upgrade", List.of("h2c"),
                "X-Custom", List.of("kept")), (name, value) -> true);
        HttpRequest custom = new DelegatingRequest(base) {
            @Override
            public HttpHeaders headers() {
                return withRestricted;
            }
        };

        HttpRequest copy = JdkHttpClientInterceptor.requestFor(custom, "127.0.0.1", 8080, 0);

        assertEquals(Map.of("X-Custom", List.of("kept")), copy.headers().map());
    }
}
