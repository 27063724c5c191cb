package dev.jmesh.instrumentation.apachehttpclient4;

import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.instrumentation.testing.FakeEngine;
import dev.jmesh.instrumentation.testing.TestTls;
import dev.jmesh.instrumentation.testing.TestUpstream;
import org.apache.http.HttpHost;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * https calls to {@code https://inventory/...} routed to a TLS server on 127.0.0.1. From HttpCore 4.4 (an
 * {@code HttpHost} that carries an address) TLS is about the service's name: a certificate for {@code inventory}
 * only is accepted on the endpoint's address, the 503 is retried over TLS. A certificate for another name fails with
 * the library's own {@code SSLException} in every version. With 4.3 the attempt is verified against the endpoint's
 * address, so the service's certificate is refused: the library cannot connect to one address under another name.
 */
class TlsRoutingTest {
    @TempDir
    Path dir;
    private TestUpstream upstream;
    private CloseableHttpClient client;

    @BeforeAll
    static void weave() throws Exception {
        WovenLibrary.install();
    }

    @AfterEach
    void tearDown() throws Exception {
        Mesh.install(null);
        if (client != null) {
            client.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private static boolean hostCarriesAddress() {
        try {
            HttpHost.class.getConstructor(InetAddress.class, String.class, int.class, String.class);
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private void start(TestTls served) throws Exception {
        upstream = new TestUpstream(n -> n == 0 ? new TestUpstream.Reply(503, 0, "busy")
                : new TestUpstream.Reply(200, 0, "secure"), served.serverContext());
        Mesh.install(new FakeEngine(upstream.port(), 0));
        client = HttpClients.custom().setSSLSocketFactory(new SSLConnectionSocketFactory(served.clientContext())).build();
    }

    @Test
    void aCertificateForTheServiceNameIsAcceptedOnTheEndpointsAddress() throws Exception {
        start(TestTls.generate(dir, "inventory", "dns:inventory"));

        if (hostCarriesAddress()) {
            try (CloseableHttpResponse response = client.execute(new HttpGet("https://inventory/c"))) {
                assertEquals("secure", EntityUtils.toString(response.getEntity()));
            }
            assertEquals(List.of("/c", "/c"), upstream.seen.stream().map(TestUpstream.Seen::path).toList(),
                    "the 503 was retried over TLS");
        } else {
            assertThrows(SSLException.class, () -> client.execute(new HttpGet("https://inventory/c")));
            assertEquals(List.of(), upstream.seen);
        }
    }

    @Test
    void aCertificateForAnotherNameStillFailsWithTheLibrarysSslException() throws Exception {
        start(TestTls.generate(dir, "billing", "dns:billing"));

        assertThrows(SSLException.class, () -> client.execute(new HttpGet("https://inventory/c")));
        assertEquals(List.of(), upstream.seen, "no request left the client");
    }
}
