package dev.jmesh.agent.admin;

import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.MeshConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Where the admin endpoint listens, for each way the config can say it (DESIGN.md's contract). */
class AdminEndpointTest {

    private static Map<String, Boolean> wanted(String telemetry) throws Exception {
        MeshConfig config = ConfigLoader.parse("telemetry:\n" + telemetry, "mesh.yaml").config();
        return AdminEndpoint.wanted(config);
    }

    @Test
    void withoutAdminThePrometheusAddressServesEverything() throws Exception {
        assertEquals(Map.of("127.0.0.1:9464", true), wanted("  metrics: { prometheus: { port: 9464 } }\n"));
    }

    @Test
    void adminAloneServesEverythingOnLoopbackByDefault() throws Exception {
        assertEquals(Map.of("127.0.0.1:9901", true), wanted("  admin: { port: 9901 }\n"));
    }

    @Test
    void adminAndPrometheusOnOneAddressAreOneServer() throws Exception {
        assertEquals(Map.of("127.0.0.1:9464", true), wanted("  admin: { port: 9464 }\n"
                + "  metrics: { prometheus: { host: 127.0.0.1, port: 9464 } }\n"));
    }

    @Test
    void onTwoAddressesThePrometheusOneServesMetricsOnly() throws Exception {
        assertEquals(Map.of("127.0.0.1:9901", true, "0.0.0.0:9464", false), wanted("  admin: { port: 9901 }\n"
                + "  metrics: { prometheus: { host: 0.0.0.0, port: 9464 } }\n"));
    }

    @Test
    void statsdOrOtlpAloneOpenNoPort() throws Exception {
        assertEquals(Map.of(), wanted("  metrics: { statsd: { port: 8125 }, otlp: { endpoint: \"http://c:4318\" } }\n"));
    }
}
