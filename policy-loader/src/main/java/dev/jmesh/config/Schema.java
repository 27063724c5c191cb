package dev.jmesh.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of the config document, as far as overrides, provenance and the not-enforced warnings need it:
 * which keys a section has, which values are lists, which maps are keyed by names (services, databases,
 * headers). The section parsers own the validation; {@code SchemaTest} checks that the keys here are the
 * keys they read, and {@code JsonSchemaTest} that docs/mesh.schema.json has the same keys.
 */
final class Schema {

    enum Kind {
        /** A map with a fixed set of keys. */
        SECTION,
        /** A map from names the user chooses (service names, header names) to {@link #element()}s. */
        NAMES,
        /** A list value; an override sets it whole and may give it comma-separated. */
        LIST,
        /** A scalar value, or a value whose inside ({@link #element()}) overrides and origins treat as one. */
        VALUE
    }

    private static final Schema VALUE = new Schema(Kind.VALUE, false, null);
    private static final Schema LIST = new Schema(Kind.LIST, false, null);

    static final Schema BACKOFF = section(false).value("base").value("max");
    static final Schema BUDGET = section(true).value("percent").value("minConcurrency");
    static final Schema RETRY = section(true)
            .value("maxAttempts").value("perTryTimeout").key("backoff", BACKOFF).list("retryOn")
            .key("budget", BUDGET).list("methods").value("honorRetryAfter").value("maxReplayBodyBytes")
            .value("mode");
    static final Schema DATABASE_RETRY = section(true).value("maxAttempts").key("backoff", BACKOFF).value("mode");
    static final Schema CIRCUIT_BREAKER = section(true)
            .value("failureRateThreshold").value("minimumCalls").value("window").value("openDuration")
            .value("halfOpenCalls").value("slowCallRateThreshold").value("slowCallDuration").value("mode");
    /** An item of {@code endpoints}: "host:port", or a map. */
    static final Schema ENDPOINT = section(false).value("address").value("weight").shorthand("address");
    static final Schema DNS = section(true).value("address").value("refreshInterval").shorthand("address");
    static final Schema OUTLIER_DETECTION = section(true)
            .value("consecutive5xx").value("consecutiveGatewayErrors").value("consecutiveConnectFailures")
            .value("interval").value("baseEjectionTime").value("maxEjectionTime").value("maxEjectionPercent")
            .value("mode");
    static final Schema HEALTH_CHECK = section(true)
            .value("path").value("interval").value("timeout").value("healthyThreshold").value("unhealthyThreshold")
            .list("expectedStatuses");
    static final Schema RATE_LIMIT = section(true).value("requestsPerSecond").value("burst").value("mode");
    static final Schema SERVICE = section(false)
            .key("endpoints", list(ENDPOINT, false)).key("dns", DNS).value("loadBalancer").value("timeout")
            .key("retry", RETRY).key("circuitBreaker", CIRCUIT_BREAKER).key("outlierDetection", OUTLIER_DETECTION)
            .key("healthCheck", HEALTH_CHECK).key("rateLimit", RATE_LIMIT).value("maxConcurrentRequests")
            .value("maxPendingRequests");

    /** A condition on a header, cookie or query parameter: a plain value (exact), or a map. */
    static final Schema MATCHER = section(false)
            .value("exact").value("prefix").value("regex").value("present").shorthand("exact");
    static final Schema MATCH = section(false)
            .value("host").value("path").value("pathPrefix").value("pathRegex").list("methods")
            .key("headers", names(leaf(MATCHER))).key("cookies", names(leaf(MATCHER)))
            .key("queryParameters", names(leaf(MATCHER)));
    /** An item of {@code to}: a service name, or a map. */
    static final Schema DESTINATION = section(false).value("service").value("weight").shorthand("service");
    static final Schema DELAY = section(true).value("percent").value("duration");
    static final Schema ABORT = section(true).value("percent").value("status");
    static final Schema FAULT = section(true).key("delay", DELAY).key("abort", ABORT).value("header").value("mode");
    static final Schema ROUTE = section(false)
            .value("name").key("match", MATCH).key("to", list(DESTINATION, false)).value("timeout")
            .key("retry", RETRY).key("fault", FAULT).value("mode");

    static final Schema STATEMENT_MATCH = section(false).value("verb").value("table");
    static final Schema STATEMENT = section(false)
            .key("match", STATEMENT_MATCH).value("queryTimeout").key("retry", DATABASE_RETRY).value("mode");
    static final Schema DATABASE = section(false)
            .value("match").key("endpoints", list(ENDPOINT, false)).value("connectTimeout").value("queryTimeout")
            .key("circuitBreaker", CIRCUIT_BREAKER).key("retry", DATABASE_RETRY)
            .key("statements", list(STATEMENT, true));

    static final Schema AWS = section(false)
            .value("timeout").key("retry", DATABASE_RETRY).key("circuitBreaker", CIRCUIT_BREAKER)
            .key("rateLimit", RATE_LIMIT);

