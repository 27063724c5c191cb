package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.AgentLog;

import java.lang.reflect.Method;

/**
 * The OpenTelemetry Java agent's current span on this thread, when that agent is attached too, so that jmesh's
 * spans join its trace instead of starting a second one. The agent appends its jar to the bootstrap class path
 * and keeps its (relocated) API there, {@code io.opentelemetry.javaagent.shaded.io.opentelemetry.api}, whatever
 * the application has; so the lookup goes to the bootstrap loader, by reflection, without linking against it.
 *
 * <p>Looked up at the first call, and again at most every {@value #RETRY_MILLIS} ms while absent (its premain may
 * run after jmesh's). Without the agent a call costs one volatile read and a time comparison.
 */
final class OtelAgentContext {
    static final String SPAN_CLASS = "io.opentelemetry.javaagent.shaded.io.opentelemetry.api.trace.Span";
    private static final long RETRY_MILLIS = 10_000;

    private static volatile Reader reader;
    private static volatile long nextLookupMillis;

    private OtelAgentContext() {
    }

    /**
     * The agent's current span as a context that jmesh spans can be children of, carrying {@code baggage}; null
     * without the agent, or when no valid span is current.
     */
    static TraceContext current(String baggage) {
        Reader r = reader;
        if (r == null) {
            long now = System.currentTimeMillis();
            if (now < nextLookupMillis) {
                return null;
            }
            nextLookupMillis = now + RETRY_MILLIS;
            r = Reader.find();
            if (r == null) {
                return null;
            }
            reader = r;
        }
        return r.current(baggage);
    }

    /** Reflective calls into the agent's API: {@code Span.current().getSpanContext()} and its ids. */
    private static final class Reader {
        private final Method current;
        private final Method spanContext;
        private final Method isValid;
        private final Method traceId;
        private final Method spanId;
        private final Method isSampled;

        private Reader(Class<?> span, Class<?> context) throws NoSuchMethodException {
            this.current = span.getMethod("current");
            this.spanContext = span.getMethod("getSpanContext");
            this.isValid = context.getMethod("isValid");
            this.traceId = context.getMethod("getTraceId");
            this.spanId = context.getMethod("getSpanId");
            this.isSampled = context.getMethod("isSampled");
        }

        static Reader find() {
            Class<?> span;
            try {
                span = Class.forName(SPAN_CLASS, false, null);
            } catch (ClassNotFoundException | LinkageError e) {
                return null; // the usual case: no OpenTelemetry agent
            }
            try {
                Reader found = new Reader(span, Class.forName(
                        "io.opentelemetry.javaagent.shaded.io.opentelemetry.api.trace.SpanContext", false, null));
                AgentLog.info("the OpenTelemetry Java agent is attached too: calls and requests join its current"
                        + " trace");
                return found;
            } catch (ReflectiveOperationException | LinkageError e) {
                AgentLog.warnOnce("otel-agent-api", "the OpenTelemetry Java agent is attached but its API is not as"
                        + " expected (" + e + "); jmesh traces do not join its context");
                return null;
            }
        }

        TraceContext current(String baggage) {
            try {
                Object context = spanContext.invoke(current.invoke(null));
                if (!(Boolean) isValid.invoke(context)) {
                    return null;
                }
                String trace = (String) traceId.invoke(context);
                String span = (String) spanId.invoke(context);
                return new TraceContext(Long.parseUnsignedLong(trace.substring(0, 16), 16),
                        Long.parseUnsignedLong(trace.substring(16, 32), 16), Long.parseUnsignedLong(span, 16), 0,
                        (Boolean) isSampled.invoke(context), null, baggage);
            } catch (ReflectiveOperationException | RuntimeException e) {
                AgentLog.warnOnce("otel-agent-context", "cannot read the OpenTelemetry agent's current span (" + e
                        + "); this call starts from jmesh's own context");
                return null;
            }
        }
    }
}
