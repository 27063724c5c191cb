package dev.jmesh.agent.telemetry;

import dev.jmesh.agent.AgentThreads;
import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.AccessLogConfig;
import dev.jmesh.config.TelemetryConfig;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * The sinks every call record goes to, as the current config describes them. A reload swaps a sink
 * atomically (the old one writes what it holds, then closes); at JVM exit the current sinks flush.
 */
public final class Telemetry implements Consumer<CallRecord> {
    private volatile AccessLog accessLog;
    private AccessLogConfig accessLogConfig;

    public Telemetry() {
        Runtime.getRuntime().addShutdownHook(new AgentThreads("telemetry-flush").newThread(this::close));
    }

    /** Opens, replaces or closes sinks so that they match {@code config}. Not for the hot path. */
    public synchronized void configure(TelemetryConfig config) {
        AccessLogConfig wanted = config.accessLog();
        if (wanted == null ? accessLogConfig == null : wanted.equals(accessLogConfig)) {
            return;
        }
        AccessLog previous = accessLog;
        AccessLog next = null;
        if (wanted != null) {
            try {
                next = AccessLog.start(wanted);
            } catch (IOException e) {
                AgentLog.warn("cannot open the access log " + wanted.path() + " (" + e + "); calls are not logged");
            }
        }
        accessLog = next;
        accessLogConfig = wanted;
        if (previous != null) {
            previous.close();
        }
    }

    @Override
    public void accept(CallRecord record) {
        AccessLog log = accessLog;
        if (log != null) {
            log.accept(record);
        }
    }

    private synchronized void close() {
        if (accessLog != null) {
            accessLog.close();
        }
    }
}
