package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.RequestHeaders;

import java.io.IOException;
import java.util.List;

/** Finished records for sink tests outside this package. */
public final class TestRecords {
    private TestRecords() {
    }

    /** An outbound call retried once (URX), then an inbound request in its trace refused with RL. */
    public static List<CallRecord> outboundAndInbound() {
        CallRecord outbound = new CallRecord(new OutboundCall("http", "http", "inventory", -1, "GET", "/items/8", true),
                "dev.jmesh.demo.Shop.main:12");
        outbound.localService("legacy-shop");
        outbound.service("inventory");
        outbound.attemptStarted("127.0.0.1:46508");
        outbound.attemptStarted("127.0.0.1:46509");
        outbound.flag(ResponseFlags.RETRIES_EXHAUSTED);
        outbound.outcome(200, null);
        outbound.finish();

        CallRecord inbound = CallRecord.inbound(new OutboundCall("http", "http", "inventory", 8080, "POST", "/orders",
                false, RequestHeaders.NONE), Propagation.DEFAULT, outbound.trace().child());
        inbound.service("inventory");
        inbound.localService("inventory");
        inbound.route("orders");
        inbound.flag(ResponseFlags.RATE_LIMITED);
        inbound.outcome(-1, new IOException("broken \"pipe\"\nnext"));
        inbound.finish();
        return List.of(outbound, inbound);
    }
}
