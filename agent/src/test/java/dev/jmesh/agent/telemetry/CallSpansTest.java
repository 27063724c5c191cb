package dev.jmesh.agent.telemetry;

import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.agent.engine.TracedRecords;
import dev.jmesh.agent.engine.TracedRecords.Traced;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Call records as spans: the access log's ids, the attempts' ids from their headers, conventions, no secrets. */
class CallSpansTest {
    private static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";

    private static List<SpanData> spans(CallRecord r) {
        List<SpanData> out = new ArrayList<>();
        CallSpans.add(r, CallSpans.resource(r.localService()), out);
        return out;
    }

    @Test
    void anInboundRequestIsAServerSpanWithTheAccessLogIds() {
        CallRecord inbound = TracedRecords.inboundRequest("00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01");
        List<SpanData> spans = spans(inbound);
        assertEquals(1, spans.size());
        SpanData server = spans.get(0);
        assertEquals(SpanKind.SERVER, server.getKind());
        assertEquals("GET", server.getName());
        assertEquals(CALLER_TRACE, server.getTraceId());
        assertEquals(inbound.traceId(), server.getTraceId());
        assertEquals(inbound.spanId(), server.getSpanId());
        assertEquals(CALLER_SPAN, server.getParentSpanId());
        assertTrue(server.getParentSpanContext().isRemote());
        Attributes a = server.getAttributes();
        assertEquals("GET", a.get(CallSpans.HTTP_METHOD));
        assertEquals("/items/8", a.get(CallSpans.URL_PATH));
        assertEquals(200L, a.get(CallSpans.HTTP_STATUS));
        assertEquals("inventory", a.get(CallSpans.SERVER_ADDRESS));
        assertEquals(8080L, a.get(CallSpans.SERVER_PORT));
        assertNull(a.get(CallSpans.ERROR_TYPE));
        assertEquals(StatusCode.UNSET, server.getStatus().getStatusCode());
        assertEquals("inventory", server.getResource().getAttribute(CallSpans.SERVICE_NAME));
        assertEquals("dev.jmesh", server.getInstrumentationScopeInfo().getName());
        assertEquals(inbound.startEpochNanos() + inbound.durationNanos(), server.getEndEpochNanos());
    }

