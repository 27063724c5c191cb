package dev.jmesh.bootstrap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The facade's fail-open promise: the engine's own failures never reach the application. */
class MeshTest {
    private static final OutboundCall GET = new OutboundCall("http", "http", "inventory", 8080, "GET", "/", true);
    private static final OutboundCall STREAMED_POST =
            new OutboundCall("http", "http", "inventory", 8080, "POST", "/", false);

    @AfterEach
    void uninstall() {
        Mesh.install(null);
    }

    @Test
    void withoutAnEngineTheCallGoesWhereTheAppSentIt() throws Exception {
        Direct exchange = new Direct();

        assertEquals("200 from inventory:8080", Mesh.call(GET, exchange));
        assertEquals(List.of("inventory:8080"), exchange.targets);
    }

    @Test
    void anEngineBugBeforeAnyAttemptFallsBackToTheUntouchedCall() throws Exception {
        Mesh.install(engine((call, exchange) -> {
            throw new IllegalStateException("bug in the engine");
        }));
        Direct exchange = new Direct();
        long failuresBefore = Mesh.engineFailures();

        assertEquals("200 from inventory:8080", Mesh.call(GET, exchange));
        assertEquals(failuresBefore + 1, Mesh.engineFailures());
    }

    @Test
    void theLibrarysOwnFailuresReachTheAppUnchanged() {
        Direct exchange = new Direct();
        exchange.failure = new IOException("Connection reset");
        Mesh.install(engine((call, ex) -> ex.attempt("10.0.0.1", 80, 100)));

        IOException thrown = assertThrows(IOException.class, () -> Mesh.call(GET, exchange));

        assertSame(exchange.failure, thrown);
        assertEquals(List.of("10.0.0.1:80"), exchange.targets, "no second, unmanaged attempt");
    }

    @Test
    void exceptionsTheEngineBuiltThroughTheLibraryAreTheAppsToo() {
        Mesh.install(engine((call, ex) -> {
            throw ex.timeoutException("jmesh: timed out");
        }));

        SocketTimeoutException thrown = assertThrows(SocketTimeoutException.class, () -> Mesh.call(GET, new Direct()));
        assertEquals("jmesh: timed out", thrown.getMessage());
    }

    @Test
    void anEngineBugAfterANonReplayableRequestWasSentIsNotSentAgain() {
        Direct exchange = new Direct();
        Mesh.install(engine((call, ex) -> {
            ex.attempt("10.0.0.1", 80, 0);
            throw new IllegalStateException("bug after the attempt");
        }));

        IOException thrown = assertThrows(IOException.class, () -> Mesh.call(STREAMED_POST, exchange));

        assertTrue(thrown.getMessage().startsWith("jmesh: internal error"), thrown.getMessage());
        assertEquals(List.of("10.0.0.1:80"), exchange.targets, "the body went out once");
    }

    @Test
    void anAsyncEngineBugFallsBackToTheUntouchedCall() throws Exception {
        Mesh.install(new MeshEngine() {
            @Override
            public <R> R call(OutboundCall call, BlockingExchange<R> exchange) {
                throw new UnsupportedOperationException();
            }

            @Override
            public <R> CompletableFuture<R> callAsync(OutboundCall call, AsyncExchange<R> exchange) {
                CompletableFuture<R> failed = new CompletableFuture<>();
                failed.completeExceptionally(new IllegalStateException("bug in the engine"));
                return failed;
            }
        });

        assertEquals("200 from inventory:8080", Mesh.callAsync(GET, new DirectAsync()).get());
    }

    @Test
    void anAsyncLibraryFailureReachesTheAppUnchanged() {
        Mesh.install(new MeshEngine() {
            @Override
            public <R> R call(OutboundCall call, BlockingExchange<R> exchange) {
                throw new UnsupportedOperationException();
            }

            @Override
            public <R> CompletableFuture<R> callAsync(OutboundCall call, AsyncExchange<R> exchange) {
                return exchange.attempt("10.0.0.1", 80, 0);
            }
        });
        DirectAsync exchange = new DirectAsync();
        exchange.failure = new IOException("Connection reset");

        ExecutionException thrown = assertThrows(ExecutionException.class,
                () -> Mesh.callAsync(GET, exchange).get());

        assertSame(exchange.failure, thrown.getCause());
        assertEquals(1, exchange.attempts, "no second, unmanaged attempt");
    }

    /** A blocking engine written as a lambda. */
    interface BlockingEngine {
        Object call(OutboundCall call, BlockingExchange<Object> exchange) throws Exception;
    }

    @SuppressWarnings("unchecked")
    private static MeshEngine engine(BlockingEngine body) {
        return new MeshEngine() {
            @Override
            public <R> R call(OutboundCall call, BlockingExchange<R> exchange) throws Exception {
                return (R) body.call(call, (BlockingExchange<Object>) exchange);
            }

            @Override
            public <R> CompletableFuture<R> callAsync(OutboundCall call, AsyncExchange<R> exchange) {
                throw new UnsupportedOperationException();
            }
        };
    }

    /** Base of both test exchanges: statuses and the library's exception types. */
    abstract static class Library<R> implements Exchange<R> {
        @Override
        public int statusOf(R response) {
            return 200;
        }

        @Override
        public void discard(R response) {
        }

        @Override
        public Exception timeoutException(String message) {
            return new SocketTimeoutException(message);
        }

        @Override
        public Exception rejectedException(String message) {
            return new IOException(message);
        }
    }

    /** Records the targets it was asked for and answers "200 from host:port", or fails as told. */
    static final class Direct extends Library<Object> implements BlockingExchange<Object> {
        final List<String> targets = new ArrayList<>();
        IOException failure;

        @Override
        public Object attempt(String host, int port, int timeoutMillis) throws IOException {
            targets.add(host + ":" + port);
            if (failure != null) {
                throw failure;
            }
            return "200 from " + host + ":" + port;
        }
    }

    static final class DirectAsync extends Library<String> implements AsyncExchange<String> {
        int attempts;
        IOException failure;

        @Override
        public CompletableFuture<String> attempt(String host, int port, int timeoutMillis) {
            attempts++;
            CompletableFuture<String> future = new CompletableFuture<>();
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                future.complete("200 from " + host + ":" + port);
            }
            return future;
        }
    }
}
