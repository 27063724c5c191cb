package dev.jmesh.instrumentation.okhttp;

import dev.jmesh.instrumentation.testing.TestHelpers;

import dev.jmesh.instrumentation.testing.TestUpstream;
import dev.jmesh.instrumentation.testing.FakeEngine;

import dev.jmesh.bootstrap.Helpers;
import dev.jmesh.bootstrap.Mesh;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs only against an OkHttp older than the claimed range (3.8.1, see the pom): the advice is woven as
 * always, but the clients get no mesh interceptor and the application's calls work untouched.
 */
class UnsupportedVersionTest {
    private static Weaving weaving;

    @BeforeAll
    static void weave() {
        Helpers.install(TestHelpers.INSTANCE);
        weaving = new Weaving();
    }

    @AfterAll
    static void unweave() {
        weaving.close();
        Helpers.install(null);
        Mesh.install(null);
    }

    @Test
    void clientsOfAnOlderOkHttpPassThrough() throws Exception {
        try (TestUpstream upstream = TestUpstream.ok("direct")) {
            FakeEngine engine = new FakeEngine(upstream.port(), 0);
            Mesh.install(engine);
            OkHttpClient client = new OkHttpClient.Builder().build();

            try (Response response = client.newCall(new Request.Builder().url(upstream.base() + "/x").build())
                    .execute()) {
                assertEquals("direct", response.body().string());
            }
            RecordingCallback callback = new RecordingCallback();
            client.newCall(new Request.Builder().url(upstream.base() + "/y").build()).enqueue(callback);
            callback.awaitExactlyOnce();

            assertEquals(List.of(), weaving.errors);
            assertTrue(weaving.woven.contains(OkHttpModule.CLIENT), weaving.woven.toString());
            assertEquals(List.of(), client.interceptors());
            assertEquals(List.of("direct"), callback.bodies);
            assertTrue(engine.calls.isEmpty());
        }
    }
}
