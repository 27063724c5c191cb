package dev.jmesh.instrumentation.okhttp;

import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Response;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An application's {@link Callback}: records every completion, reading the body as applications do. */
final class RecordingCallback implements Callback {
    final List<Integer> statuses = new CopyOnWriteArrayList<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    final List<IOException> failures = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();
    private final CountDownLatch done = new CountDownLatch(1);

    @Override
    public void onFailure(Call call, IOException e) {
        threads.add(Thread.currentThread().getName());
        failures.add(e);
        done.countDown();
    }

    @Override
    public void onResponse(Call call, Response response) throws IOException {
        threads.add(Thread.currentThread().getName());
        try (Response r = response) {
            statuses.add(r.code());
            bodies.add(r.body().string());
        }
        done.countDown();
    }

    /** Waits for the first completion, then a little longer to catch a second one, which must not come. */
    RecordingCallback awaitExactlyOnce() throws InterruptedException {
        assertTrue(done.await(10, TimeUnit.SECONDS), "the callback was not called");
        Thread.sleep(300);
        assertEquals(1, statuses.size() + failures.size(), "the callback must be completed exactly once");
        return this;
    }
}
