package dev.jmesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Where the document comes from: {@code jmesh.config} / {@code JMESH_CONFIG}, or inline text. */
class ConfigInputTest {

    static Properties properties(String... nameValues) {
        Properties p = new Properties();
        for (int i = 0; i < nameValues.length; i += 2) {
            p.setProperty(nameValues[i], nameValues[i + 1]);
        }
        return p;
    }

    static Map<String, String> env(String... nameValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            m.put(nameValues[i], nameValues[i + 1]);
        }
        return m;
    }

    static Stream<Arguments> fileSettings() {
        return Stream.of(
                Arguments.of(properties("jmesh.config", "a.yaml"), env(), "a.yaml"),
                Arguments.of(properties(), env("JMESH_CONFIG", "b.yaml"), "b.yaml"),
                Arguments.of(properties("jmesh.config", "a.yaml"), env("JMESH_CONFIG", "b.yaml"), "a.yaml"),
                Arguments.of(properties("jmesh.config", "  "), env("JMESH_CONFIG", "b.yaml"), "b.yaml"),
                Arguments.of(properties("jmesh.config", " a.yaml "), env(), "a.yaml"),
                Arguments.of(properties(), env(), null));
    }

    @ParameterizedTest
    @MethodSource("fileSettings")
    void fileComesFromThePropertyElseTheEnvironment(Properties p, Map<String, String> e, String expected) {
        ConfigInput input = ConfigInput.fromEnvironment(p, e);
        assertEquals(expected == null ? null : Paths.get(expected), input.file());
        assertNull(input.inline());
    }

    @Test
    void aServedDocumentTakesThisJvmsOverridesButNotItsFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mesh.yaml");
        Files.writeString(file, "services: { local: { endpoints: [\"127.0.0.1:1\"] } }\n");
        ConfigInput input = ConfigInput.fromEnvironment(properties("jmesh.config", file.toString(),
                "jmesh.services.inventory.timeout", "2s"), env("JMESH_SERVICE", "orders"));
        String served = "service: shop\nservices:\n  inventory: { endpoints: [\"10.0.0.5:80\"], timeout: 1s }\n";

        LoadResult r = ConfigLoader.parse(served, "https://cp/mesh.yaml", input);

        assertEquals(List.of("inventory"), List.copyOf(r.config().services().keySet()), "the file is not read");
        assertEquals(Duration.ofSeconds(2), r.config().services().get("inventory").timeout());
        assertEquals("-Djmesh.services.inventory.timeout", r.originOf("services.inventory.timeout"));
        assertEquals("env JMESH_SERVICE", r.originOf("service"));
        assertEquals("https://cp/mesh.yaml:3:27", r.originOf("services.inventory.endpoints"));
        ConfigException bad = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse("services: { inventory: { endpoints: 5 } }\n", "https://cp/mesh.yaml", input));
        assertEquals("https://cp/mesh.yaml", bad.problems().get(0).source());
    }

    @Test
    void inlineComesFromThePropertyElseTheEnvironment() {
        assertEquals("service: a", ConfigInput.fromEnvironment(properties("jmesh.config.inline", "service: a"),
                env("JMESH_CONFIG_INLINE", "service: b")).inline());
        assertEquals("service: b", ConfigInput.fromEnvironment(properties(),
                env("JMESH_CONFIG_INLINE", "service: b")).inline());
        assertNull(ConfigInput.fromEnvironment(properties("jmesh.config.inline", ""), env()).inline());
    }

    @Test
    void keepsOnlyTheJmeshPropertiesAndVariables() {
        ConfigInput input = ConfigInput.fromEnvironment(
                properties("jmesh.services.a.timeout", "1s", "java.home", "/jdk", "jmesh.debug", "true"),
                env("JMESH_SERVICE", "x", "HOME", "/root"));
        assertEquals(Map.of("jmesh.services.a.timeout", "1s", "jmesh.debug", "true"), input.systemProperties());
        assertEquals(Map.of("JMESH_SERVICE", "x"), input.environment());
        assertThrows(UnsupportedOperationException.class, () -> input.environment().put("JMESH_X", "1"));
    }

    @Test
    void inlineConfigIsLoadedAndLocatedAsInline() throws Exception {
        String doc = "services:\n  inventory:\n    endpoints: [\"10.0.0.5:8080\"]\n    timeout: 2s\n";
        LoadResult r = ConfigLoader.load(ConfigInput.fromEnvironment(properties("jmesh.config.inline", doc), env()));
        assertEquals(Duration.ofSeconds(2), r.config().service("inventory").timeout());
        assertEquals("inline:4:14", r.originOf("services.inventory.timeout"));

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(
                ConfigInput.fromEnvironment(properties(), env("JMESH_CONFIG_INLINE", doc.replace("2s", "2")))));
        assertEquals(List.of("inline:4:14: services.inventory.timeout: 2 has no unit; did you mean 2s?"),
                ConfigLoaderTest.strings(e.problems()));
    }

    @Test
    void inlineJsonWorksToo() throws Exception {
        LoadResult r = ConfigLoader.load(ConfigInput.fromEnvironment(
                properties("jmesh.config.inline", "{\"services\": {\"a\": {\"endpoints\": [\"h:1\"]}}}"), env()));
        assertEquals(List.of(new Endpoint("h", 1)), r.config().service("a").endpoints());
        assertEquals("inline:1:34", r.originOf("services.a.endpoints"));
    }

    static Stream<Arguments> fileAndInline() {
        return Stream.of(
                Arguments.of(properties("jmesh.config", "mesh.yaml", "jmesh.config.inline", "service: a"), env(),
                        "-Djmesh.config.inline:0:0: both a config file (mesh.yaml, from -Djmesh.config) and an inline"
                                + " config (from -Djmesh.config.inline) are given; remove one of them: -Djmesh.config"
                                + " or -Djmesh.config.inline"),
                Arguments.of(properties("jmesh.config", "mesh.yaml"), env("JMESH_CONFIG_INLINE", "service: a"),
                        "env JMESH_CONFIG_INLINE:0:0: both a config file (mesh.yaml, from -Djmesh.config) and an inline"
                                + " config (from env JMESH_CONFIG_INLINE) are given; remove one of them: -Djmesh.config"
                                + " or env JMESH_CONFIG_INLINE"),
                Arguments.of(properties(), env("JMESH_CONFIG", "mesh.yaml", "JMESH_CONFIG_INLINE", "service: a"),
                        "env JMESH_CONFIG_INLINE:0:0: both a config file (mesh.yaml, from env JMESH_CONFIG) and an"
                                + " inline config (from env JMESH_CONFIG_INLINE) are given; remove one of them:"
                                + " env JMESH_CONFIG or env JMESH_CONFIG_INLINE"));
    }

    @ParameterizedTest
    @MethodSource("fileAndInline")
    void aFileAndAnInlineConfigTogetherAreAProblem(Properties p, Map<String, String> e, String expected) {
        ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.load(ConfigInput.fromEnvironment(p, e)));
        assertEquals(List.of(expected), ConfigLoaderTest.strings(ex.problems()));
    }

    @Test
    void aFileAndAnInlineConfigFromTheBuilderAreAProblemToo() {
        ConfigException ex = assertThrows(ConfigException.class, () -> ConfigLoader.load(
                ConfigInput.builder().file(Paths.get("mesh.yaml")).inline("service: a").build()));
        assertEquals(List.of("inline:0:0: both a config file (mesh.yaml, from the config file) and an inline config"
                + " (from the inline config) are given; remove one of them: the config file or the inline config"),
                ConfigLoaderTest.strings(ex.problems()));
    }

    @Test
    void aPathThatIsNoPathIsReportedWithTheOtherProblems() {
        ConfigInput input = ConfigInput.fromEnvironment(
                properties("jmesh.config", "bad\0name.yaml", "jmesh.services.a.timeout.x", "1s"), env());
        assertNull(input.file());
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(input));
        // Like an unreadable file: no document, so nothing is merged; the overrides' names are still checked.
        assertEquals(List.of(
                "-Djmesh.config:0:0: 'bad\0name.yaml' is not a valid file path: Nul character not allowed",
                "-Djmesh.services.a.timeout.x:1:1: services.a.timeout is a value and has no keys; remove '.x'"),
                ConfigLoaderTest.strings(e.problems()));
    }

    @Test
    void fileFromTheEnvironmentWithOverrides(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mesh.yaml");
        Files.write(file, ConfigLoaderTest.FULL_YAML.getBytes(StandardCharsets.UTF_8));
        LoadResult r = ConfigLoader.load(ConfigInput.fromEnvironment(
                properties("jmesh.config", file.toString(), "jmesh.services.inventory.timeout", "3s"),
                env("JMESH_SERVICES_PAYMENTS_LOADBALANCER", "random")));
        assertEquals(Duration.ofSeconds(3), r.config().service("inventory").timeout());
        assertEquals(LoadBalancerPolicy.RANDOM, r.config().service("payments").loadBalancer());
        assertEquals(file + ":4:16", r.originOf("services.inventory.endpoints"));
    }

    @Test
    void missingFileIsReportedWithTheOverridesNameProblems(@TempDir Path dir) {
        Path file = dir.resolve("missing.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(ConfigInput.fromEnvironment(
                properties("jmesh.config", file.toString(), "jmesh.services.a.timeout.x", "1s"), env())));
        assertEquals(List.of(
                file + ":0:0: config file not found; check the path given with -Djmesh.config or JMESH_CONFIG",
                "-Djmesh.services.a.timeout.x:1:1: services.a.timeout is a value and has no keys; remove '.x'"),
                ConfigLoaderTest.strings(e.problems()));
    }

    @Test
    void nothingAtAllIsTheEmptyConfig() throws Exception {
        LoadResult none = ConfigLoader.load(ConfigInput.none());
        assertEquals(MeshConfig.empty(), none.config());
        assertEquals(MeshConfig.empty(), ConfigLoader.load(ConfigInput.fromEnvironment(properties(), env())).config());
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        for (String path : List.of("service", "routes", "egress.mode", "egress.allow", "inbound.rateLimit", "inbound.routes",
                "telemetry.accessLog",
                "telemetry.metrics.prometheus", "telemetry.metrics.statsd", "telemetry.metrics.otlp",
                "telemetry.tracing.propagators", "telemetry.tracing.sampling", "telemetry.tracing.otlp",
                "telemetry.admin", "controlPlane")) {
            expected.put(path, "default");
        }
        assertEquals(expected, none.origins());
    }
}
