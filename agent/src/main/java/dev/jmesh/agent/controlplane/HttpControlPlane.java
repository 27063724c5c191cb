package dev.jmesh.agent.controlplane;

import dev.jmesh.agent.AgentThreads;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.ControlPlaneConfig;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code controlPlane.http}: polls the document on the agent's {@code jmesh-control-plane} threads (one
 * polls, the other is the poll's watchdog), never on an application thread. Every {@code interval}, jittered
 * by +-20% so that a fleet started together does not poll in step; after an outage the wait doubles with each
 * failed poll, up to 8 x interval (at most 5 minutes, never less than the interval).
 */
final class HttpControlPlane {
    private static final long MIN_DEADLINE_MILLIS = 2_000;
    private static final long MAX_DEADLINE_MILLIS = 10_000;
    private static final long MAX_BACKOFF_MILLIS = 5 * 60_000;

    private final LastGood lastGood;
    private final Outages outages;
    private final HttpDocumentFetcher fetcher;
    private final ScheduledExecutorService threads;
    private final long intervalMillis;
    private final long deadlineMillis;
    /** The ETag of the document last acted on (applied or rejected): unchanged, it is not fetched again. */
    private String etag;

    HttpControlPlane(ControlPlaneConfig.Http config, String shownUrl, LastGood lastGood, String userAgent)
            throws IOException {
        this.lastGood = lastGood;
        this.outages = new Outages(shownUrl);
        this.threads = Executors.newScheduledThreadPool(2, new AgentThreads("control-plane"));
        this.fetcher = new HttpDocumentFetcher(config, shownUrl, userAgent, threads);
        this.intervalMillis = Math.max(1, config.interval().toMillis());
        this.deadlineMillis = Math.max(MIN_DEADLINE_MILLIS, Math.min(MAX_DEADLINE_MILLIS, intervalMillis));
    }

    void start() {
        threads.schedule(this::poll, 0, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        try {
            HttpDocumentFetcher.Answer answer = fetcher.fetch(etag, deadlineMillis);
            if (answer.outage) {
                outages.failed(answer.problem, true);
                return;
            }
            outages.answered();
            if (answer.problem != null) {
                ControlPlaneStats.UPDATES_REJECTED.incrementAndGet();
                outages.failed(answer.problem, false);
                etag = answer.etag;
            } else if (answer.document != null) {
                String rejected = lastGood.offer(answer.document, answer.etag);
                etag = answer.etag;
                if (rejected == null) {
                    outages.applied();
                } else {
                    outages.failed(rejected, false);
                }
            }
        } catch (Throwable t) {
            AgentLog.warnOnce("control-plane-poll", "control plane poll failed (" + t + "); keeping the last good config");
        } finally {
            threads.schedule(this::poll, nextDelayMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private long nextDelayMillis() {
        long delay = intervalMillis;
        int failed = outages.failedInARow();
        if (failed > 0) {
            long cap = Math.max(intervalMillis, Math.min(8 * intervalMillis, MAX_BACKOFF_MILLIS));
            delay = Math.min(cap, intervalMillis << Math.min(failed - 1, 20));
        }
        return (long) (delay * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    }
}
