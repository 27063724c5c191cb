package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.AsyncExchange;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.Exchange;
import dev.jmesh.bootstrap.Inbound;
import dev.jmesh.bootstrap.InboundCall;
import dev.jmesh.bootstrap.MeshEngine;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.RequestHeaders;
import dev.jmesh.config.MeshConfig;
import dev.jmesh.config.RouteConfig;
import dev.jmesh.config.ServiceConfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The engine the instrumentation's calls reach through {@code dev.jmesh.bootstrap.Mesh}. It routes a
 * call whose host names a service to that service's pipeline and passes every other call through;
 * either way the call produces one {@link CallRecord}. Requests the application's servers receive come
 * in through {@link #inbound} and produce a record too (direction inbound).
 *
 * <p>All state a call needs is in one immutable snapshot, read once per call, so a later config
 * reload can swap it atomically without locks on the hot path.
 */
public final class MeshEngineImpl implements MeshEngine {
    private final ScheduledExecutorService scheduler;
    private final Consumer<CallRecord> telemetry;
    private volatile Snapshot snapshot;

    public MeshEngineImpl(MeshConfig config, ScheduledExecutorService scheduler, Consumer<CallRecord> telemetry) {
        this.scheduler = scheduler;
        this.telemetry = telemetry;
        this.snapshot = new Snapshot(config, Collections.<String, ServiceRuntime>emptyMap(), null, scheduler);
    }

    /**
     * Applies a new config snapshot atomically. A service whose config did not change keeps its runtime
     * state (breaker, balancer position); calls already running finish under the snapshot they started with.
     */
    public void update(MeshConfig config) {
        Snapshot previous = snapshot;
        snapshot = new Snapshot(config, previous.services, previous.inbound, scheduler);
    }

    /** Every service's endpoints and states right now, in config order ({@code /clusters}, breaker gauges). */
    public List<ClusterView> clusters() {
        List<ClusterView> views = new ArrayList<ClusterView>();
        for (ServiceRuntime service : snapshot.services.values()) {
            views.add(new ClusterView(service));
        }
        return views;
    }

    /** Everything a call needs, built once per config and swapped as a whole. */
    private static final class Snapshot {
        final Map<String, ServiceRuntime> services;
        final List<RouteRuntime> routes;
        final Egress egress;
        final CallRecords.Settings records;
        final InboundRuntime inbound;

        Snapshot(MeshConfig config, Map<String, ServiceRuntime> previous, InboundRuntime previousInbound,
                 ScheduledExecutorService scheduler) {
            Map<String, ServiceRuntime> runtimes = new HashMap<String, ServiceRuntime>();
            for (ServiceConfig service : config.services().values()) {
                ServiceRuntime unchanged = previous.get(service.name());
                runtimes.put(service.name(), unchanged != null && unchanged.config().equals(service)
                        ? unchanged : new ServiceRuntime(service, scheduler));
            }
            this.services = Collections.unmodifiableMap(runtimes);
            for (ServiceRuntime old : previous.values()) {
                if (runtimes.get(old.name()) != old) {
                    old.close(); // replaced or removed: its periodic work must not outlive it
                }
            }
            List<RouteRuntime> built = new ArrayList<RouteRuntime>();
            for (RouteConfig route : config.routes()) {
                built.add(new RouteRuntime(route, services));
            }
            this.routes = Collections.unmodifiableList(built);
            this.egress = new Egress(config.egress());
            this.records = new CallRecords.Settings(config);
            this.inbound = previousInbound != null && previousInbound.config().equals(config.inbound())
                    ? previousInbound : new InboundRuntime(config.inbound(), System::nanoTime);
        }

        /** First match wins; null when no route takes the call. */
        RouteRuntime route(OutboundCall call) {
            for (int i = 0; i < routes.size(); i++) {
                RouteRuntime route = routes.get(i);
                if (route.matches(call)) {
                    return route;
                }
            }
            return null;
        }

        /** Where the call goes: the route's destination, else the service its host names; null for none. */
        ServiceRuntime destination(OutboundCall call, RouteRuntime route) {
            return route != null ? route.destination(call) : services.get(call.host());
        }
    }

    @Override
    public <R> R call(OutboundCall call, BlockingExchange<R> exchange) throws Exception {
        Snapshot current = snapshot;
        CallRecord record = CallRecords.start(call, current.records);
        try {
            FailureDrill.ROUTING.check();
            RouteRuntime route = current.route(call);
            ServiceRuntime service = current.destination(call, route);
            if (service == null) {
                if (!current.egress.allows(call)) {
                    throw denied(call, exchange, record);
                }
                return passThrough(call, exchange, record);
            }
            record.service(service.name());
            if (route != null) {
                record.route(route.label());
                long delay = FaultInjection.delayMillis(route.fault(), call, record);
                if (delay > 0) {
                    Thread.sleep(delay);
                }
                if (FaultInjection.abort(route.fault(), call, record)) {
                    throw aborted(route, exchange, record);
                }
            }
            return service.execute(call, exchange, record);
        } finally {
            record.finish();
            emit(record);
        }
    }

    @Override
    public <R> CompletableFuture<R> callAsync(final OutboundCall call, final AsyncExchange<R> exchange) {
        Snapshot current = snapshot;
        final CallRecord record = CallRecords.start(call, current.records);
        FailureDrill.ROUTING.check();
        RouteRuntime route = current.route(call);
        final ServiceRuntime service = current.destination(call, route);
        CompletableFuture<R> result;
        if (service == null) {
            if (!current.egress.allows(call)) {
                result = failed(denied(call, exchange, record));
            } else {
                result = Attempts.async(exchange, record, call.host(), call.port(), call.authority(), 0)
                        .whenComplete((response, failure) ->
                                record.outcome(failure == null ? exchange.statusOf(response) : -1, failure));
            }
        } else {
            record.service(service.name());
            long delay = 0;
            boolean abort = false;
            if (route != null) {
                record.route(route.label());
                delay = FaultInjection.delayMillis(route.fault(), call, record);
                abort = FaultInjection.abort(route.fault(), call, record);
            }
            if (abort) {
                result = failed(aborted(route, exchange, record));
            } else if (delay > 0) {
                final CompletableFuture<R> delayed = new CompletableFuture<R>();
                scheduler.schedule(() -> service.executeAsync(call, exchange, record).whenComplete((r, t) -> {
                    if (t == null) {
                        delayed.complete(r);
                    } else {
                        delayed.completeExceptionally(t);
                    }
                }), delay, TimeUnit.MILLISECONDS);
                result = delayed;
            } else {
                result = service.executeAsync(call, exchange, record);
            }
        }
        return result.whenComplete((response, failure) -> {
            record.finish();
            emit(record);
        });
    }

    /**
     * An inbound request: its server span (a child of the caller's trace context, or a new trace), the
     * inbound route and rate limit. The record is written when the server reports the end.
     */
    @Override
    public Inbound inbound(InboundCall call) {
        FailureDrill.ROUTING.check();
        Snapshot current = snapshot;
        OutboundCall request = new OutboundCall(call.protocol(), call.scheme(), call.host(), call.port(),
                call.method(), call.path(), false, call.headers());
        // The record outlives the request and containers recycle request objects: it keeps no headers.
        OutboundCall described = new OutboundCall(call.protocol(), call.scheme(), call.host(), call.port(),
                call.method(), call.path(), false, RequestHeaders.NONE);
        CallRecord record = CallRecord.inbound(described, current.records.propagation(),
                current.records.propagation().serverSpan(call.headers()));
        record.service(current.records.localService());
        record.localService(current.records.localService());
        return new InboundRequest(record, current.inbound.admit(request, record), this::emit);
    }

    private static <R> CompletableFuture<R> failed(Exception e) {
        CompletableFuture<R> future = new CompletableFuture<R>();
        future.completeExceptionally(e);
        return future;
    }

    /** A call that egress does not allow fails fast, before any byte leaves, with Envoy's NR flag. */
    private static Exception denied(OutboundCall call, Exchange<?> exchange, CallRecord record) {
        record.flag(ResponseFlags.NO_ROUTE);
        Exception denied = exchange.rejectedException("jmesh: egress to '" + call.authority() + "' is not allowed"
                + " (egress.mode registry_only and no service or egress.allow entry matches)");
        record.outcome(-1, denied);
        return denied;
    }

    /** An injected abort: the library's own I/O failure, as the application would see a failed upstream. */
    private static Exception aborted(RouteRuntime route, Exchange<?> exchange, CallRecord record) {
        Exception aborted = exchange.rejectedException("jmesh: fault injected by route '" + route.label()
                + "': abort (status " + route.fault().abort().status() + ")");
        record.outcome(-1, aborted);
        return aborted;
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
