package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.Inbound;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The engine's side of one inbound request: its record (direction inbound, server span) from admission to
 * the response. Outbound calls the serving thread makes meanwhile are children of its span
 * ({@link MeshEngineImpl} finds it through {@code Mesh.currentInbound()}).
 */
final class InboundRequest implements Inbound {
    static final int TOO_MANY_REQUESTS = 429;

    private final CallRecord record;
    private final String rejection;
    private final Consumer<CallRecord> sink;
    private final AtomicBoolean ended = new AtomicBoolean();

    InboundRequest(CallRecord record, String rejection, Consumer<CallRecord> sink) {
        this.record = record;
        this.rejection = rejection;
        this.sink = sink;
        if (rejection == null) {
            record.attemptStarted(null); // the application handles it: one attempt, no upstream
        }
    }

    TraceContext trace() {
        return record.trace();
    }

    CallRecord record() {
        return record;
    }

    @Override
    public int rejectedStatus() {
        return rejection == null ? 0 : TOO_MANY_REQUESTS;
    }

    @Override
    public String rejectedMessage() {
        return rejection;
    }

    @Override
    public String toString() {
        return "inbound " + record.call().method() + " " + record.call().path();
    }

    @Override
    public void end(int status, Throwable failure) {
        if (!ended.compareAndSet(false, true)) {
            return; // an async request may report its end twice (timeout, then complete)
        }
        record.outcome(status, failure);
        record.finish();
        sink.accept(record);
    }
}
