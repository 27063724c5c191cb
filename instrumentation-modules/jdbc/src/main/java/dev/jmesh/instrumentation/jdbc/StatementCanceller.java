package dev.jmesh.instrumentation.jdbc;

import java.sql.Statement;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Query timeouts finer than JDBC's whole seconds: one daemon thread, {@code jmesh-jdbc-cancel-N}, calls
 * {@link Statement#cancel()} on a statement still running at its deadline. A statement that finishes in time
 * removes its task from the queue at once (remove-on-cancel), so thousands of statements leave nothing queued;
 * the thread itself ends after a minute without deadlines and is started again by the next one.
 */
final class StatementCanceller {
    private static final long IDLE_SECONDS = 60;
    /** How long a finished execution waits for a cancel() already under way (it must not hit the next one). */
    private static final long CANCEL_WAIT_MILLIS = 5000;
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private StatementCanceller() {
    }

    private static ScheduledThreadPoolExecutor timer() {
        final AtomicInteger count = new AtomicInteger();
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, new ThreadFactory() {
            @Override
            public Thread newThread(Runnable task) {
                Thread thread = new Thread(task, "jmesh-jdbc-cancel-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            }
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setKeepAliveTime(IDLE_SECONDS, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        return timer;
    }

    /** Cancels {@code statement} in {@code millis} unless {@link Deadline#finish()} comes first. */
    static Deadline schedule(Statement statement, long millis) {
        Deadline deadline = new Deadline(statement);
        deadline.future = TIMER.schedule(deadline, millis, TimeUnit.MILLISECONDS);
        return deadline;
    }

    /** Deadlines waiting in the timer's queue (tests: none may stay behind a finished statement). */
    static int queued() {
        return TIMER.getQueue().size();
    }

    static final class Deadline implements Runnable {
        private static final int RUNNING = 0;
        private static final int FINISHED = 1;
        private static final int CANCELLING = 2;
        private static final int CANCELLED = 3;

        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private final Statement statement;
        volatile ScheduledFuture<?> future;

        Deadline(Statement statement) {
            this.statement = statement;
        }

        @Override
        public void run() {
            if (!state.compareAndSet(RUNNING, CANCELLING)) {
                return;
            }
            try {
                statement.cancel();
            } catch (Throwable ignored) {
                // closed or finished meanwhile, or the driver cannot cancel: the statement runs on
            } finally {
                synchronized (this) {
                    state.set(CANCELLED);
                    notifyAll();
                }
            }
        }

        /**
         * Ends the deadline once the execution returned or threw: removes the timer task, or, when the timer
         * already fired, waits (bounded) until its {@code cancel()} returned. True when the timer cancelled the
         * statement. An interrupt ends the wait and stays set for the application.
         */
        boolean finish() {
            if (state.compareAndSet(RUNNING, FINISHED)) {
                future.cancel(false);
                return false;
            }
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CANCEL_WAIT_MILLIS);
            synchronized (this) {
                long left;
                while (state.get() == CANCELLING && (left = end - System.nanoTime()) > 0) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            return true;
        }
    }
}
