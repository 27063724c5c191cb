package dev.jmesh.instrumentation.okhttp;

import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each test run uses the OkHttp version it claims to (the build swaps versions; see the module's pom). */
class LibraryVersionTest {

    @Test
    void theExpectedOkHttpIsOnTheClassPath() {
        String expected = System.getProperty("jmesh.test.okhttp.version");
        assertNotNull(expected, "run by Maven, which says which OkHttp version this run uses");
        String jar = OkHttpClient.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        assertTrue(jar.endsWith("-" + expected + ".jar"), jar + " is not OkHttp " + expected);
    }
}
