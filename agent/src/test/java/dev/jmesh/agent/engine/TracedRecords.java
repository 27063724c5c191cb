package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.RequestHeaders;
import dev.jmesh.config.Propagator;
import dev.jmesh.config.TracingConfig;

import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Finished records of calls whose spans are exported ({@code telemetry.tracing.otlp} set), for span tests. */
public final class TracedRecords {
    private static final Propagation EXPORTING = new Propagation(List.of(Propagator.TRACECONTEXT, Propagator.BAGGAGE),
            1.0, true);

    private TracedRecords() {
    }

    /** A call and the {@code traceparent} each of its attempts carried. */
    public record Traced(CallRecord record, List<String> traceparents) { }

    /**
     * An outbound GET of {@code /items/8?token=...} (the application's request carries an Authorization header),
     * routed to service inventory, answered 503 by its first endpoint, then 200 by the second (URX not set: it
     * succeeded), as a child of an inbound request's server span.
     */
    public static Traced retriedCall(CallRecord servedRequest) throws Exception {
        RequestHeaders app = name -> name.equalsIgnoreCase("authorization") ? "Bearer s3cr3t-token" : null;
        OutboundCall call = new OutboundCall("http", "http", "inventory", -1, "GET", "/items/8", true, app)
                .withQuery("token=s3cr3t-query");
        CallRecord r = new CallRecord(call, "dev.jmesh.demo.Shop.main:12", EXPORTING, servedRequest.trace());
        r.localService("legacy-shop");
        r.service("inventory");
        r.route("items");
        ScriptedExchange exchange = new ScriptedExchange().then(503, 200);
        List<String> sent = new ArrayList<>();
        for (String endpoint : new String[] {"127.0.0.1:46508", "127.0.0.1:46509"}) {
            int colon = endpoint.indexOf(':');
            ScriptedExchange.Response response = Attempts.blocking(exchange, r, endpoint.substring(0, colon),
                    Integer.parseInt(endpoint.substring(colon + 1)), endpoint, 0);
            r.outcome(response.status(), null);
            Map<String, String> headers = exchange.attempts.get(exchange.attempts.size() - 1).addedHeaders();
            sent.add(headers.get("traceparent"));
        }
        r.finish();
        return new Traced(r, sent);
    }

    /** An outbound call through the asynchronous interface: a 503, then a connection reset. */
    public static Traced asyncCall() {
        OutboundCall call = new OutboundCall("http", "http", "inventory", -1, "GET", "/items/9", true);
        CallRecord r = new CallRecord(call, "dev.jmesh.demo.Shop.async:3", EXPORTING, null);
        r.localService("legacy-shop");
        ScriptedExchange blocking = new ScriptedExchange().then(503, new java.net.SocketException("Connection reset"));
        AsyncScriptedExchange exchange = new AsyncScriptedExchange(blocking);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Attempts.async(exchange, r, "127.0.0.1", 46510 + i, "127.0.0.1:" + (46510 + i), 0)
                    .whenComplete((response, failure) -> r.outcome(failure == null ? response.status() : -1, failure));
            sent.add(blocking.attempts.get(i).addedHeaders().get("traceparent"));
        }
        r.finish();
        return new Traced(r, sent);
    }

    /** A retried call of a config without span export: its attempts are not kept. */
    public static CallRecord callWithoutExport() throws Exception {
        OutboundCall call = new OutboundCall("http", "http", "inventory", -1, "GET", "/items/1", true);
        CallRecord r = new CallRecord(call, "x.Y.z:1", Propagation.DEFAULT, null);
        ScriptedExchange exchange = new ScriptedExchange().then(503, 200);
        Attempts.blocking(exchange, r, "127.0.0.1", 1, "127.0.0.1:1", 0);
        Attempts.async(new AsyncScriptedExchange(exchange), r, "127.0.0.1", 2, "127.0.0.1:2", 0);
        r.finish();
        return r;
    }

    /** An outbound call whose only attempt timed out. */
    public static Traced timedOutCall() {
        OutboundCall call = new OutboundCall("http", "http", "pricing.example.com", 8443, "POST", "/prices", false);
        CallRecord r = new CallRecord(call, "dev.jmesh.demo.Shop.price:40", EXPORTING, null);
        r.localService("legacy-shop");
        ScriptedExchange exchange = new ScriptedExchange().then(new SocketTimeoutException("Read timed out"));
        try {
            Attempts.blocking(exchange, r, "pricing.example.com", 8443, "pricing.example.com:8443", 100);
        } catch (Exception e) {
            r.outcome(-1, e);
            r.flag(ResponseFlags.TIMEOUT);
        }
        r.finish();
        return new Traced(r, List.of(exchange.attempts.get(0).addedHeaders().get("traceparent")));
    }

    /** An inbound request with a traceparent, served with 200. */
    public static CallRecord inboundRequest(String traceparent) {
        OutboundCall request = new OutboundCall("http", "http", "inventory", 8080, "GET", "/items/8", false,
                RequestHeaders.NONE);
        RequestHeaders headers = name -> name.equals("traceparent") ? traceparent : null;
        CallRecord r = CallRecord.inbound(request, EXPORTING, EXPORTING.serverSpan(headers));
        r.service("inventory");
        r.localService("inventory");
        r.attemptStarted(null);
        r.outcome(200, null);
        r.finish();
        return r;
    }

    /** A JDBC SELECT (literals already replaced, as the JDBC instrumentation hands it over), in {@code served}'s trace. */
    public static CallRecord jdbcQuery(CallRecord served) {
        OutboundCall call = new OutboundCall("jdbc", "postgresql", "db1", 5432, "SELECT", "/shop", false)
                .withDatabase(new OutboundCall.Database("shop", "orders",
                        "SELECT * FROM orders WHERE customer = ? AND total > ?"));
        CallRecord r = new CallRecord(call, "dev.jmesh.demo.Shop.orders:7", EXPORTING, served.trace());
        r.localService("inventory");
        r.service("orders-db");
        r.attemptStarted("db1:5432");
        r.outcome(-1, null);
        r.finish();
        return r;
    }

    /** A finished call that {@code telemetry.tracing.sampling} left unsampled (ratio 0). */
    public static CallRecord unsampledCall() {
        Propagation never = new Propagation(TracingConfig.DEFAULT_PROPAGATORS, 0.0, true);
        CallRecord r = new CallRecord(new OutboundCall("http", "http", "inventory", -1, "GET", "/items/1", true),
                "x.Y.z:1", never, null);
        r.finish();
        return r;
    }

    /** A finished, sampled call with no attempt (for queue tests). */
    public static CallRecord sampledCall() {
        CallRecord r = new CallRecord(new OutboundCall("http", "http", "inventory", -1, "GET", "/items/1", true),
                "x.Y.z:1", EXPORTING, null);
        r.finish();
        return r;
    }

    /** An AWS SDK call (S3 GetObject) answered 200 with a request id, in {@code served}'s trace. */
    public static CallRecord awsCall(CallRecord served) {
        OutboundCall call = new OutboundCall("aws", "http", "127.0.0.1", 9000, "GetObject", "/bucket/key", true);
        CallRecord r = new CallRecord(call, "dev.jmesh.demo.aws.AwsApp.get:30", EXPORTING, served.trace());
        r.localService("shop");
        r.service("S3");
        r.rpc("aws-api", "S3", "GetObject");
        r.attemptStarted("127.0.0.1:9000");
        r.requestId("4442587FB7D0A2F9");
        r.outcome(200, null);
        r.finish();
        return r;
    }
}
