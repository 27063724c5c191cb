package dev.jmesh.agent.telemetry;

import dev.jmesh.agent.engine.AttemptSpan;
import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.Redaction;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

/**
 * A call record as OpenTelemetry spans, with the ids the access log shows: a client span per logical outbound
 * call (HTTP or JDBC) or a server span per inbound request, and for HTTP one client span per attempt, a child of
 * the call's span (the attempt's span id is the parent its server sees). Attribute names follow the semantic
 * conventions; {@code jmesh.*} carry what the mesh did. Never in a span: query strings, header values, statement
 * literals (the statement is the access log's, literals as {@code ?}).
 */
final class CallSpans {
    static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<Long> RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");
    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
    static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system");
    static final AttributeKey<String> DB_OPERATION = AttributeKey.stringKey("db.operation.name");
    static final AttributeKey<String> DB_NAMESPACE = AttributeKey.stringKey("db.namespace");
    static final AttributeKey<String> DB_COLLECTION = AttributeKey.stringKey("db.collection.name");
    static final AttributeKey<String> DB_QUERY = AttributeKey.stringKey("db.query.text");
    static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
    static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
    static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
    static final AttributeKey<String> AWS_REQUEST_ID = AttributeKey.stringKey("aws.request_id");
    static final AttributeKey<String> MESH_SERVICE = AttributeKey.stringKey("jmesh.service");
    static final AttributeKey<String> MESH_ROUTE = AttributeKey.stringKey("jmesh.route");
    static final AttributeKey<String> MESH_FLAGS = AttributeKey.stringKey("jmesh.flags");
    static final AttributeKey<Long> MESH_ATTEMPTS = AttributeKey.longKey("jmesh.attempts");
    static final AttributeKey<Long> MESH_ATTEMPT = AttributeKey.longKey("jmesh.attempt");
    static final AttributeKey<String> MESH_UPSTREAM = AttributeKey.stringKey("jmesh.upstream");
    static final AttributeKey<String> MESH_CALLER = AttributeKey.stringKey("jmesh.caller");

    static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.builder("dev.jmesh")
            .setVersion(version()).build();

    private CallSpans() {
    }

    /** The spans of {@code r} (sampled or not: the caller decides), added to {@code out}. */
    static void add(CallRecord r, Resource resource, List<SpanData> out) {
        boolean inbound = CallRecord.DIRECTION_INBOUND.equals(r.direction());
        boolean jdbc = "jdbc".equals(r.call().protocol());
        String traceId = r.traceId();
        SpanContext call = SpanContext.create(traceId, r.spanId(), TraceFlags.getSampled(), TraceState.getDefault());
        String parentId = r.parentSpanId();
        SpanContext parent = parentId == null ? SpanContext.getInvalid()
                : SpanContext.createFromRemoteParent(traceId, parentId, TraceFlags.getSampled(), TraceState.getDefault());
        long start = r.startEpochNanos();
        boolean rpc = r.rpcSystem() != null;
        String name = jdbc ? dbSpanName(r.call()) : rpc ? r.rpcService() + "/" + r.rpcMethod()
                : httpSpanName(r.call().method());
        AttributesBuilder a = Attributes.builder();
        if (jdbc) {
            dbAttributes(a, r);
        } else if (rpc) {
            rpcAttributes(a, r);
        } else {
            httpAttributes(a, r, inbound);
        }
        putIfSet(a, MESH_SERVICE, inbound ? null : r.service());
        putIfSet(a, MESH_ROUTE, r.route());
        if (!"-".equals(r.flagsText())) {
            a.put(MESH_FLAGS, r.flagsText());
        }
        a.put(MESH_ATTEMPTS, (long) r.attempts());
        if (!inbound) {
            putIfSet(a, MESH_UPSTREAM, r.upstream());
            putIfSet(a, MESH_CALLER, r.caller());
        }
        out.add(new MeshSpan(name, inbound ? SpanKind.SERVER : SpanKind.CLIENT, call, parent,
                status(r.status(), r.failure(), inbound ? 500 : 400, jdbc), start, start + r.durationNanos(),
                a.build(), resource));
        for (AttemptSpan attempt : r.attemptSpans()) {
            out.add(attemptSpan(r, name, call, attempt, resource));
        }
    }