    static final Schema EGRESS = section(false).value("mode").list("allow");

    static final Schema INBOUND_ROUTE = section(false).value("name").key("match", MATCH).key("rateLimit", RATE_LIMIT);
    static final Schema INBOUND = section(false).key("rateLimit", RATE_LIMIT).key("routes", list(INBOUND_ROUTE, true));

    static final Schema ACCESS_LOG = section(true).value("format").value("path").value("caller");
    static final Schema PROMETHEUS = section(true).value("host").value("port");
    static final Schema STATSD = section(true).value("host").value("port").value("dogstatsd");
    static final Schema OTLP = section(true).value("endpoint");
    static final Schema METRICS = section(false).key("prometheus", PROMETHEUS).key("statsd", STATSD)
            .key("otlp", OTLP);
    static final Schema TRACING = section(false).list("propagators").value("sampling").key("otlp", OTLP);
    static final Schema ADMIN = section(true).value("host").value("port");
    static final Schema TELEMETRY = section(false)
            .key("accessLog", ACCESS_LOG).key("metrics", METRICS).key("tracing", TRACING).key("admin", ADMIN);

    static final Schema HTTP_CONTROL_PLANE = section(true)
            .value("url").value("interval").value("tokenFile").value("tokenEnv").value("caFile");
    static final Schema XDS = section(true)
            .value("address").value("nodeId").value("cluster").key("metadata", names(VALUE));
    static final Schema CONTROL_PLANE = section(true).key("http", HTTP_CONTROL_PLANE).key("xds", XDS)
            .value("cacheFile");

    static final Schema ROOT = section(false)
            .value("service").key("services", names(SERVICE)).key("routes", list(ROUTE, true))
            .key("databases", names(DATABASE)).key("egress", EGRESS).key("inbound", INBOUND).key("telemetry", TELEMETRY)
            .key("controlPlane", CONTROL_PLANE).key("aws", names(AWS));

    private final Kind kind;
    private final boolean offWhenAbsent;
    private final Schema element;
    private final Map<String, Schema> keys = new LinkedHashMap<String, Schema>();
    private boolean perItem;
    private String shorthand;

    private Schema(Kind kind, boolean offWhenAbsent, Schema element) {
        this.kind = kind;
        this.offWhenAbsent = offWhenAbsent;
        this.element = element;
    }

    /**
     * @param offWhenAbsent true when leaving the section out turns a feature off (retry, circuit breaker,
     *        access log); false when it means "all defaults" (backoff, telemetry)
     */
    private static Schema section(boolean offWhenAbsent) {
        return new Schema(Kind.SECTION, offWhenAbsent, null);
    }

    private static Schema names(Schema element) {
        return new Schema(Kind.NAMES, false, element);
    }

    /**
     * @param perItem whether origins are recorded for each item's values ({@code routes[0].timeout}); else
     *        the list is one value
     */
    private static Schema list(Schema element, boolean perItem) {
        Schema s = new Schema(Kind.LIST, false, element);
        s.perItem = perItem;
        return s;
    }

    /** A value with an inside, which overrides and origins treat as one value. */
    private static Schema leaf(Schema inside) {
        return new Schema(Kind.VALUE, false, inside);
    }

    // Used only while the constants above are built.
    private Schema key(String name, Schema child) {
        keys.put(name, child);
        return this;
    }

    private Schema value(String name) {
        return key(name, VALUE);
    }

    private Schema list(String name) {
        return key(name, LIST);
    }

    private Schema shorthand(String key) {
        shorthand = key;
        return this;
    }

    Kind kind() {
        return kind;
    }

    boolean is(Kind k) {
        return kind == k;
    }

    /** A leaf: a value or a list. */
    boolean isLeaf() {
        return kind == Kind.VALUE || kind == Kind.LIST;
    }

    /** For a section: whether its absence means "off" rather than "all defaults". */
    boolean offWhenAbsent() {
        return offWhenAbsent;
    }

    /**
     * For {@link Kind#NAMES}: the schema of each named entry; for a {@link Kind#LIST}: of each item (null for
     * scalar items); for a {@link Kind#VALUE}: its inside, or null for a scalar.
     */
    Schema element() {
        return element;
    }

    /** For a list: whether origins are recorded per item. */
    boolean perItem() {
        return perItem;
    }

    /** For a section that may also be written as one scalar: the key the scalar stands for; null otherwise. */
    String shorthand() {
        return shorthand;
    }

    /** For a section: its keys in the order the parsers list them. */
    Map<String, Schema> keys() {
        return Collections.unmodifiableMap(keys);
    }

    /** The schema of {@code key} in this section, or null when the key is unknown (or this is no section). */
    Schema child(String key) {
        return keys.get(key);
    }

    /** For tests: the keys, as a list. */
    List<String> keyList() {
        return Collections.unmodifiableList(new java.util.ArrayList<String>(keys.keySet()));
    }
}
