package dev.jmesh.instrumentation.httpurlconnection;

import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.instrumentation.testing.FakeEngine;
import dev.jmesh.instrumentation.testing.TestTls;
import dev.jmesh.instrumentation.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLHandshakeException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code https:} calls routed from the service name to a loopback TLS server whose certificate is made for the test:
 * TLS is checked against the name the application used, with the application's own TLS settings.
 */
class MeshHttpsURLConnectionTest {
    /** Certificates for the service name, and for another name. */
    private static TestTls inventory;
    private static TestTls billing;

    private TestUpstream upstream;

    @BeforeAll
    static void certificates(@TempDir Path dir) throws IOException {
        inventory = TestTls.generate(dir, "inventory", "dns:inventory"); // not valid for 127.0.0.1
        billing = TestTls.generate(dir, "billing", "dns:billing");
    }

    @AfterEach
    void tearDown() {
        Mesh.install(null);
        if (upstream != null) {
            upstream.close();
        }
    }

    /** A TLS upstream on 127.0.0.1 presenting {@code tls}'s certificate, routed as "inventory". */
    private TestTls serve(TestTls tls) throws Exception {
        upstream = new TestUpstream(n -> new TestUpstream.Reply(200, 0, "secure"), tls.serverContext());
        Mesh.install(new FakeEngine(upstream.port(), 0));
        return tls;
    }

    private static HttpsURLConnection open() throws IOException {
        return new MeshHttpsURLConnection(new URL("https://inventory/items/1"), null);
    }

    private static String read(HttpsURLConnection c) throws IOException {
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aRoutedCallVerifiesTheCertificateAgainstTheServiceNameWithTheAppsTrust() throws Exception {
        TestTls tls = serve(inventory);

        HttpsURLConnection c = open();
        c.setSSLSocketFactory(tls.clientContext().getSocketFactory());

        assertEquals(200, c.getResponseCode());
        // as with the JDK's own connection: asked while the response is open (reading it to the end releases it)
        X509Certificate server = (X509Certificate) c.getServerCertificates()[0];
        assertEquals("CN=inventory", server.getSubjectX500Principal().getName());
        assertTrue(c.getCipherSuite().startsWith("TLS_"), c.getCipherSuite());
        assertEquals("secure", read(c));
        assertEquals("/items/1", upstream.seen.get(0).path());
    }

    @Test
    void aCertificateForAnotherNameIsRefused() throws Exception {
        TestTls tls = serve(billing);

        HttpsURLConnection c = open();
        c.setSSLSocketFactory(tls.clientContext().getSocketFactory());

        assertThrows(SSLHandshakeException.class, c::getResponseCode);
        assertEquals(List.of(), upstream.seen, "no request went out");
    }

    @Test
    void theAppsTrustIsUsedNotTheJvmDefault() throws Exception {
        serve(inventory);

        HttpsURLConnection c = open(); // no socket factory: the JVM's default trust does not know the certificate

        assertThrows(SSLHandshakeException.class, c::getResponseCode);
    }

    @Test
    void theAppsHostnameVerifierIsAskedAboutTheServiceName() throws Exception {
        TestTls tls = serve(billing);
        List<String> asked = new CopyOnWriteArrayList<>();

        HttpsURLConnection c = open();
        c.setSSLSocketFactory(tls.clientContext().getSocketFactory());
        c.setHostnameVerifier((host, session) -> {
            asked.add(host);
            return true;
        });

        assertEquals(200, c.getResponseCode());
        assertEquals(List.of("inventory"), asked);
    }

    @Test
    void certificatesAreAskedForOnlyOnceTheConnectionIsOpen() throws Exception {
        serve(inventory);

        HttpsURLConnection c = open();

        assertThrows(IllegalStateException.class, c::getServerCertificates);
    }
}