    private static SpanData attemptSpan(CallRecord r, String name, SpanContext call, AttemptSpan attempt,
                                        Resource resource) {
        SpanContext context = SpanContext.create(call.getTraceId(), attempt.spanId(), TraceFlags.getSampled(),
                TraceState.getDefault());
        AttributesBuilder a = Attributes.builder();
        OutboundCall c = r.call();
        a.put(HTTP_METHOD, httpMethod(c.method()));
        putServer(a, c);
        a.put(URL_PATH, c.path());
        a.put(URL_SCHEME, c.scheme());
        if (attempt.number() > 1) {
            a.put(RESEND_COUNT, (long) attempt.number() - 1);
        }
        a.put(MESH_ATTEMPT, (long) attempt.number());
        String upstream = attempt.upstream();
        if (upstream != null) {
            a.put(MESH_UPSTREAM, upstream);
            int colon = upstream.lastIndexOf(':');
            if (colon > 0) {
                a.put(PEER_ADDRESS, upstream.substring(0, colon));
                try {
                    a.put(PEER_PORT, Long.parseLong(upstream.substring(colon + 1)));
                } catch (NumberFormatException e) {
                    // an endpoint without a numeric port: the address alone
                }
            }
        }
        int status = attempt.status();
        if (status >= 0) {
            a.put(HTTP_STATUS, (long) status);
        }
        long end = attempt.endEpochNanos();
        Throwable failure = attempt.failure();
        if (end == 0) { // still running when the call ended (an abandoned async attempt): ends with the call
            end = r.startEpochNanos() + r.durationNanos();
        }
        if (failure != null) {
            a.put(ERROR_TYPE, failure.getClass().getName());
        } else if (status >= 400) {
            a.put(ERROR_TYPE, Integer.toString(status));
        }
        return new MeshSpan(name, SpanKind.CLIENT, context, call, status(status, failure, 400, false),
                Math.min(attempt.startEpochNanos(), end), end, a.build(), resource);
    }

    private static void httpAttributes(AttributesBuilder a, CallRecord r, boolean inbound) {
        OutboundCall c = r.call();
        a.put(HTTP_METHOD, httpMethod(c.method()));
        putServer(a, c);
        a.put(URL_PATH, c.path());
        a.put(URL_SCHEME, c.scheme());
        int status = r.status();
        if (status >= 0) {
            a.put(HTTP_STATUS, (long) status);
        }
        Throwable failure = r.failure();
        if (failure != null) {
            a.put(ERROR_TYPE, failure.getClass().getName());
        } else if (status >= (inbound ? 500 : 400)) {
            a.put(ERROR_TYPE, Integer.toString(status));
        }
    }

    /** An SDK call (AWS): the RPC names and the request id; its HTTP requests are the SDK's own, not spans here. */
    private static void rpcAttributes(AttributesBuilder a, CallRecord r) {
        a.put(RPC_SYSTEM, r.rpcSystem());
        putIfSet(a, RPC_SERVICE, r.rpcService());
        putIfSet(a, RPC_METHOD, r.rpcMethod());
        putIfSet(a, AWS_REQUEST_ID, r.requestId());
        OutboundCall c = r.call();
        if (c.host() != null && !c.host().isEmpty()) {
            putServer(a, c);
        }
        int status = r.status();
        if (status >= 0) {
            a.put(HTTP_STATUS, (long) status);
        }
        Throwable failure = r.failure();
        if (failure != null) {
            a.put(ERROR_TYPE, failure.getClass().getName());
        } else if (status >= 400) {
            a.put(ERROR_TYPE, Integer.toString(status));
        }
    }

    private static void dbAttributes(AttributesBuilder a, CallRecord r) {
        OutboundCall c = r.call();
        putIfSet(a, DB_SYSTEM, c.scheme());
        putIfSet(a, DB_OPERATION, c.method());
        OutboundCall.Database db = c.database();
        if (db != null) {
            putIfSet(a, DB_NAMESPACE, db.namespace());
            putIfSet(a, DB_COLLECTION, db.collection());
            putIfSet(a, DB_QUERY, db.statement()); // literals already replaced by '?'
        }
        if (c.host() != null && !c.host().isEmpty()) {
            putServer(a, c);
        }
        if (r.failure() != null) {
            a.put(ERROR_TYPE, r.failure().getClass().getName());
        }
    }