    @Test
    void aRetriedCallIsAClientSpanWithOneChildPerAttemptNamedByItsTraceparent() throws Exception {
        CallRecord inbound = TracedRecords.inboundRequest("00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01");
        Traced traced = TracedRecords.retriedCall(inbound);
        CallRecord r = traced.record();
        List<SpanData> spans = spans(r);
        assertEquals(3, spans.size(), spans.toString());

        SpanData call = spans.get(0);
        assertEquals(SpanKind.CLIENT, call.getKind());
        assertEquals(r.traceId(), call.getTraceId());
        assertEquals(CALLER_TRACE, call.getTraceId());
        assertEquals(r.spanId(), call.getSpanId());
        assertEquals(inbound.spanId(), call.getParentSpanId(), "a child of the request this thread serves");
        Attributes a = call.getAttributes();
        assertEquals("GET", a.get(CallSpans.HTTP_METHOD));
        assertEquals("inventory", a.get(CallSpans.SERVER_ADDRESS));
        assertEquals("/items/8", a.get(CallSpans.URL_PATH));
        assertEquals(200L, a.get(CallSpans.HTTP_STATUS));
        assertEquals(2L, a.get(CallSpans.MESH_ATTEMPTS));
        assertEquals("inventory", a.get(CallSpans.MESH_SERVICE));
        assertEquals("items", a.get(CallSpans.MESH_ROUTE));
        assertEquals("127.0.0.1:46509", a.get(CallSpans.MESH_UPSTREAM));
        assertEquals("dev.jmesh.demo.Shop.main:12", a.get(CallSpans.MESH_CALLER));
        assertEquals(StatusCode.UNSET, call.getStatus().getStatusCode());
        assertEquals("legacy-shop", call.getResource().getAttribute(CallSpans.SERVICE_NAME));

        for (int i = 0; i < 2; i++) {
            SpanData attempt = spans.get(1 + i);
            String traceparent = traced.traceparents().get(i);
            assertEquals("00-" + r.traceId() + "-" + attempt.getSpanId() + "-01", traceparent,
                    "the attempt span is the parent the server saw");
            assertEquals(call.getSpanId(), attempt.getParentSpanId());
            assertFalse(attempt.getParentSpanContext().isRemote());
            assertEquals(SpanKind.CLIENT, attempt.getKind());
            assertEquals((long) i + 1, attempt.getAttributes().get(CallSpans.MESH_ATTEMPT));
            assertTrue(attempt.getStartEpochNanos() >= call.getStartEpochNanos());
            assertTrue(attempt.getEndEpochNanos() <= call.getEndEpochNanos());
        }
        SpanData first = spans.get(1);
        assertEquals(503L, first.getAttributes().get(CallSpans.HTTP_STATUS));
        assertEquals("503", first.getAttributes().get(CallSpans.ERROR_TYPE));
        assertEquals(StatusCode.ERROR, first.getStatus().getStatusCode());
        assertEquals("127.0.0.1", first.getAttributes().get(CallSpans.PEER_ADDRESS));
        assertEquals(46508L, first.getAttributes().get(CallSpans.PEER_PORT));
        assertNull(first.getAttributes().get(CallSpans.RESEND_COUNT));
        SpanData second = spans.get(2);
        assertEquals(200L, second.getAttributes().get(CallSpans.HTTP_STATUS));
        assertEquals(1L, second.getAttributes().get(CallSpans.RESEND_COUNT));
        assertEquals(StatusCode.UNSET, second.getStatus().getStatusCode());
        assertNotEquals(first.getSpanId(), second.getSpanId());
    }

    @Test
    void anAwsSdkCallIsAClientSpanNamedServiceSlashOperationWithTheRequestId() {
        CallRecord inbound = TracedRecords.inboundRequest("00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01");
        List<SpanData> spans = spans(TracedRecords.awsCall(inbound));
        assertEquals(1, spans.size(), "the SDK's HTTP requests are not spans of their own");
        SpanData span = spans.get(0);
        assertEquals(SpanKind.CLIENT, span.getKind());
        assertEquals("S3/GetObject", span.getName());
        assertEquals(CALLER_TRACE, span.getTraceId());
        assertEquals(inbound.spanId(), span.getParentSpanId(), "a child of the request being served");
        assertEquals("aws-api", span.getAttributes().get(CallSpans.RPC_SYSTEM));
        assertEquals("S3", span.getAttributes().get(CallSpans.RPC_SERVICE));
        assertEquals("GetObject", span.getAttributes().get(CallSpans.RPC_METHOD));
        assertEquals("4442587FB7D0A2F9", span.getAttributes().get(CallSpans.AWS_REQUEST_ID));
        assertEquals(200L, span.getAttributes().get(CallSpans.HTTP_STATUS));
    }

    @Test
    void noQueryStringNorHeaderValueInAnySpan() throws Exception {
        CallRecord inbound = TracedRecords.inboundRequest("00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01");
        for (SpanData span : spans(TracedRecords.retriedCall(inbound).record())) {
            span.getAttributes().forEach((key, value) -> {
                assertFalse(String.valueOf(value).contains("s3cr3t"), key + "=" + value);
                assertFalse(key.getKey().contains("authorization"), key.getKey());
            });
            assertFalse(span.getName().contains("s3cr3t"));
        }
    }

