package dev.jmesh.agent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Every thread the agent starts is a daemon named {@code jmesh-*}, so it never keeps the app alive. */
public final class AgentThreads implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    public AgentThreads(String purpose) {
        this.prefix = "jmesh-" + purpose + "-";
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, prefix + count.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }
}
