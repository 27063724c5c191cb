package dev.jmesh.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of the config document, as far as overrides and provenance need it: which keys a section
 * has, which values are lists, which maps are keyed by names (services). The section parsers own the
 * validation; {@code SchemaTest} checks that the keys here are the keys they read.
 */
final class Schema {

    enum Kind {
        /** A map with a fixed set of keys. */
        SECTION,
        /** A map from names the user chooses (service names) to {@link #element()}s. */
        NAMES,
        /** A list value; an override may give it comma-separated. */
        LIST,
        /** A scalar value. */
        VALUE,
        /** A key of the full design that this version accepts but ignores: its inside is not described. */
        OPAQUE
    }

    private static final Schema VALUE = new Schema(Kind.VALUE, false, null);
    private static final Schema LIST = new Schema(Kind.LIST, false, null);
    private static final Schema OPAQUE = new Schema(Kind.OPAQUE, false, null);

    static final Schema BACKOFF = section(false).value("base").value("max");
    static final Schema RETRY = section(true)
            .value("maxAttempts").value("perTryTimeout").key("backoff", BACKOFF).list("retryOn");
    static final Schema CIRCUIT_BREAKER = section(true)
            .value("failureRateThreshold").value("minimumCalls").value("window").value("openDuration")
            .value("halfOpenCalls").opaque(CircuitBreakerParser.NOT_YET);
    static final Schema SERVICE = section(false)
            .list("endpoints").value("loadBalancer").value("timeout").key("retry", RETRY)
            .key("circuitBreaker", CIRCUIT_BREAKER).opaque(ServiceParser.NOT_YET);
    static final Schema ACCESS_LOG = section(true).value("format").value("path");
    static final Schema TELEMETRY = section(false).key("accessLog", ACCESS_LOG).opaque(TelemetryParser.NOT_YET);
    static final Schema ROOT = section(false)
            .value("service").key("services", new Schema(Kind.NAMES, false, SERVICE)).key("telemetry", TELEMETRY)
            .opaque(MeshConfigParser.NOT_YET);

    private final Kind kind;
    private final boolean offWhenAbsent;
    private final Schema element;
    private final Map<String, Schema> keys = new LinkedHashMap<String, Schema>();

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

    private Schema opaque(List<String> names) {
        for (String name : names) {
            key(name, OPAQUE);
        }
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

    /** For {@link Kind#NAMES}: the schema of each named entry; null otherwise. */
    Schema element() {
        return element;
    }

    /** For a section: its keys in the order the parsers list them (known keys, then not-yet ones). */
    Map<String, Schema> keys() {
        return Collections.unmodifiableMap(keys);
    }

    /** The schema of {@code key} in this section, or null when the key is unknown (or this is no section). */
    Schema child(String key) {
        return keys.get(key);
    }
}
