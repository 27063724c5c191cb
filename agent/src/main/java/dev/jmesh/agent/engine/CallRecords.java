package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;

/**
 * How engines outside this package (the database engine) fill {@link CallRecord}s, whose mutators stay
 * package-private so that instrumentation and telemetry can only read them.
 */
public final class CallRecords {
    private CallRecords() {
    }

    /** A record of a call starting now, with its calling application frame. */
    public static CallRecord start(OutboundCall call) {
        return new CallRecord(call, call.caller() != null ? call.caller() : Caller.find());
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
