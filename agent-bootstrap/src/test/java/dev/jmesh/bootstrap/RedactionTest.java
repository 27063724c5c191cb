package dev.jmesh.bootstrap;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RedactionTest {

    @Test
    void urlsLoseTheirUserInfoAndQuery() {
        assertEquals("Server returned HTTP response code: 503 for URL: http://<redacted>@inventory/items/1?<redacted>",
                Redaction.redact("Server returned HTTP response code: 503 for URL: http://bob:pa55@inventory/items/1?token=abc&x=1"));
        assertEquals("GET https://api.example.com/v1/x?<redacted> failed",
                Redaction.redact("GET https://api.example.com/v1/x#frag failed"));
    }

    @Test
    void connectionStringsAndQuotedHeadersLoseTheirSecrets() {
        assertEquals("jdbc:postgresql://db1:5432/orders?<redacted>",
                Redaction.redact("jdbc:postgresql://db1:5432/orders?user=app&password=hunter2"));
        assertEquals("jdbc:sqlserver://db;user=app;password=<redacted>;encrypt=true",
                Redaction.redact("jdbc:sqlserver://db;user=app;password=hunter2;encrypt=true"));
        assertEquals("Authorization: Bearer <redacted>", Redaction.redact("Authorization: Bearer eyJhbGciOi.x-y"));
        assertEquals("token=<redacted> api_key: <redacted>", Redaction.redact("token=abc api_key: xyz"));
        assertEquals("Cookie=<redacted>", Redaction.redact("Cookie=session42"));
        assertEquals("authorization=<redacted>", Redaction.redact("authorization=abc"));
        assertEquals("Proxy-Authorization: Basic <redacted>", Redaction.redact("Proxy-Authorization: Basic dXNlcjpwYXNz"));
    }

    @Test
    void plainMessagesAreUnchanged() {
        assertEquals("Connection refused", Redaction.redact("Connection refused"));
        assertEquals("jmesh: service 'inventory' timed out after 500ms (2 attempts)",
                Redaction.redact("jmesh: service 'inventory' timed out after 500ms (2 attempts)"));
        assertNull(Redaction.redact(null));
        assertNull(Redaction.describe(null));
        assertEquals("java.io.IOException: http://h/p?<redacted>",
                Redaction.describe(new IOException("http://h/p?q=1")));
    }
}
