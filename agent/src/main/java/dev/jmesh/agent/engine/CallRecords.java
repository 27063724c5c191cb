package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.Inbound;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.OutboundCall;

/**
 * How engines outside this package (the database engine) fill {@link CallRecord}s, whose mutators stay
 * package-private so that instrumentation and telemetry can only read them.
 */
public final class CallRecords {
    private CallRecords() {
    }

    /**
     * A record of a call starting now, traced as {@code propagation} says: a child of the inbound request this
     * thread serves (or of the OpenTelemetry agent's current span), as HTTP calls are.
     */
    public static CallRecord start(OutboundCall call, Propagation propagation, String localService) {
        Inbound serving = Mesh.currentInbound();
        TraceContext parent = serving instanceof InboundRequest ? ((InboundRequest) serving).trace() : null;
        CallRecord record = new CallRecord(call, call.caller() != null ? call.caller() : Caller.find(), propagation,
                parent);
        record.localService(localService);
        return record;
    }

    public static void service(CallRecord record, String name) {
        record.service(name);
    }

    public static void attemptStarted(CallRecord record, String upstream) {
        record.attemptStarted(upstream);
    }

    public static void flag(CallRecord record, String flag) {
        record.flags().add(flag);
    }

    public static void outcome(CallRecord record, Throwable failure) {
        record.outcome(-1, failure);
    }

    public static void finish(CallRecord record) {
        record.finish();
    }
}
