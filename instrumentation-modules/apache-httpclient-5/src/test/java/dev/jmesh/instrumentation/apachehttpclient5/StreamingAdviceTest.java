package dev.jmesh.instrumentation.apachehttpclient5;

import dev.jmesh.bootstrap.Helpers;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.instrumentation.testing.FakeEngine;
import dev.jmesh.instrumentation.testing.TestHelpers;
import dev.jmesh.instrumentation.testing.TestUpstream;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http.nio.entity.StringAsyncEntityConsumer;
import org.apache.hc.core5.http.nio.support.AsyncRequestBuilder;
import org.apache.hc.core5.http.nio.support.BasicResponseConsumer;
import org.apache.hc.core5.io.CloseMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.instrument.Instrumentation;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The async client's {@code execute(AsyncRequestProducer, AsyncResponseConsumer, ...)} woven in this JVM: routed,
 * a 503 retried before the application's consumer sees anything, a large response streamed to that consumer whole,
 * per-try timeouts as the library's {@code SocketTimeoutException}, the callback called exactly once, a streamed
 * body announced to the engine as not replayable, cancellation reaching the attempt in flight.
 */
class StreamingAdviceTest {
    private static Instrumentation instrumentation;
    private static ResettableClassFileTransformer transformer;

    private final CloseableHttpAsyncClient client = HttpAsyncClients.custom().disableAutomaticRetries().build();
    private TestUpstream upstream;

