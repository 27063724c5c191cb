package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.MeshEngine;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.MeshConfig;
import dev.jmesh.config.ServiceConfig;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * The engine the instrumentation's calls reach through {@code dev.jmesh.bootstrap.Mesh}. It routes a
 * call whose host names a service to that service's pipeline and passes every other call through;
 * either way the call produces one {@link CallRecord}.
 *
 * <p>All state a call needs is in one immutable snapshot, read once per call, so a later config
 * reload can swap it atomically without locks on the hot path.
 */
public final class MeshEngineImpl implements MeshEngine {
    private final ScheduledExecutorService scheduler;
    private final Consumer<CallRecord> telemetry;
    private volatile Map<String, ServiceRuntime> services;

    public MeshEngineImpl(MeshConfig config, ScheduledExecutorService scheduler, Consumer<CallRecord> telemetry) {
        this.scheduler = scheduler;
        this.telemetry = telemetry;
        this.services = build(config, Collections.<String, ServiceRuntime>emptyMap());
    }

    /**
     * Applies a new config snapshot atomically. A service whose config did not change keeps its runtime
     * state (breaker, balancer position); calls already running finish under the snapshot they started with.
     */
    public void update(MeshConfig config) {
        services = build(config, services);
    }

    private Map<String, ServiceRuntime> build(MeshConfig config, Map<String, ServiceRuntime> previous) {
        Map<String, ServiceRuntime> runtimes = new HashMap<String, ServiceRuntime>();
        for (ServiceConfig service : config.services().values()) {
            ServiceRuntime unchanged = previous.get(service.name());
            runtimes.put(service.name(), unchanged != null && unchanged.config().equals(service)
                    ? unchanged : new ServiceRuntime(service, scheduler));
        }
        return Collections.unmodifiableMap(runtimes);
    }

    @Override
    public <R> R call(OutboundCall call, BlockingExchange<R> exchange) throws Exception {
        CallRecord record = new CallRecord(call, callerOf(call));
        try {
            FailureDrill.ROUTING.check();
            ServiceRuntime service = services.get(call.host());
            if (service != null) {
                record.service(service.name());
                return service.execute(call, exchange, record);
            }
            return passThrough(call, exchange, record);
        } finally {
            record.finish();
            emit(record);
        }
    }

    @Override
    public <R> CompletableFuture<R> callAsync(OutboundCall call, AsyncExchange<R> exchange) {
        final CallRecord record = new CallRecord(call, callerOf(call));
        FailureDrill.ROUTING.check();
        ServiceRuntime service = services.get(call.host());
        CompletableFuture<R> result;
        if (service != null) {
            record.service(service.name());
            result = service.executeAsync(call, exchange, record);
        } else {
            result = Attempts.async(exchange, record, call.host(), call.port(), call.authority(), 0)
                    .whenComplete((response, failure) ->
                    record.outcome(failure == null ? exchange.statusOf(response) : -1, failure));
        }
        return result.whenComplete((response, failure) -> {
            record.finish();
            emit(record);
        });
    }

    private static String callerOf(OutboundCall call) {
        return call.caller() != null ? call.caller() : Caller.find();
    }

    /**
     * Hands the record to the sinks. A sink's failure must not fail the call: the response is already
     * the application's, and letting the failure out would make the facade send the request again.
     */
    private void emit(CallRecord record) {
        try {
            FailureDrill.TELEMETRY.check();
            telemetry.accept(record);
        } catch (Throwable t) {
            AgentLog.warnOnce("telemetry:" + t.getClass().getName(), "a call record could not be written ("
                    + t + "); calls are unaffected");
        }
    }

    /** A call to a host that is not a mesh service goes where the application sent it, and is recorded. */
    private static <R> R passThrough(OutboundCall call, BlockingExchange<R> exchange, CallRecord record)
            throws Exception {
        try {
            R response = Attempts.blocking(exchange, record, call.host(), call.port(), call.authority(), 0);
            record.outcome(exchange.statusOf(response), null);
            return response;
        } catch (Exception e) {
            record.outcome(-1, e);
            throw e;
        }
    }
}
