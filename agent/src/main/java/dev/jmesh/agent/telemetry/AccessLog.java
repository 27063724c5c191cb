package dev.jmesh.agent.telemetry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import dev.jmesh.agent.AgentThreads;
import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.AccessLogConfig;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The access log: one JSON object per line per logical call, written by one daemon thread from a
 * bounded queue. The application thread only offers the record; when the queue is full the record is
 * dropped and counted, never waited for. {@link #close} lets the writer finish what is queued.
 */
public final class AccessLog implements Consumer<CallRecord> {
    private static final int QUEUE_CAPACITY = 8192;
    private static final long FLUSH_AT_EXIT_MILLIS = 5000;

    private final BlockingQueue<CallRecord> queue = new ArrayBlockingQueue<CallRecord>(QUEUE_CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final Writer out;
    private final boolean standardStream;
    private final Thread writer;
    private final JsonGenerator json;

    private AccessLog(OutputStream stream, boolean standardStream) throws IOException {
        this.standardStream = standardStream;
        this.writer = new AgentThreads("access-log").newThread(this::writeUntilInterrupted);
        this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 16 * 1024);
        this.json = new JsonFactory().createGenerator(out);
        this.json.setRootValueSeparator((SerializableString) null); // each line ends with our own '\n'
        this.json.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM); // one write(2) per batch, not per line
    }

    /** Opens the configured destination and starts the writer thread. */
    public static AccessLog start(AccessLogConfig config) throws IOException {
        AccessLog log = new AccessLog(open(config.path()), isStandardStream(config.path()));
        log.writer.start();
        return log;
    }

    /** Stops the writer after it has written everything queued (waiting at most a few seconds). */
    public void close() {
        writer.interrupt();
        try {
            writer.join(FLUSH_AT_EXIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!standardStream) {
            try {
                out.close();
            } catch (IOException e) {
                AgentLog.warnOnce("access-log-close", "cannot close the access log: " + e);
            }
        }
    }

    private static boolean isStandardStream(String path) {
        return AccessLogConfig.PATH_STDOUT.equals(path) || AccessLogConfig.PATH_STDERR.equals(path);
    }

    private static OutputStream open(String path) throws IOException {
        if (AccessLogConfig.PATH_STDOUT.equals(path)) {
            return new FileOutputStream(FileDescriptor.out);
        }
        if (AccessLogConfig.PATH_STDERR.equals(path)) {
            return new FileOutputStream(FileDescriptor.err);
        }
        return new FileOutputStream(path, true);
    }

    @Override
    public void accept(CallRecord record) {
        if (!queue.offer(record)) {
            dropped.incrementAndGet();
        }
    }

    /** Records that did not fit in the queue. */
    public long dropped() {
        return dropped.get();
    }

    private void writeUntilInterrupted() {
        List<CallRecord> batch = new ArrayList<CallRecord>(256);
        try {
            while (true) {
                CallRecord first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 255);
                write(batch);
                batch.clear();
            }
        } catch (InterruptedException exiting) {
            queue.drainTo(batch);
            write(batch);
        }
    }

    private void write(List<CallRecord> records) {
        try {
            for (CallRecord record : records) {
                writeLine(record);
            }
            out.flush();
        } catch (IOException e) {
            AgentLog.warnOnce("access-log-write", "cannot write the access log: " + e);
        }
    }

    private void writeLine(CallRecord r) throws IOException {
        json.writeStartObject();
        json.writeStringField("start_time", Instant.ofEpochMilli(r.startEpochMillis()).toString());
        json.writeStringField("direction", r.direction());
        json.writeStringField("protocol", r.call().protocol());
        writeNullable("service", r.service());
        writeNullable("route", r.route());
        json.writeStringField("method", r.call().method());
        json.writeStringField("authority", r.call().authority());
        json.writeStringField("path", r.call().path());
        OutboundCall.Database database = r.call().database();
        if (database != null) { // jdbc: the statement with literals as '?', never values
            writeNullable("statement", database.statement());
            writeNullable("db_system", r.call().scheme());
            writeNullable("db_namespace", database.namespace());
            writeNullable("db_collection", database.collection());
        }
        if (r.status() >= 0) {
            json.writeNumberField("status", r.status());
        } else {
            json.writeNullField("status");
        }
        json.writeNumberField("duration_ms", Math.round(r.durationNanos() / 1000.0) / 1000.0);
        json.writeNumberField("attempts", r.attempts());
        writeNullable("upstream", r.upstream());
        json.writeStringField("flags", r.flagsText());
        json.writeStringField("trace_id", r.traceId());
        writeNullable("caller", r.caller());
        Throwable failure = r.failure();
        writeNullable("error", failure == null ? null : failure.getClass().getName() + ": " + failure.getMessage());
        json.writeEndObject();
        json.flush();
        out.write('\n');
    }

    private void writeNullable(String field, String value) throws IOException {
        if (value == null) {
            json.writeNullField(field);
        } else {
            json.writeStringField(field, value);
        }
    }
}
