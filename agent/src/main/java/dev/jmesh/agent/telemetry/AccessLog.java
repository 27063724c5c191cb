package dev.jmesh.agent.telemetry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import dev.jmesh.agent.AgentThreads;
import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.Redaction;
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
 * The access log: one line per logical call (outbound) or request served (inbound), as a JSON object
 * ({@code format: json}) or as text modelled on Envoy's default format ({@code format: text}, see
 * {@link #writeText}), written by one daemon thread from a bounded queue. The application thread only offers the record; when the queue is full the record is
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
    private final boolean text;
    /** The writer thread's buffer for one text line. */
    private final StringBuilder line = new StringBuilder(256);

    private AccessLog(OutputStream stream, boolean standardStream, boolean text) throws IOException {
        this.standardStream = standardStream;
        this.text = text;
        this.writer = new AgentThreads("access-log").newThread(this::writeUntilInterrupted);
        this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 16 * 1024);
        this.json = new JsonFactory().createGenerator(out);
        this.json.setRootValueSeparator((SerializableString) null); // each line ends with our own '\n'
        this.json.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM); // one write(2) per batch, not per line
    }

    /** Opens the configured destination and starts the writer thread. */
    public static AccessLog start(AccessLogConfig config) throws IOException {
        AccessLog log = new AccessLog(open(config.path()), isStandardStream(config.path()),
                AccessLogConfig.FORMAT_TEXT.equals(config.format()));
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
                if (text) {
                    writeText(record);
                } else {
                    writeLine(record);
                }
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
        if (r.rpcSystem() != null) { // aws: the SDK's names for the call, and the id AWS gave it
            json.writeStringField("rpc_system", r.rpcSystem());
            writeNullable("rpc_service", r.rpcService());
            writeNullable("rpc_method", r.rpcMethod());
            writeNullable("aws_request_id", r.requestId());
        }
        if (r.status() >= 0) {
            json.writeNumberField("status", r.status());
        } else {
            json.writeNullField("status");
        }
        json.writeNumberField("duration_ms", Math.round(r.durationNanos() / 1000.0) / 1000.0);
        json.writeNumberField("attempts", r.attempts());
        writeNullable("upstream", r.upstream());
        writeNullable("endpoints_tried", r.endpointsTried());
        json.writeStringField("flags", r.flagsText());
        json.writeStringField("trace_id", r.traceId());
        json.writeStringField("span_id", r.spanId());
        writeNullable("parent_span_id", r.parentSpanId());
        writeNullable("caller", r.caller());
        writeNullable("error", Redaction.describe(r.failure()));
        json.writeEndObject();
        json.flush();
        out.write('\n');
    }

    /**
     * One text line, Envoy's default format adapted to jmesh's record:
     * <pre>
     * [START_TIME] "METHOD PATH PROTOCOL" STATUS FLAGS DURATION_MS ATTEMPTS "AUTHORITY" "UPSTREAM" DIRECTION
     *     SOURCE->DESTINATION route=ROUTE trace=TRACE_ID span=SPAN_ID caller=CALLER error="ERROR"
     * </pre>
     * on one line; {@code -} stands for an absent value. SOURCE->DESTINATION is this application's service
     * and the upstream service (or the host for a call outside the mesh) for an outbound call, and
     * {@code -} and this application's service for an inbound request.
     */
    void writeText(CallRecord r) throws IOException {
        StringBuilder b = line;
        b.setLength(0);
        b.append('[').append(Instant.ofEpochMilli(r.startEpochMillis()).toString()).append("] \"");
        quoted(b, r.call().method()).append(' ');
        quoted(b, r.call().path()).append(' ');
        b.append(r.call().protocol().toUpperCase(java.util.Locale.ROOT)).append("\" ");
        if (r.status() >= 0) {
            b.append(r.status());
        } else {
            b.append('-');
        }
        b.append(' ').append(r.flagsText()).append(' ');
        b.append(Math.round(r.durationNanos() / 1000.0) / 1000.0).append(' ').append(r.attempts()).append(" \"");
        quoted(b, r.call().authority()).append("\" \"");
        quoted(b, orDash(r.upstream())).append("\" ").append(r.direction()).append(' ');
        boolean inbound = CallRecord.DIRECTION_INBOUND.equals(r.direction());
        String destination = inbound ? r.localService()
                : r.service() != null ? r.service() : r.call().authority();
        b.append(inbound ? "-" : orDash(r.localService())).append("->").append(orDash(destination));
        b.append(" route=").append(orDash(r.route()));
        b.append(" trace=").append(r.traceId());
        b.append(" span=").append(r.spanId());
        b.append(" caller=").append(orDash(r.caller()));
        Throwable failure = r.failure();
        if (failure == null) {
            b.append(" error=-");
        } else {
            b.append(" error=\"");
            quoted(b, failure.getClass().getName() + ": " + failure.getMessage()).append('"');
        }
        b.append('\n');
        out.append(b);
    }

    private static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }

    /** Appends {@code value} so that it cannot end a quoted field or the line: quotes, backslashes and controls escaped. */
    private static StringBuilder quoted(StringBuilder b, String value) {
        if (value == null) {
            return b.append('-');
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                b.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b;
    }

    private void writeNullable(String field, String value) throws IOException {
        if (value == null) {
            json.writeNullField(field);
        } else {
            json.writeStringField(field, value);
        }
    }
}