    @Test
    void asynchronousAttemptsAreChildSpansToo() {
        Traced traced = TracedRecords.asyncCall();
        List<SpanData> spans = spans(traced.record());
        assertEquals(3, spans.size(), spans.toString());
        SpanData first = spans.get(1);
        SpanData second = spans.get(2);
        assertEquals("00-" + traced.record().traceId() + "-" + first.getSpanId() + "-01", traced.traceparents().get(0));
        assertEquals("00-" + traced.record().traceId() + "-" + second.getSpanId() + "-01", traced.traceparents().get(1));
        assertEquals(503L, first.getAttributes().get(CallSpans.HTTP_STATUS));
        assertEquals("java.net.SocketException", second.getAttributes().get(CallSpans.ERROR_TYPE));
        assertEquals(StatusCode.ERROR, second.getStatus().getStatusCode());
        assertEquals(StatusCode.ERROR, spans.get(0).getStatus().getStatusCode(), "the call ended with the reset");
    }

    @Test
    void withoutSpanExportNoAttemptIsKept() throws Exception {
        CallRecord r = TracedRecords.callWithoutExport();
        assertEquals(2, r.attempts());
        assertTrue(r.attemptSpans().isEmpty());
    }

    @Test
    void aTimedOutCallIsAnErrorWithTheExceptionType() {
        Traced traced = TracedRecords.timedOutCall();
        List<SpanData> spans = spans(traced.record());
        assertEquals(2, spans.size());
        SpanData call = spans.get(0);
        assertNull(traced.record().parentSpanId(), "a new trace");
        assertFalse(call.getParentSpanContext().isValid());
        assertEquals("POST", call.getName());
        assertEquals(StatusCode.ERROR, call.getStatus().getStatusCode());
        assertTrue(call.getStatus().getDescription().contains("Read timed out"), call.getStatus().getDescription());
        assertEquals("java.net.SocketTimeoutException", call.getAttributes().get(CallSpans.ERROR_TYPE));
        assertEquals("UT", call.getAttributes().get(CallSpans.MESH_FLAGS));
        assertNull(call.getAttributes().get(CallSpans.HTTP_STATUS));
        assertEquals(8443L, call.getAttributes().get(CallSpans.SERVER_PORT));
        SpanData attempt = spans.get(1);
        assertEquals("java.net.SocketTimeoutException", attempt.getAttributes().get(CallSpans.ERROR_TYPE));
        assertEquals(StatusCode.ERROR, attempt.getStatus().getStatusCode());
        assertEquals("00-" + call.getTraceId() + "-" + attempt.getSpanId() + "-01", traced.traceparents().get(0));
    }

    @Test
    void aJdbcStatementIsOneClientSpanWithDbAttributesAndNoLiterals() {
        CallRecord inbound = TracedRecords.inboundRequest("00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01");
        CallRecord jdbc = TracedRecords.jdbcQuery(inbound);
        List<SpanData> spans = spans(jdbc);
        assertEquals(1, spans.size(), "JDBC attempts carry no trace headers: no attempt spans");
        SpanData span = spans.get(0);
        assertEquals(SpanKind.CLIENT, span.getKind());
        assertEquals("SELECT orders", span.getName());
        assertEquals(inbound.spanId(), span.getParentSpanId());
        assertEquals(jdbc.spanId(), span.getSpanId());
        Attributes a = span.getAttributes();
        assertEquals("postgresql", a.get(AttributeKey.stringKey("db.system")));
        assertEquals("SELECT", a.get(CallSpans.DB_OPERATION));
        assertEquals("shop", a.get(CallSpans.DB_NAMESPACE));
        assertEquals("orders", a.get(CallSpans.DB_COLLECTION));
        assertEquals("SELECT * FROM orders WHERE customer = ? AND total > ?", a.get(CallSpans.DB_QUERY));
        assertEquals("db1", a.get(CallSpans.SERVER_ADDRESS));
        assertEquals("orders-db", a.get(CallSpans.MESH_SERVICE));
        assertNull(a.get(CallSpans.HTTP_METHOD));
    }
}
