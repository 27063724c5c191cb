package dev.jmesh.instrumentation.apachehttpclient4;

import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.VersionInfo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The build runs this suite once per end of the claimed range (see the pom's surefire executions); this
 * checks that each run really has the library version it claims to test.
 */
class VersionTest {

    @Test
    void theClassPathHasTheLibraryVersionThisRunClaims() throws IOException {
        String expected = System.getProperty("jmesh.test.httpclient.version");
        assumeTrue(expected != null, "not run by the build");
        VersionInfo client = VersionInfo.loadVersionInfo("org.apache.http.client", HttpClients.class.getClassLoader());
        assertEquals(expected, client.getRelease());
        ClassLoader loader = HttpClients.class.getClassLoader();
        // exactly one copy of each library jar: the swapped-out version must be gone, not merely shadowed
        List<URL> clients = Collections.list(loader.getResources("org/apache/http/client/version.properties"));
        List<URL> cores = Collections.list(loader.getResources("org/apache/http/version.properties"));
        assertEquals(1, clients.size(), clients.toString());
        assertEquals(1, cores.size(), cores.toString());
        System.out.println("[version] Apache HttpClient " + client.getRelease() + ", HttpCore "
                + VersionInfo.loadVersionInfo("org.apache.http", HttpClients.class.getClassLoader()).getRelease());
    }
}
