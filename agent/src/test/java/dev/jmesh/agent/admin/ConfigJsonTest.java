package dev.jmesh.agent.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.MeshConfig;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigJsonTest {

    private static String json(String yaml) throws Exception {
        MeshConfig config = ConfigLoader.parse(yaml, "mesh.yaml").config();
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            ConfigJson.write(config, g);
        }
        return out.toString();
    }

    @Test
    void showsTheEffectiveConfigWithConfigNames() throws Exception {
        String json = json("""
                service: shop
                services:
                  inventory:
                    endpoints: ["10.0.0.5:8080"]
                    loadBalancer: least_request
                    timeout: 2s
                    retry: { maxAttempts: 3, retryOn: [5xx, connect-failure] }
                """);
        assertTrue(json.contains("\"service\":\"shop\""), json);
        assertTrue(json.contains("\"loadBalancer\":\"least_request\""), json);
        assertTrue(json.contains("\"timeout\":\"2s\""), json);
        assertTrue(json.contains("\"retryOn\":[\"connect-failure\",\"5xx\"]"), json);
        assertTrue(json.contains("\"host\":\"10.0.0.5\",\"port\":8080"), json);
    }

    @Test
    void redactsTokensPasswordsAndUserInfo() throws Exception {
        String json = json("""
                controlPlane:
                  http: { url: "https://ops:hunter2@cp.example.com/mesh.yaml", tokenFile: /run/secrets/cp-token }
                routes:
                  - match: { host: inventory, headers: { authorization: "Bearer abc123" } }
                databases:
                  orders-db: { match: "jdbc:postgresql://orders-db:5432/orders?user=app&password=s3cret" }
                """);
        for (String secret : new String[] {"hunter2", "cp-token", "abc123", "s3cret"}) {
            assertFalse(json.contains(secret), secret + " must not show: " + json);
        }
        assertTrue(json.contains("https://<redacted>@cp.example.com/mesh.yaml"), json);
        assertTrue(json.contains("password=<redacted>"), json);
        assertTrue(json.contains("\"tokenFile\":\"<redacted>\""), json);
    }

    @Test
    void redactsUrlUserInfoAndJdbcPasswordsInAnyString() {
        assertEquals("jdbc:mysql://<redacted>@db:3306/x", ConfigJson.redactString("jdbc:mysql://root:pw@db:3306/x"));
        assertEquals("jdbc:sqlserver://db;user=sa;password=<redacted>;encrypt=true",
                ConfigJson.redactString("jdbc:sqlserver://db;user=sa;password=Pa55;encrypt=true"));
        assertEquals("http://inventory/items", ConfigJson.redactString("http://inventory/items"));
    }
}