    private static void putServer(AttributesBuilder a, OutboundCall c) {
        putIfSet(a, SERVER_ADDRESS, c.host());
        if (c.port() >= 0) {
            a.put(SERVER_PORT, (long) c.port());
        }
    }

    /** Error for an exception, or a status from {@code errorFrom}; unset otherwise (as the conventions say). */
    private static StatusData status(int status, Throwable failure, int errorFrom, boolean jdbc) {
        if (failure != null) {
            return StatusData.create(StatusCode.ERROR, Redaction.describe(failure));
        }
        if (!jdbc && status >= errorFrom) {
            return StatusData.error();
        }
        return StatusData.unset();
    }

    /** The semantic conventions' {@code {db.operation.name} {db.collection.name}}, or what of it is known. */
    private static String dbSpanName(OutboundCall c) {
        String operation = c.method();
        OutboundCall.Database db = c.database();
        String target = db == null ? null : db.collection() != null ? db.collection() : db.namespace();
        if (operation == null || operation.isEmpty()) {
            return target != null ? target : c.scheme();
        }
        return target != null ? operation + " " + target : operation;
    }

    /** {@code _OTHER} for a method the conventions do not know (as the metrics). */
    private static String httpMethod(String method) {
        return MeshMetrics.httpMethod(method);
    }

    /** The method, or {@code HTTP} for one the conventions do not know. */
    private static String httpSpanName(String method) {
        String known = MeshMetrics.httpMethod(method);
        return known.equals(method) ? method : "HTTP";
    }

    private static void putIfSet(AttributesBuilder a, AttributeKey<String> key, String value) {
        if (value != null) {
            a.put(key, value);
        }
    }

    static Resource resource(String serviceName) {
        return Resource.create(Attributes.of(SERVICE_NAME,
                serviceName != null ? serviceName : "unknown_service:java"));
    }

    private static String version() {
        Properties properties = new Properties();
        try (InputStream in = CallSpans.class.getResourceAsStream("/dev/jmesh/agent/version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // no version then
        }
        return properties.getProperty("version", "unknown");
    }

    /** One finished span, as the OTLP marshaller reads it. */
    static final class MeshSpan implements SpanData {
        private final String name;
        private final SpanKind kind;
        private final SpanContext context;
        private final SpanContext parent;
        private final StatusData status;
        private final long start;
        private final long end;
        private final Attributes attributes;
        private final Resource resource;

        MeshSpan(String name, SpanKind kind, SpanContext context, SpanContext parent, StatusData status, long start,
                 long end, Attributes attributes, Resource resource) {
            this.name = name;
            this.kind = kind;
            this.context = context;
            this.parent = parent;
            this.status = status;
            this.start = start;
            this.end = end;
            this.attributes = attributes;
            this.resource = resource;
        }

        @Override public String getName() { return name; }
        @Override public SpanKind getKind() { return kind; }
        @Override public SpanContext getSpanContext() { return context; }
        @Override public SpanContext getParentSpanContext() { return parent; }
        @Override public StatusData getStatus() { return status; }
        @Override public long getStartEpochNanos() { return start; }
        @Override public Attributes getAttributes() { return attributes; }
        @Override public List<EventData> getEvents() { return Collections.emptyList(); }
        @Override public List<LinkData> getLinks() { return Collections.emptyList(); }
        @Override public long getEndEpochNanos() { return end; }
        @Override public boolean hasEnded() { return true; }
        @Override public int getTotalRecordedEvents() { return 0; }
        @Override public int getTotalRecordedLinks() { return 0; }
        @Override public int getTotalAttributeCount() { return attributes.size(); }
        @Override public InstrumentationScopeInfo getInstrumentationScopeInfo() { return SCOPE; }
        @Override public Resource getResource() { return resource; }

        @Override
        @SuppressWarnings("deprecation")
        public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
            return InstrumentationLibraryInfo.create(SCOPE.getName(), SCOPE.getVersion());
        }

        @Override
        public String toString() {
            return kind + " " + name + " " + context.getTraceId() + "/" + context.getSpanId() + " parent "
                    + parent.getSpanId() + " " + attributes;
        }
    }
}
