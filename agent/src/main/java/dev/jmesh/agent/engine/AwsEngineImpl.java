package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.AwsEngine;
import dev.jmesh.bootstrap.AwsExchange;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.AwsPolicy;
import dev.jmesh.config.MeshConfig;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The engine for AWS SDK calls, reached through {@code dev.jmesh.bootstrap.AwsCalls}. A call takes the policies of
 * its {@code aws.<Service>.<Operation>} entry, each one it does not set from {@code aws.<Service>}; a call with
 * neither runs as the application made it. Either way each SDK API call produces one {@link CallRecord} with
 * protocol {@code aws}, rpc.system {@code aws-api}, the service and operation, the AWS request id, and as attempts
 * every HTTP request the SDK sent for it (its own retries included).
 *
 * <p>With {@code egress.mode: registry_only}, the client's endpoint must match {@code egress.allow} (e.g.
 * {@code "*.amazonaws.com:443"}), as the HTTP request underneath would have had to.
 *
 * <p>A policy entry keeps its runtime (breaker state, rate-limit tokens) across reloads while its config is unchanged.
 */
public final class AwsEngineImpl implements AwsEngine {
    static final String RPC_SYSTEM = "aws-api";

    private final Consumer<CallRecord> telemetry;
    private volatile Snapshot snapshot;

    public AwsEngineImpl(MeshConfig config, Consumer<CallRecord> telemetry) {
        this.telemetry = telemetry;
        this.snapshot = new Snapshot(config, Collections.<String, AwsRuntime>emptyMap());
    }

    /** Applies a new config atomically; calls in flight finish under the snapshot they started with. */
    public void update(MeshConfig config) {
        snapshot = new Snapshot(config, snapshot.byKey);
    }

    private static final class Snapshot {
        final Map<String, AwsRuntime> byKey;
        final CallRecords.Settings records;
        final Egress egress;

        Snapshot(MeshConfig config, Map<String, AwsRuntime> previous) {
            Map<String, AwsRuntime> map = new HashMap<String, AwsRuntime>();
            for (AwsPolicy policy : config.aws().values()) {
                AwsRuntime unchanged = previous.get(policy.key());
                map.put(policy.key(), unchanged != null && unchanged.policy().equals(policy)
                        ? unchanged : new AwsRuntime(policy, System::nanoTime));
            }
            this.byKey = Collections.unmodifiableMap(map);
            this.records = new CallRecords.Settings(config);
            this.egress = new Egress(config.egress());
        }
    }

    @Override
    public <R> R call(String service, String operation, OutboundCall call, AwsExchange<R> exchange)
            throws Exception {
        FailureDrill.ROUTING.check();
        Snapshot current = snapshot;
        CallRecord record = CallRecords.start(call, current.records);
        record.service(service);
        record.rpc(RPC_SYSTEM, service, operation);
        try {
            if (!current.egress.allows(call)) {
                // The SDK's HTTP request runs nested, past the HTTP egress check: the SDK call is checked instead.
                record.flag(ResponseFlags.NO_ROUTE);
                Exception denied = exchange.rejectedException("jmesh: egress to '" + call.authority()
                        + "' is not allowed (egress.mode registry_only and no egress.allow entry matches); " + service
                        + "." + operation + " was not sent");
                record.outcome(-1, denied);
                throw denied;
            }
            FailureDrill.POLICY.check();
            AwsRuntime byOperation = current.byKey.isEmpty() ? null : current.byKey.get(service + "." + operation);
            AwsRuntime byService = current.byKey.isEmpty() ? null : current.byKey.get(service);
            if (byOperation == null && byService == null) {
                return AwsRuntime.once(exchange, record, 0);
            }
            return AwsRuntime.execute(byOperation, byService, service + "." + operation, exchange, record);
        } finally {
            record.finish();
            emit(record);
        }
    }

    /** Hands the record to the sinks; a sink's failure never fails the call (it already happened). */
    private void emit(CallRecord record) {
        try {
            FailureDrill.TELEMETRY.check();
            telemetry.accept(record);
        } catch (Throwable t) {
            AgentLog.warnOnce("telemetry:" + t.getClass().getName(), "a call record could not be written ("
                    + t + "); calls are unaffected");
        }
    }
}
