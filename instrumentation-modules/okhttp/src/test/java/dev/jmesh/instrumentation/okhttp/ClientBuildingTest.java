package dev.jmesh.instrumentation.okhttp;

import dev.jmesh.instrumentation.testing.TestHelpers;

import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the woven {@code OkHttpClient(Builder)} constructor does to the builder's interceptors. */
class ClientBuildingTest {
    private final MeshInterceptor mesh = new MeshInterceptor();
    private final Interceptor first = chain -> chain.proceed(chain.request());
    private final Interceptor second = chain -> chain.proceed(chain.request());

    private OkHttpClient build(OkHttpClient.Builder builder) {
        mesh.clientBuilding(builder); // what the constructor advice does, through the bridge
        return builder.build();
    }

    @Test
    void theMeshComesLastBehindTheApplicationsInterceptors() {
        Interceptor network = chain -> chain.proceed(chain.request());
        OkHttpClient client = build(new OkHttpClient.Builder().addInterceptor(first).addInterceptor(second)
                .addNetworkInterceptor(network));

        assertEquals(List.of(first, second, mesh), client.interceptors());
        assertEquals(List.of(network), client.networkInterceptors());
    }

    @Test
    void copiesFromNewBuilderKeepOneMeshBehindInterceptorsAddedLater() {
        OkHttpClient original = build(new OkHttpClient.Builder().addInterceptor(first));
        OkHttpClient copy = build(original.newBuilder());
        OkHttpClient extended = build(copy.newBuilder().addInterceptor(second));
        OkHttpClient.Builder clearing = extended.newBuilder();
        clearing.interceptors().clear();
        OkHttpClient cleared = build(clearing);

        assertEquals(List.of(first, mesh), original.interceptors());
        assertEquals(List.of(first, mesh), copy.interceptors());
        assertEquals(List.of(first, second, mesh), extended.interceptors());
        assertEquals(List.of(mesh), cleared.interceptors());
    }

    @Test
    void aMeshInterceptorFromAnotherHelperLoaderIsReplacedNotDoubled() throws Exception {
        Object foreign = TestHelpers.INSTANCE.create(MeshInterceptor.class.getName(),
                OkHttpClient.class.getClassLoader());
        assertNotSame(MeshInterceptor.class, foreign.getClass());
        assertTrue(MeshInterceptor.isMesh(foreign));
        OkHttpClient.Builder builder = new OkHttpClient.Builder();
        builder.interceptors().add((Interceptor) foreign);
        builder.interceptors().add(first);

        OkHttpClient client = build(builder);

        assertEquals(2, client.interceptors().size());
        assertSame(first, client.interceptors().get(0));
        assertSame(mesh, client.interceptors().get(1));
    }
}
