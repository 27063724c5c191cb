package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;

/** Finished call records made up by tests of the telemetry sinks, as the engine (or inbound) would fill them. */
public final class SyntheticRecords {
    private SyntheticRecords() {
    }

    /**
     * @param status -1 when the application got {@code failure}
     * @param flags  Envoy flags the call collected, e.g. {@code "RL"}, {@code "~RETRY"}
     */
    public static CallRecord record(OutboundCall call, String direction, String service, String route, int attempts,
                                    int status, Throwable failure, String... flags) {
        CallRecord r = CallRecord.DIRECTION_INBOUND.equals(direction)
                ? CallRecord.inbound(call, Propagation.DEFAULT, Propagation.DEFAULT.serverSpan(call.headers()))
                : new CallRecord(call, "test.Caller.call:1");
        if (service != null) {
            r.service(service);
        }
        if (route != null) {
            r.route(route);
        }
        for (int i = 0; i < attempts; i++) {
            r.attemptStarted("127.0.0.1:" + (8080 + i));
        }
        r.outcome(status, failure);
        for (String flag : flags) {
            r.flag(flag);
        }
        r.finish();
        return r;
    }
}
