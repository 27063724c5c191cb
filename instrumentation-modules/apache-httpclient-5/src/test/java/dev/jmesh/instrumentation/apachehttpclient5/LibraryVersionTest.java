package dev.jmesh.instrumentation.apachehttpclient5;

import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.HttpHost;
import org.junit.jupiter.api.Test;

import java.net.URL;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The build runs this suite twice, against the oldest and the newest HttpClient 5 the module claims
 * (see the surefire executions in pom.xml); this proves which one a run actually loaded.
 */
class LibraryVersionTest {

    @Test
    void theClaimedLibraryVersionIsTheOneOnTheClassPath() {
        String expected = System.getProperty("jmesh.test.httpclient5.version");
        assumeTrue(expected != null, "run by Maven, which names the version under test");
        URL jar = CloseableHttpClient.class.getProtectionDomain().getCodeSource().getLocation();
        System.out.println("[jmesh test] Apache HttpClient under test: " + jar);
        assertTrue(jar.getPath().endsWith("/httpclient5-" + expected + ".jar"), jar + " is not version " + expected);
        String expectedCore = System.getProperty("jmesh.test.httpcore5.version");
        URL core = HttpHost.class.getProtectionDomain().getCodeSource().getLocation();
        System.out.println("[jmesh test] Apache HttpCore under test: " + core);
        assertTrue(core.getPath().endsWith("/httpcore5-" + expectedCore + ".jar"), core + " is not version " + expectedCore);
    }
}
