package dev.jmesh.demo.clients;

import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

import okio.BufferedSink;
import okio.Okio;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * OkHttp, written against the 3.x API that 4.x and 5.x keep for Java callers: one shared client with
 * OkHttp's defaults, {@code Call.execute()} or {@code Call.enqueue(Callback)} waited for with a latch.
 */
final class OkHttpCalls implements LibraryClients.Client {
    private static final MediaType JSON = MediaType.parse("application/json; charset=utf-8");

    private final boolean async;
    private final long cancelAfterMillis;
    private final OkHttpClient client = new OkHttpClient();

    /** @param cancelAfterMillis enqueue: cancel the call when no callback came within this time (0 = wait) */
    OkHttpCalls(boolean async, long cancelAfterMillis) {
        this.async = async;
        this.cancelAfterMillis = cancelAfterMillis;
        LibraryClients.announce(async ? "okhttp-async" : "okhttp", OkHttpClient.class);
    }

    @Override
    public LibraryClients.Reply call(String url, String method, Body body) throws Exception {
        Request.Builder request = new Request.Builder().url(url);
        if (body != null) {
            request.method(method, body.streamed() ? streamed(body) : RequestBody.create(JSON, body.bytes()));
        } else {
            request.method(method, null);
        }
        Call call = client.newCall(request.build());
        return async ? enqueue(call, cancelAfterMillis) : execute(call);
    }

    /** A body OkHttp learns nothing about in advance: unknown length, written from a stream. */
    private static RequestBody streamed(Body body) {
        return new RequestBody() {
            @Override
            public MediaType contentType() {
                return JSON;
            }

            @Override
            public long contentLength() {
                return -1;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                try (InputStream in = body.newStream()) {
                    sink.writeAll(Okio.source(in));
                }
            }
        };
    }

    private static LibraryClients.Reply execute(Call call) throws IOException {
        try (Response response = call.execute()) {
            return read(response);
        }
    }

    /**
     * The asynchronous way: the callback runs on OkHttp's dispatcher thread; the caller waits for it. With
     * {@code cancelAfterMillis}, the caller gives up after that long: {@code Call.cancel()}, then the callback
     * OkHttp owes it (a failure) is waited for and thrown.
     */
    private static LibraryClients.Reply enqueue(Call call, long cancelAfterMillis) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger callbacks = new AtomicInteger();
        AtomicReference<LibraryClients.Reply> reply = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                if (callbacks.incrementAndGet() > 1) {
                    System.err.println("library-clients: okhttp-async callback called again (onFailure " + e + ")");
                    return;
                }
                failure.set(e);
                done.countDown();
            }

            @Override
            public void onResponse(Call c, Response response) {
                try (Response r = response) {
                    if (callbacks.incrementAndGet() > 1) {
                        System.err.println("library-clients: okhttp-async callback called again (onResponse "
                                + r.code() + ")");
                        return;
                    }
                    reply.set(read(r));
                } catch (IOException e) {
                    failure.set(e);
                } finally {
                    done.countDown();
                }
            }
        });
        if (cancelAfterMillis > 0 && !done.await(cancelAfterMillis, TimeUnit.MILLISECONDS)) {
            call.cancel();
        }
        if (!done.await(60, TimeUnit.SECONDS)) {
            call.cancel();
            throw new IllegalStateException("no callback within 60 s");
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return reply.get();
    }

    private static LibraryClients.Reply read(Response response) throws IOException {
        ResponseBody body = response.body();
        return new LibraryClients.Reply(response.code(), body == null ? "" : body.string());
    }

    @Override
    public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