    @BeforeAll
    static void weave() {
        instrumentation = ByteBuddyAgent.install();
        Helpers.install(TestHelpers.INSTANCE);
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.Listener.StreamWriting.toSystemError().withErrorsOnly());
        transformer = new ApacheHttpClient5Module().instrument(builder).installOn(instrumentation);
    }

    @AfterAll
    static void unweave() {
        transformer.reset(instrumentation, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
        Helpers.install(null);
    }

    @AfterEach
    void tearDown() {
        Mesh.install(null);
        client.close(CloseMode.IMMEDIATE);
        if (upstream != null) {
            upstream.close();
        }
    }

    /** Records every callback, to show each future calls exactly one of them exactly once. */
    private static final class Recorder implements FutureCallback<Message<HttpResponse, String>> {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void completed(Message<HttpResponse, String> result) {
            calls.add("completed " + result.getHead().getCode());
        }

        @Override
        public void failed(Exception ex) {
            calls.add("failed " + ex.getClass().getSimpleName());
        }

        @Override
        public void cancelled() {
            calls.add("cancelled");
        }

        void await() throws InterruptedException {
            for (int i = 0; i < 1000 && calls.isEmpty(); i++) {
                Thread.sleep(10);
            }
            Thread.sleep(100); // a second callback would come right after the first
        }
    }

    private Future<Message<HttpResponse, String>> execute(AsyncRequestBuilder request, Recorder recorder) {
        return client.execute(request.build(), new BasicResponseConsumer<>(new StringAsyncEntityConsumer()), recorder);
    }

    @Test
    void aRepeatableRequestIsRoutedAndA503RetriedBeforeTheConsumerSeesIt() throws Exception {
        String large = "x".repeat(300_000); // more than the library's windows: streamed to the consumer
        upstream = new TestUpstream(n -> n == 0 ? new TestUpstream.Reply(503, 0, "busy " + "b".repeat(100_000))
                : new TestUpstream.Reply(200, 0, large));
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        client.start();
        Recorder recorder = new Recorder();

        Message<HttpResponse, String> response = execute(AsyncRequestBuilder.post("http://inventory/orders?q=1")
                .addHeader("X-Custom", "abc")
                .setEntity(AsyncEntityProducers.create("{\"n\":1}".getBytes(StandardCharsets.UTF_8),
                        ContentType.APPLICATION_JSON)), recorder).get(10, TimeUnit.SECONDS);

        assertEquals(200, response.getHead().getCode());
        assertEquals(large, response.getBody());
        recorder.await();
        assertEquals(List.of("completed 200"), recorder.calls);
        OutboundCall call = engine.calls.get(0);
        assertEquals("inventory", call.host());
        assertEquals("/orders", call.path());
        assertTrue(call.replayable());
        assertEquals(7, call.bodyBytes());
        assertEquals(List.of(503, 200), engine.statuses);
        assertEquals(2, upstream.seen.size(), "the 503 was retried");
        for (TestUpstream.Seen seen : upstream.seen) {
            assertEquals("{\"n\":1}", seen.body(), "the repeatable body is sent whole each time");
            assertEquals("q=1", seen.query());
            assertEquals("abc", seen.custom());
        }
    }

    @Test
    void aStreamedBodyIsAnnouncedAsNotReplayable() throws Exception {
        upstream = TestUpstream.ok("ok");
        FakeEngine engine = new FakeEngine(upstream.port(), 0);
        Mesh.install(engine);
        client.start();
        Recorder recorder = new Recorder();

        Message<HttpResponse, String> response = execute(AsyncRequestBuilder.post("http://inventory/upload")
                .setEntity(new OneShot("streamed body")), recorder).get(10, TimeUnit.SECONDS);

        assertEquals("ok", response.getBody());
        assertFalse(engine.calls.get(0).replayable());
        assertEquals(-1, engine.calls.get(0).bodyBytes());
        assertEquals("streamed body", upstream.seen.get(0).body());
        recorder.await();
        assertEquals(List.of("completed 200"), recorder.calls);
    }

    @Test
    void aPerTryTimeoutFailsWithTheLibrarysSocketTimeoutExceptionOnce() throws Exception {
        upstream = TestUpstream.slow(5_000);
        Mesh.install(new FakeEngine(upstream.port(), 300));
        client.start();
        Recorder recorder = new Recorder();

        Future<Message<HttpResponse, String>> future = execute(AsyncRequestBuilder.get("http://inventory/x"), recorder);

        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        assertInstanceOf(SocketTimeoutException.class, e.getCause());
        recorder.await();
        assertEquals(List.of("failed SocketTimeoutException"), recorder.calls);
    }

    @Test
    void cancellingTheFutureCancelsTheAttemptAndCallsBackOnce() throws Exception {
        upstream = TestUpstream.slow(5_000);
        Mesh.install(new FakeEngine(upstream.port(), 0));
        client.start();
        Recorder recorder = new Recorder();

        Future<Message<HttpResponse, String>> future = execute(AsyncRequestBuilder.get("http://inventory/x"), recorder);
        for (int i = 0; i < 1000 && upstream.seen.isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertTrue(future.cancel(true));

        assertTrue(future.isCancelled());
        Thread.sleep(200);
        assertEquals(List.of("cancelled"), recorder.calls);
        assertEquals(1, upstream.seen.size());
    }

    @Test
    void withoutAServiceTheCallGoesWhereTheAppSentIt() throws Exception {
        upstream = TestUpstream.ok("direct");
        FakeEngine engine = new FakeEngine(1, 0); // would send "inventory" calls to a closed port
        Mesh.install(engine);
        client.start();

        Message<HttpResponse, String> response = execute(AsyncRequestBuilder.get(upstream.base() + "/d"), new Recorder())
                .get(10, TimeUnit.SECONDS);

        assertEquals("direct", response.getBody());
        assertEquals("127.0.0.1", engine.calls.get(0).host());
    }

    /** A body of unknown length that can be produced once. */
    private static final class OneShot implements AsyncEntityProducer {
        private final ByteBuffer bytes;

        OneShot(String text) {
            bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public boolean isRepeatable() {
            return false;
        }

        @Override
        public int available() {
            return bytes.remaining();
        }

        @Override
        public void produce(DataStreamChannel channel) throws java.io.IOException {
            channel.write(bytes);
            if (!bytes.hasRemaining()) {
                channel.endStream();
            }
        }

        @Override
        public long getContentLength() {
            return -1;
        }

        @Override
        public String getContentType() {
            return "text/plain";
        }

        @Override
        public String getContentEncoding() {
            return null;
        }

        @Override
        public boolean isChunked() {
            return true;
        }

        @Override
        public Set<String> getTrailerNames() {
            return Collections.emptySet();
        }

        @Override
        public void failed(Exception cause) {
        }

        @Override
        public void releaseResources() {
        }
    }
}
