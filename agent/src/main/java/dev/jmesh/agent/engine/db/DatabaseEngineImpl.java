package dev.jmesh.agent.engine.db;

import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.agent.engine.CallRecords;
import dev.jmesh.agent.engine.FailureDrill;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.DatabaseEngine;
import dev.jmesh.bootstrap.Exchange;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.DatabaseConfig;
import dev.jmesh.config.MeshConfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The engine for JDBC calls, reached through {@code dev.jmesh.bootstrap.Databases}. A JDBC URL matching a
 * {@code databases.<name>.match} gets that database's policies ({@link DatabaseRuntime}); every other JDBC call
 * runs as the application made it. Either way each logical call (connect, statement, commit, rollback) produces
 * one {@link CallRecord} with protocol {@code jdbc}, whose {@code service} is the database's name, or the server's
 * host for an unmatched URL.
 *
 * <p>Connections and statements name their database by name, and the runtime is looked up in the current
 * snapshot at each call: a reload applies to connections opened before it. A database whose config did not
 * change keeps its runtime (breaker state, endpoint health).
 */
public final class DatabaseEngineImpl implements DatabaseEngine {
    private final Consumer<CallRecord> telemetry;
    private volatile Snapshot snapshot;

    public DatabaseEngineImpl(MeshConfig config, Consumer<CallRecord> telemetry) {
        this.telemetry = telemetry;
        this.snapshot = new Snapshot(config, Collections.<String, DatabaseRuntime>emptyMap());
    }

    /** Applies a new config atomically; calls in flight finish under the snapshot they started with. */
    public void update(MeshConfig config) {
        snapshot = new Snapshot(config, snapshot.byName);
    }

    private static final class Snapshot {
        final List<DatabaseRuntime> inOrder;
        final Map<String, DatabaseRuntime> byName;
        final CallRecords.Settings records;

        Snapshot(MeshConfig config, Map<String, DatabaseRuntime> previous) {
            this.records = new CallRecords.Settings(config);
            List<DatabaseRuntime> list = new ArrayList<DatabaseRuntime>();
            Map<String, DatabaseRuntime> map = new HashMap<String, DatabaseRuntime>();
            for (DatabaseConfig database : config.databases().values()) {
                DatabaseRuntime unchanged = previous.get(database.name());
                DatabaseRuntime runtime = unchanged != null && unchanged.config().equals(database)
                        ? unchanged : new DatabaseRuntime(database);
                list.add(runtime);
                map.put(database.name(), runtime);
            }
            this.inOrder = Collections.unmodifiableList(list);
            this.byName = Collections.unmodifiableMap(map);
        }
    }

    @Override
    public String database(String jdbcUrl) {
        FailureDrill.ROUTING.check();
        for (DatabaseRuntime runtime : snapshot.inOrder) {
            if (runtime.config().matches(jdbcUrl)) {
                return runtime.name();
            }
        }
        return null;
    }

    @Override
    public <R> R connect(String database, OutboundCall call, BlockingExchange<R> exchange) throws Exception {
        FailureDrill.POLICY.check();
        CallRecord record = start(database, call);
        try {
            DatabaseRuntime runtime = runtime(database);
            return runtime == null ? DatabaseRuntime.once(call, exchange, record, 0)
                    : runtime.connect(call, exchange, record);
        } finally {
            end(record);
        }
    }

    @Override
    public <R> R execute(String database, OutboundCall call, BlockingExchange<R> exchange) throws Exception {
        FailureDrill.POLICY.check();
        CallRecord record = start(database, call);
        try {
            DatabaseRuntime runtime = runtime(database);
            return runtime == null ? DatabaseRuntime.once(call, exchange, record, 0)
                    : runtime.execute(call, exchange, record);
        } finally {
            end(record);
        }
    }

    @Override
    public Exception refuseConnection(String database, OutboundCall call, Exchange<?> exchange) {
        DatabaseRuntime runtime = runtime(database);
        if (runtime == null || !runtime.breakerOpen()) {
            return null; // the common case allocates nothing
        }
        CallRecord record = start(database, call);
        Exception refused = runtime.refuseIfOpen(exchange, record);
        if (refused != null) {
            end(record);
        }
        return refused;
    }

    private DatabaseRuntime runtime(String database) {
        return database == null ? null : snapshot.byName.get(database);
    }

    private CallRecord start(String database, OutboundCall call) {
        Snapshot current = snapshot;
        CallRecord record = CallRecords.start(call, current.records);
        String host = call.host();
        CallRecords.service(record, database != null ? database
                : host == null || host.isEmpty() ? call.scheme() : host);
        return record;
    }

    /** Hands the record to the sinks; a sink's failure never fails the call (it already happened). */
    private void end(CallRecord record) {
        CallRecords.finish(record);
        try {
            FailureDrill.TELEMETRY.check();
            telemetry.accept(record);
        } catch (Throwable t) {
            AgentLog.warnOnce("telemetry:" + t.getClass().getName(), "a call record could not be written ("
                    + t + "); calls are unaffected");
        }
    }
}
