package dev.jmesh.smoke.apps;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test fixture, not a demo: an app that calls a great many distinct URLs with {@code HttpURLConnection}, so
 * that a test can check that the agent's state stays within its caps in a real JVM. Call {@code i} goes, one
 * time in {@code every}, to mesh service {@code svc-<n>} ({@code n} cycling through {@code services}); otherwise
 * to a host of its own, {@code h<i>.invalid}, which the test's egress policy refuses before any name lookup.
 * Every URL has a path and a query of its own.
 *
 * <p>usage: {@code ManyUrlsApp <calls> <services> <every> <threads> <checkpoint> <resume-file>}. After the first
 * {@code checkpoint} calls it prints {@code CHECKPOINT} and waits (at most two minutes) until {@code resume-file}
 * exists, so that the test can look at the heap half way; at the end it prints {@code SUMMARY ok=.. failed=..}
 * and stays up (at most five minutes) so that the test can read its admin endpoint.
 */
public final class ManyUrlsApp {
    private ManyUrlsApp() {
    }

    public static void main(String[] args) throws Exception {
        long calls = Long.parseLong(args[0]);
        int services = Integer.parseInt(args[1]);
        int every = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        long checkpoint = Long.parseLong(args[4]);
        Path resume = Paths.get(args[5]);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        callInParallel(0, checkpoint, services, every, threads, ok, failed);
        System.out.println("CHECKPOINT");
        System.out.flush();
        for (int i = 0; i < 1200 && !Files.exists(resume); i++) {
            Thread.sleep(100);
        }
        callInParallel(checkpoint, calls, services, every, threads, ok, failed);
        System.out.println("SUMMARY ok=" + ok + " failed=" + failed);
        System.out.flush();
        Thread.sleep(300_000);
    }

    /** Calls {@code from} (inclusive) to {@code to} (exclusive) on {@code threads} threads. */
    private static void callInParallel(long from, long to, int services, int every, int threads, AtomicLong ok,
                                       AtomicLong failed) throws InterruptedException {
        AtomicLong next = new AtomicLong(from);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                for (long i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
                    String host = i % every == 0 ? "svc-" + (i / every % services) : "h" + i + ".invalid";
                    if (call("http://" + host + "/items/" + i + "?id=" + i)) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                }
            }, "caller-" + t);
            workers[t].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
    }

    private static boolean call(String url) {
        try {
            HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
            connection.setConnectTimeout(2000);
            connection.setReadTimeout(5000);
            try (InputStream in = connection.getInputStream()) {
                byte[] buffer = new byte[4096];
                while (in.read(buffer) >= 0) {
                    // drain, so that the connection is kept alive
                }
            }
            return connection.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }
}
