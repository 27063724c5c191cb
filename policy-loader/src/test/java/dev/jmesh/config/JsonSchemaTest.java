package dev.jmesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * docs/mesh.schema.json, the JSON Schema that editors use for mesh.yaml: it accepts every valid example of
 * the tests, rejects typical mistakes, and has exactly the keys that the parsers read (through
 * {@link Schema}, which {@link SchemaTest} ties to the parsers), so that the two cannot drift.
 */
class JsonSchemaTest {

    static final Path FILE = Paths.get("..", "docs", "mesh.schema.json");
    static com.networknt.schema.Schema validator;
    static JsonNode root;

    @BeforeAll
    static void load() throws Exception {
        String text = Files.readString(FILE);
        validator = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(text, InputFormat.JSON);
        root = new ObjectMapper().readTree(text);
    }

    static List<Error> validate(String doc) {
        InputFormat format = doc.stripLeading().startsWith("{") ? InputFormat.JSON : InputFormat.YAML;
        return validator.validate(doc, format);
    }

    // ------------------------------------------------------------------ (a) valid examples

    /** Every valid document of the tests: the examples, and the documents the value tests build. */
    static Stream<Arguments> validDocuments() {
        Map<String, String> docs = new LinkedHashMap<>(Examples.all());
        String service = "services:\n  s:\n    endpoints: [\"a:1\"]\n";
        ValuesTest.durations().forEach(a -> docs.put("duration " + a.get()[0], service + "    timeout: " + a.get()[0] + "\n"));
        ValuesTest.percentages().forEach(a -> docs.put("percentage " + a.get()[0],
                service + "    circuitBreaker: { failureRateThreshold: " + a.get()[0] + " }\n"));
        ValuesTest.endpoints().forEach(a -> docs.put("endpoint " + a.get()[0],
                "services: { s: { endpoints: [\"" + a.get()[0] + "\"] } }"));
        ValuesTest.loadBalancers().forEach(a -> docs.put("loadBalancer " + a.get()[0],
                service + "    loadBalancer: " + a.get()[0] + "\n"));
        ValuesTest.retryOns().forEach(a -> docs.put("retryOn " + a.get()[0],
                service + "    retry: { maxAttempts: 2, retryOn: " + a.get()[0] + " }\n"));
        return docs.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validDocuments")
    void acceptsEveryValidExample(String name, String doc) throws Exception {
        ConfigLoader.parse(doc, "mesh.yaml"); // valid for the loader
        assertEquals(List.of(), validate(doc).stream().map(Error::toString).toList());
    }

    // ------------------------------------------------------------------ (b) invalid ones

    static Stream<Arguments> invalidDocuments() {
        String service = "services:\n  s:\n    endpoints: [\"a:1\"]\n";
        return Stream.of(
                Arguments.of("unknown key", service + "    timout: 2s\n"),
                Arguments.of("duration without unit", service + "    timeout: 250\n"),
                Arguments.of("endpoint with a scheme", "services: { s: { endpoints: [\"http://a:1\"] } }"),
                Arguments.of("both endpoints and dns", service + "    dns: s.internal:80\n"),
                Arguments.of("neither endpoints nor dns", "services: { s: { timeout: 1s } }"),
                Arguments.of("percentage above 100", service + "    circuitBreaker: { failureRateThreshold: 150% }\n"),
                Arguments.of("retry without maxAttempts", service + "    retry: { perTryTimeout: 1s }\n"),
                Arguments.of("bad mode", service + "    rateLimit: { requestsPerSecond: 1, mode: dryrun }\n"),
                Arguments.of("slow call rate without duration", service + "    circuitBreaker: { slowCallRateThreshold: 5% }\n"),
                Arguments.of("negative route weight", service + "routes: [ { to: [ { service: s, weight: -1 } ] } ]\n"),
                Arguments.of("path and pathPrefix", "routes: [ { match: { path: /a, pathPrefix: /b } } ]\n"),
                Arguments.of("header condition of two kinds", "routes: [ { match: { headers: { x: { exact: a, prefix: b } } } } ]"),
                Arguments.of("fault without delay or abort", "routes: [ { fault: { header: x-f } } ]\n"),
                Arguments.of("abort status out of range", "routes: [ { fault: { abort: { percent: 1, status: 600 } } } ]\n"),
                Arguments.of("database match not JDBC", "databases: { d: { match: \"postgres://x\" } }\n"),
                Arguments.of("statement policy without timeout or retry",
                        "databases: { d: { match: \"jdbc:x*\", statements: [ { match: { verb: SELECT } } ] } }\n"),
                Arguments.of("statement retry of writes", "databases: { d: { match: \"jdbc:x*\", statements: [ { match:"
                        + " { verb: DELETE }, retry: { maxAttempts: 2 } } ] } }\n"),
                Arguments.of("bad egress mode", "egress: { mode: registry-only }\n"),
                Arguments.of("bad propagator", "telemetry: { tracing: { propagators: [w3c] } }\n"),
                Arguments.of("sampling above 1", "telemetry: { tracing: { sampling: 1.5 } }\n"),
                Arguments.of("port out of range", "telemetry: { admin: { port: 70000 } }\n"),
                Arguments.of("text access log without path", "telemetry: { accessLog: { format: text } }\n"),
                Arguments.of("both control planes", "controlPlane: { http: { url: \"https://a/b\" }, xds: { address: \"a:1\" } }\n"),
                Arguments.of("token file and token env", "controlPlane: { http: { url: \"https://a/b\", tokenFile: f, tokenEnv: E } }\n"),
                Arguments.of("empty cache file", "controlPlane: { http: { url: \"https://a/b\" }, cacheFile: \"\" }\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidDocuments")
    void rejectsTypicalMistakesLikeTheLoader(String name, String doc) {
        assertThrows(ConfigException.class, () -> ConfigLoader.parse(doc, "mesh.yaml"));
        assertFalse(validate(doc).isEmpty(), "the schema accepts it");
    }

    // ------------------------------------------------------------------ (c) same keys as the parsers

    @Test
    void hasExactlyTheKeysOfTheParsers() {
        List<String> problems = new ArrayList<>();
        compare(Schema.ROOT, root, "", problems);
        assertEquals(List.of(), problems);
    }

    @Test
    void everyKeyHasADescription() {
        List<String> missing = new ArrayList<>();
        describe(root.get("properties"), "", missing);
        for (Map.Entry<String, JsonNode> def : root.get("$defs").properties()) {
            describe(def.getValue().get("properties"), "$defs." + def.getKey(), missing);
            for (JsonNode branch : branches(def.getValue())) {
                describe(branch.get("properties"), "$defs." + def.getKey(), missing);
            }
        }
        assertEquals(List.of(), missing);
    }

    /** A key is described on its own schema, or by the definition it refers to. */
    private static void describe(JsonNode properties, String path, List<String> missing) {
        if (properties == null) {
            return;
        }
        for (Map.Entry<String, JsonNode> p : properties.properties()) {
            JsonNode s = p.getValue();
            if (!s.has("description") && !resolve(s).has("description")) {
                missing.add(path + "." + p.getKey());
            }
            describe(s.get("properties"), path + "." + p.getKey(), missing);
        }
    }

    /** Walks the parsers' shape ({@link Schema}) and the JSON Schema side by side. */
    private static void compare(Schema shape, JsonNode json, String path, List<String> problems) {
        JsonNode node = resolve(json);
        switch (shape.kind()) {
            case SECTION -> {
                JsonNode object = form(node, "properties");
                if (object == null) {
                    problems.add(path + ": no object with properties in the JSON Schema");
                    return;
                }
                if (!object.path("additionalProperties").isBoolean() || object.get("additionalProperties").booleanValue()) {
                    problems.add(path + ": additionalProperties is not false");
                }
                TreeSet<String> jsonKeys = new TreeSet<>(object.get("properties").propertyNames());
                TreeSet<String> keys = new TreeSet<>(shape.keyList());
                if (!jsonKeys.equals(keys)) {
                    problems.add(path + ": keys " + jsonKeys + " in the JSON Schema, " + keys + " in the parsers");
                }
                if (shape.shorthand() != null && !allowsScalar(node)) {
                    problems.add(path + ": the short form (a value for '" + shape.shorthand() + "') is missing");
                }
                for (String key : shape.keyList()) {
                    if (object.get("properties").has(key)) {
                        compare(shape.child(key), object.get("properties").get(key), path.isEmpty() ? key : path + "." + key,
                                problems);
                    }
                }
            }
            case NAMES -> {
                JsonNode object = form(node, "additionalProperties");
                if (object == null || !object.get("additionalProperties").isObject()) {
                    problems.add(path + ": no map of names in the JSON Schema");
                    return;
                }
                compare(shape.element(), object.get("additionalProperties"), path + ".<name>", problems);
            }
            case LIST -> {
                JsonNode array = form(node, "items");
                if (array == null) {
                    problems.add(path + ": no array in the JSON Schema");
                    return;
                }
                if (shape.element() != null) {
                    compare(shape.element(), array.get("items"), path + "[]", problems);
                }
            }
            default -> { // VALUE
                if (shape.element() != null) {
                    compare(shape.element(), node, path, problems);
                } else if (form(node, "properties") != null) {
                    problems.add(path + ": a value for the parsers, an object in the JSON Schema");
                }
            }
        }
    }

    private static JsonNode resolve(JsonNode node) {
        while (node != null && node.has("$ref")) {
            String ref = node.get("$ref").asString();
            assertTrue(ref.startsWith("#/$defs/"), ref);
            node = root.get("$defs").get(ref.substring("#/$defs/".length()));
            assertNotNull(node, ref);
        }
        return node;
    }

    /** The node itself, or its anyOf / oneOf branch (resolved), that has {@code keyword}. */
    private static JsonNode form(JsonNode node, String keyword) {
        if (node.has(keyword)) {
            return node;
        }
        for (JsonNode branch : branches(node)) {
            JsonNode found = form(branch, keyword);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static List<JsonNode> branches(JsonNode node) {
        List<JsonNode> result = new ArrayList<>();
        for (String combinator : new String[] {"anyOf", "oneOf"}) {
            if (node.has(combinator)) {
                for (JsonNode b : node.get(combinator)) {
                    result.add(resolve(b));
                }
            }
        }
        return result;
    }

    /** Whether a scalar (string) is among the forms. */
    private static boolean allowsScalar(JsonNode node) {
        JsonNode type = node.get("type");
        if (type != null && (type.isString() ? !type.asString().equals("object") : type.toString().contains("string"))) {
            return true;
        }
        for (JsonNode branch : branches(node)) {
            if (allowsScalar(branch)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void isADraft202012Schema() {
        assertEquals("https://json-schema.org/draft/2020-12/schema", root.get("$schema").asString());
        if (!root.get("additionalProperties").isBoolean()) {
            fail("the top level must not allow unknown keys");
        }
    }
}
