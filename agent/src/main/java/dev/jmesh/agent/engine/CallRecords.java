package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.Inbound;
import dev.jmesh.bootstrap.Mesh;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.AccessLogConfig;
import dev.jmesh.config.MeshConfig;

/**
 * How the engines start {@link CallRecord}s, and how engines outside this package (the database engine) fill them:
 * the record's mutators stay package-private so that instrumentation and telemetry can only read it.
 */
public final class CallRecords {
    private CallRecords() {
    }

    /**
     * What every outbound record of one config starts with: its trace propagation, this application's service name,
     * and whether records carry the calling application frame. Only the access log and exported spans show that
     * frame, and finding it (a stack walk) is most of what a call costs the engine (benchmarks/README.md), so it is
     * looked up only when one of them is configured (an access log with {@code caller: false} does not count). Immutable; engines keep one per config snapshot.
     */
    public static final class Settings {
        final Propagation propagation;
        final String localService;
        final boolean findsCaller;

        public Settings(MeshConfig config) {
            this.propagation = Propagation.of(config.telemetry().tracing());
            this.localService = config.service();
            AccessLogConfig accessLog = config.telemetry().accessLog();
            this.findsCaller = (accessLog != null && accessLog.caller()) || config.telemetry().tracing().otlp() != null;
        }

        public Propagation propagation() {
            return propagation;
        }

        public String localService() {
            return localService;
        }
    }

    /**
     * A record of a call starting now: a child of the inbound request this thread serves (or of the OpenTelemetry
     * agent's current span), carrying the frame the instrumentation captured, else the one on this thread when
     * {@code settings} show it.
     */
    public static CallRecord start(OutboundCall call, Settings settings) {
        Inbound serving = Mesh.currentInbound();
        TraceContext parent = serving instanceof InboundRequest ? ((InboundRequest) serving).trace() : null;
        String caller = call.caller() != null ? call.caller() : settings.findsCaller ? Caller.find() : null;
        CallRecord record = new CallRecord(call, caller, settings.propagation, parent);
        record.localService(settings.localService);
        return record;
    }

    public static void service(CallRecord record, String name) {
        record.service(name);
    }

    public static void attemptStarted(CallRecord record, String upstream) {
        record.attemptStarted(upstream);
    }

    public static void flag(CallRecord record, String flag) {
        record.flag(flag);
    }

    public static void outcome(CallRecord record, Throwable failure) {
        record.outcome(-1, failure);
    }

    public static void finish(CallRecord record) {
        record.finish();
    }
}
