package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.RequestHeaders;
import dev.jmesh.config.Propagator;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each trace-context format read and written as its specification says, and the sampling decision. */
class PropagationTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";

    private static Propagation only(Propagator... formats) {
        return new Propagation(List.of(formats), 1.0);
    }

    /** Case-insensitive header lookup, as the instrumentations provide it. */
    private static RequestHeaders headers(String... namesAndValues) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put(namesAndValues[i].toLowerCase(Locale.ROOT), namesAndValues[i + 1]);
        }
        return name -> map.get(name.toLowerCase(Locale.ROOT));
    }

    private static Map<String, String> asMap(String[] namesAndValues) {
        Map<String, String> map = new HashMap<>();
        if (namesAndValues != null) {
            for (int i = 0; i < namesAndValues.length; i += 2) {
                assertNull(map.put(namesAndValues[i], namesAndValues[i + 1]), "each header once");
            }
        }
        return map;
    }

    // ---------------------------------------------------------------- extract

    @Test
    void w3cTraceparentWithTracestateAndBaggage() {
        Propagation p = only(Propagator.TRACECONTEXT, Propagator.BAGGAGE);
        TraceContext c = p.extract(headers("traceparent", "00-" + TRACE + "-" + SPAN + "-01",
                "tracestate", "congo=t61rcWkgMzE", "baggage", "userId=alice"));
        assertEquals(TRACE, c.traceId());
        assertEquals(SPAN, c.spanIdHex());
        assertTrue(c.sampled);
        assertEquals("congo=t61rcWkgMzE", c.traceState);
        assertEquals("userId=alice", c.baggage);
        assertFalse(p.extract(headers("traceparent", "00-" + TRACE + "-" + SPAN + "-00")).sampled);
        // a later version may append fields
        assertNotNull(p.extract(headers("traceparent", "01-" + TRACE + "-" + SPAN + "-01-what-comes-next")));
    }

    @Test
    void invalidW3cValuesAreIgnored() {
        Propagation p = only(Propagator.TRACECONTEXT);
        for (String invalid : List.of("", "garbage", "00-" + TRACE + "-" + SPAN + "-01-extra",
                "ff-" + TRACE + "-" + SPAN + "-01", "00-" + TRACE.toUpperCase(Locale.ROOT) + "-" + SPAN + "-01",
                "00-00000000000000000000000000000000-" + SPAN + "-01", "00-" + TRACE + "-0000000000000000-01",
                "00-" + TRACE + "-" + SPAN + "-0x")) {
            assertNull(p.extract(headers("traceparent", invalid)), invalid);
        }
    }

    @Test
    void b3SingleHeader() {
        Propagation p = only(Propagator.B3);
        TraceContext c = p.extract(headers("b3", TRACE + "-" + SPAN + "-1-5b4185666d50f68b"));
        assertEquals(TRACE, c.traceId());
        assertEquals(SPAN, c.spanIdHex());
        assertTrue(c.sampled);
        assertFalse(p.extract(headers("b3", TRACE + "-" + SPAN + "-0")).sampled);
        assertTrue(p.extract(headers("b3", TRACE + "-" + SPAN + "-d")).sampled, "debug implies sampled");
        assertTrue(p.extract(headers("b3", TRACE + "-" + SPAN)).sampled, "deferred: sampling 1.0 decides");
        // a 64-bit trace id is widened with zeros
        assertEquals("0000000000000000a3ce929d0e0e4736",
                p.extract(headers("b3", "a3ce929d0e0e4736-" + SPAN + "-1")).traceId());
        for (String invalid : List.of("0", "1", "d", TRACE, TRACE + "-" + SPAN + "-x", TRACE + "-" + SPAN + "-1-short",
                TRACE + "-zzf067aa0ba902b7-1", "abc-" + SPAN)) {
            assertNull(p.extract(headers("b3", invalid)), invalid);
        }
    }

    @Test
    void b3MultipleHeaders() {
        Propagation p = only(Propagator.B3MULTI);
        TraceContext c = p.extract(headers("X-B3-TraceId", TRACE, "X-B3-SpanId", SPAN,
                "X-B3-ParentSpanId", "5b4185666d50f68b", "X-B3-Sampled", "0"));
        assertEquals(TRACE, c.traceId());
        assertEquals(SPAN, c.spanIdHex());
        assertFalse(c.sampled);
        assertTrue(p.extract(headers("x-b3-traceid", TRACE, "x-b3-spanid", SPAN, "x-b3-flags", "1")).sampled);
        assertNull(p.extract(headers("X-B3-TraceId", TRACE)), "no span id");
        assertNull(p.extract(headers("X-B3-TraceId", TRACE, "X-B3-SpanId", SPAN, "X-B3-Sampled", "maybe")));
    }

    @Test
    void awsXrayHeader() {
        Propagation p = only(Propagator.XRAY);
        TraceContext c = p.extract(headers("X-Amzn-Trace-Id",
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"));
        assertEquals("5759e988bd862e3fe1be46a994272793", c.traceId());
        assertEquals("53995c3f42cd8ad8", c.spanIdHex());
        assertTrue(c.sampled);
        // any order, spaces, extra keys (a load balancer adds Self=)
        TraceContext reordered = p.extract(headers("X-Amzn-Trace-Id",
                "Self=1-67891234-12456789abcdef012345678;Sampled=0; Parent=53995c3f42cd8ad8 ;Root=1-5759e988-bd862e3fe1be46a994272793"));
        assertEquals("5759e988bd862e3fe1be46a994272793", reordered.traceId());
        assertFalse(reordered.sampled);
        assertNull(p.extract(headers("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793")), "no parent");
        assertNull(p.extract(headers("X-Amzn-Trace-Id", "Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8")));
        assertNull(p.extract(headers("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3f;Parent=53995c3f42cd8ad8")));
    }

    @Test
    void theFirstConfiguredFormatThatHasAContextWins() {
        String w3c = "00-" + TRACE + "-" + SPAN + "-01";
        String b3 = "11111111111111111111111111111111-2222222222222222-1";
        RequestHeaders both = headers("traceparent", w3c, "b3", b3);
        assertEquals(TRACE, only(Propagator.TRACECONTEXT, Propagator.B3).extract(both).traceId());
        assertEquals("11111111111111111111111111111111", only(Propagator.B3, Propagator.TRACECONTEXT).extract(both).traceId());
        assertNull(only(Propagator.XRAY).extract(both), "formats that are not configured are not read");
    }

    // ---------------------------------------------------------------- inject

    @Test
    void everyConfiguredFormatCarriesTheSameTraceAndAttemptSpan() {
        Propagation p = only(Propagator.TRACECONTEXT, Propagator.BAGGAGE, Propagator.B3, Propagator.B3MULTI,
                Propagator.XRAY);
        TraceContext server = p.serverSpan(headers("traceparent", "00-" + TRACE + "-" + SPAN + "-01",
                "tracestate", "congo=t61rcWkgMzE", "baggage", "userId=alice"));
        TraceContext call = p.clientSpan(RequestHeaders.NONE, server);
        assertEquals(TRACE, call.traceId());
        assertEquals(server.spanId, call.parentSpanId, "the call is a child of the request being served");
        Map<String, String> sent = asMap(p.attemptHeaders(call, RequestHeaders.NONE));

        TraceContext w3c = only(Propagator.TRACECONTEXT).extract(headers("traceparent", sent.get("traceparent")));
        String attemptSpan = w3c.spanIdHex();
        assertEquals(TRACE, w3c.traceId());
        assertNotEquals(call.spanIdHex(), attemptSpan, "an attempt is a span of its own");
        assertEquals("congo=t61rcWkgMzE", sent.get("tracestate"));
        assertEquals("userId=alice", sent.get("baggage"));
        assertEquals(TRACE + "-" + attemptSpan + "-1-" + call.spanIdHex(), sent.get("b3"));
        assertEquals(TRACE, sent.get("X-B3-TraceId"));
        assertEquals(attemptSpan, sent.get("X-B3-SpanId"));
        assertEquals(call.spanIdHex(), sent.get("X-B3-ParentSpanId"));
        assertEquals("1", sent.get("X-B3-Sampled"));
        assertEquals("Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=" + attemptSpan + ";Sampled=1",
                sent.get("X-Amzn-Trace-Id"));
        // and each written header reads back as the same context
        for (Propagator format : List.of(Propagator.B3, Propagator.B3MULTI, Propagator.XRAY)) {
            RequestHeaders received = headers(sent.entrySet().stream()
                    .flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue())).toArray(String[]::new));
            TraceContext back = only(format).extract(received);
            assertEquals(TRACE, back.traceId(), format.toString());
            assertEquals(attemptSpan, back.spanIdHex(), format.toString());
        }
    }

    @Test
    void theApplicationsOwnHeadersStandAndItsContextIsTheParent() {
        Propagation p = only(Propagator.TRACECONTEXT, Propagator.B3);
        RequestHeaders app = headers("traceparent", "00-" + TRACE + "-" + SPAN + "-01");
        TraceContext call = p.clientSpan(app, null);
        assertEquals(TRACE, call.traceId());
        assertEquals(SPAN, call.parentSpanIdHex());
        Map<String, String> sent = asMap(p.attemptHeaders(call, app));
        assertNull(sent.get("traceparent"), "the app's traceparent is left as it is");
        assertTrue(sent.get("b3").startsWith(TRACE + "-"), sent.toString());
    }

    @Test
    void anUnsampledTraceStaysUnsampledDownstream() {
        Propagation p = only(Propagator.B3MULTI, Propagator.XRAY, Propagator.TRACECONTEXT);
        TraceContext server = p.serverSpan(headers("X-B3-TraceId", TRACE, "X-B3-SpanId", SPAN, "X-B3-Sampled", "0"));
        Map<String, String> sent = asMap(p.attemptHeaders(p.clientSpan(RequestHeaders.NONE, server), RequestHeaders.NONE));
        assertEquals("0", sent.get("X-B3-Sampled"));
        assertTrue(sent.get("X-Amzn-Trace-Id").endsWith(";Sampled=0"));
        assertTrue(sent.get("traceparent").endsWith("-00"));
    }

    // ---------------------------------------------------------------- new traces

    @Test
    void samplingRatioDecidesForNewTracesOnly() {
        Propagation never = new Propagation(List.of(Propagator.TRACECONTEXT), 0.0);
        Propagation half = new Propagation(List.of(Propagator.TRACECONTEXT), 0.5);
        int sampled = 0;
        for (int i = 0; i < 2000; i++) {
            assertFalse(never.clientSpan(RequestHeaders.NONE, null).sampled);
            sampled += half.clientSpan(RequestHeaders.NONE, null).sampled ? 1 : 0;
        }
        assertTrue(sampled > 800 && sampled < 1200, "about half of 2000: " + sampled);
        assertTrue(never.serverSpan(headers("traceparent", "00-" + TRACE + "-" + SPAN + "-01")).sampled,
                "a sampled parent's decision is kept");
    }

    @Test
    void withXrayNewTraceIdsStartWithTheTime() {
        long before = System.currentTimeMillis() / 1000;
        TraceContext root = only(Propagator.XRAY).clientSpan(RequestHeaders.NONE, null);
        long epoch = Long.parseLong(root.traceId().substring(0, 8), 16);
        assertTrue(epoch >= before && epoch <= System.currentTimeMillis() / 1000 + 1, root.traceId());
        assertEquals(0, root.parentSpanId);
        assertTrue(root.traceId().matches("[0-9a-f]{32}"));
    }
}
