package dev.jmesh.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Config keys given as {@code -Djmesh.<path>} system properties and {@code JMESH_<PATH>} environment variables. */
class OverridesTest {

    /** The document the overrides apply to; read as inline text, so its source name is "inline". */
    static final String DOC = """
            service: orders
            services:
              inventory:
                endpoints: ["10.0.0.5:8080"]
                timeout: 2s
                retry: { maxAttempts: 3 }
              inventory-v2:
                endpoints: ["10.0.0.7:8080"]
              orders_db:
                endpoints: ["db1:5432"]
            """;

    static LoadResult load(String doc, Map<String, String> properties, Map<String, String> env) throws ConfigException {
        return ConfigLoader.load(ConfigInput.builder().inline(doc).systemProperties(properties).environment(env).build());
    }

    static List<String> problems(String doc, Map<String, String> properties, Map<String, String> env) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(doc, properties, env));
        return ConfigLoaderTest.strings(e.problems());
    }

    // ------------------------------------------------------------------ precedence

    static Stream<Arguments> precedence() {
        String prop = "jmesh.services.inventory.timeout";
        String env = "JMESH_SERVICES_INVENTORY_TIMEOUT";
        return Stream.of(
                Arguments.of("file only", Map.of(), Map.of(), "2s", "inline:5:14"),
                Arguments.of("env beats file", Map.of(), Map.of(env, "5s"), "5s", "env " + env),
                Arguments.of("sysprop beats file", Map.of(prop, "1s"), Map.of(), "1s", "-D" + prop),
                Arguments.of("sysprop beats env", Map.of(prop, "1s"), Map.of(env, "5s"), "1s", "-D" + prop));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("precedence")
    void systemPropertyBeatsEnvironmentBeatsFile(String name, Map<String, String> properties, Map<String, String> env,
            String timeout, String origin) throws Exception {
        LoadResult r = load(DOC, properties, env);
        assertEquals(timeout, Durations.format(r.config().service("inventory").timeout()));
        assertEquals(origin, r.originOf("services.inventory.timeout"));
    }

    @Test
    void defaultIsTheLastResort() throws Exception {
        LoadResult file = load(DOC, Map.of(), Map.of());
        assertEquals(LoadBalancerPolicy.ROUND_ROBIN, file.config().service("inventory").loadBalancer());
        assertEquals("default", file.originOf("services.inventory.loadBalancer"));

        LoadResult env = load(DOC, Map.of(), Map.of("JMESH_SERVICES_INVENTORY_LOADBALANCER", "random"));
        assertEquals(LoadBalancerPolicy.RANDOM, env.config().service("inventory").loadBalancer());
        assertEquals("env JMESH_SERVICES_INVENTORY_LOADBALANCER", env.originOf("services.inventory.loadBalancer"));
    }

    @Test
    void overridesOfOtherKeysLeaveTheRestOfTheFileAlone() throws Exception {
        MeshConfig config = load(DOC, Map.of("jmesh.services.inventory.retry.maxAttempts", "5"),
                Map.of("JMESH_SERVICES_INVENTORY_RETRY_PERTRYTIMEOUT", "300ms")).config();
        MeshConfig file = ConfigLoader.parse(DOC, "inline").config();
        ServiceConfig inventory = config.service("inventory");
        assertEquals(5, inventory.retry().maxAttempts());
        assertEquals(Duration.ofMillis(300), inventory.retry().perTryTimeout());
        assertEquals(file.service("inventory").endpoints(), inventory.endpoints());
        assertEquals(Duration.ofSeconds(2), inventory.timeout());
        assertEquals(file.service("inventory-v2"), config.service("inventory-v2"));
        assertEquals("orders", config.service());
        assertEquals(List.copyOf(file.services().keySet()), List.copyOf(config.services().keySet()));
    }

    // ------------------------------------------------------------------ creating what the file lacks

    @Test
    void overrideCreatesANewService() throws Exception {
        LoadResult r = load(DOC, Map.of("jmesh.services.cart.endpoints", "127.0.0.1:81",
                "jmesh.services.cart.retry.maxAttempts", "2"), Map.of());
        ServiceConfig cart = r.config().service("cart");
        assertEquals(List.of(new Endpoint("127.0.0.1", 81)), cart.endpoints());
        assertEquals(2, cart.retry().maxAttempts());
        assertEquals(List.of("inventory", "inventory-v2", "orders_db", "cart"),
                List.copyOf(r.config().services().keySet()));
        assertEquals("-Djmesh.services.cart.endpoints", r.originOf("services.cart.endpoints"));
        assertEquals("default", r.originOf("services.cart.retry.backoff.base"));
        assertEquals(List.of(), r.warnings());
    }

    @Test
    void environmentCreatesANewServiceWithADashInItsName() throws Exception {
        LoadResult r = load(DOC, Map.of(), Map.of(
                "JMESH_SERVICES_CART_V2_ENDPOINTS", "127.0.0.1:81,127.0.0.1:82",
                "JMESH_SERVICES_CART_V2_TIMEOUT", "750ms"));
        ServiceConfig cart = r.config().service("cart-v2");
        assertEquals(List.of(new Endpoint("127.0.0.1", 81), new Endpoint("127.0.0.1", 82)), cart.endpoints());
        assertEquals(Duration.ofMillis(750), cart.timeout());
    }

    @Test
    void overridesAloneMakeAConfigWithoutAnyDocument() throws Exception {
        LoadResult r = ConfigLoader.load(ConfigInput.builder()
                .systemProperty("jmesh.service", "shop")
                .systemProperty("jmesh.telemetry.accessLog.path", "stdout")
                .environmentVariable("JMESH_SERVICES_INVENTORY_ENDPOINTS", "inventory:8080")
                .build());
        assertEquals("shop", r.config().service());
        assertEquals(List.of(new Endpoint("inventory", 8080)), r.config().service("inventory").endpoints());
        assertEquals("stdout", r.config().telemetry().accessLog().path());
        assertEquals("json", r.config().telemetry().accessLog().format());
        assertEquals("default", r.originOf("telemetry.accessLog.format"));
    }

    @Test
    void newEntryCloseToAnExistingNameIsAWarning() throws Exception {
        LoadResult r = load(DOC, Map.of("jmesh.services.inventroy.endpoints", "a:1"), Map.of());
        assertEquals(List.of("-Djmesh.services.inventroy.endpoints:1:1: 'inventroy' is not in services,"
                + " so this override adds it; did you mean 'inventory'?"), ConfigLoaderTest.strings(r.warnings()));
    }

    @Test
    void anOverrideOfAKeyTheEngineDoesNotEnforceYetIsAWarning() throws Throwable {
        FeaturesTest.withPendingRequestsNotEnforced(() -> {
            LoadResult r = load(DOC, Map.of("jmesh.services.inventory.maxPendingRequests", "100"), Map.of());
            assertEquals(List.of("-Djmesh.services.inventory.maxPendingRequests:1:1:"
                    + " 'services.<name>.maxPendingRequests' is validated but not enforced by this version yet"),
                    ConfigLoaderTest.strings(r.warnings()));
            assertEquals(100, r.config().service("inventory").maxPendingRequests());
        });
    }

    // ------------------------------------------------------------------ values

    static Stream<Arguments> endpointLists() {
        return Stream.of(
                Arguments.of("10.0.0.1:80", List.of(new Endpoint("10.0.0.1", 80))),
                Arguments.of("10.0.0.1:80,10.0.0.2:80", List.of(new Endpoint("10.0.0.1", 80), new Endpoint("10.0.0.2", 80))),
                Arguments.of(" 10.0.0.1:80 , 10.0.0.2:80 ", List.of(new Endpoint("10.0.0.1", 80), new Endpoint("10.0.0.2", 80))),
                Arguments.of("[10.0.0.1:80, 10.0.0.2:80]", List.of(new Endpoint("10.0.0.1", 80), new Endpoint("10.0.0.2", 80))),
                Arguments.of("[\"[::1]:80\"]", List.of(new Endpoint("::1", 80))),
                Arguments.of("a:1,\"[::1]:80\"", List.of(new Endpoint("a", 1), new Endpoint("::1", 80))),
                Arguments.of("'b:2', c:3", List.of(new Endpoint("b", 2), new Endpoint("c", 3))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpointLists")
    void listsAreCommaSeparatedOrAFlowSequence(String value, List<Endpoint> expected) throws Exception {
        assertEquals(expected, load(DOC, Map.of("jmesh.services.inventory.endpoints", value), Map.of())
                .config().service("inventory").endpoints());
        assertEquals(expected, load(DOC, Map.of(), Map.of("JMESH_SERVICES_INVENTORY_ENDPOINTS", value))
                .config().service("inventory").endpoints());
    }

    static Stream<Arguments> retryOnLists() {
        return Stream.of(
                Arguments.of("5xx,429,reset", EnumSet.of(RetryOn.STATUS_5XX, RetryOn.RESET), Set.of(429)),
                Arguments.of("[connect-failure, \"503\"]", EnumSet.of(RetryOn.CONNECT_FAILURE), Set.of(503)),
                Arguments.of("gateway-error", EnumSet.of(RetryOn.GATEWAY_ERROR), Set.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("retryOnLists")
    void retryOnAsAList(String value, Set<RetryOn> kinds, Set<Integer> codes) throws Exception {
        RetryConfig retry = load(DOC, Map.of("jmesh.services.inventory.retry.retryOn", value), Map.of())
                .config().service("inventory").retry();
        assertEquals(kinds, retry.retryOn());
        assertEquals(codes, retry.retriableStatusCodes());
    }

    @Test
    void valuesAreYamlScalars() throws Exception {
        MeshConfig config = load(DOC, Map.of(
                "jmesh.services.inventory.retry.maxAttempts", "5",                      // a number
                "jmesh.services.inventory.circuitBreaker.failureRateThreshold", "25%",  // a string
                "jmesh.services.inventory.circuitBreaker.minimumCalls", " 7 ",          // surrounding blanks go
                "jmesh.telemetry.accessLog.path", "\"/var/log/jmesh access.log\""),     // quotes are YAML's
                Map.of()).config();
        ServiceConfig inventory = config.service("inventory");
        assertEquals(5, inventory.retry().maxAttempts());
        assertEquals(0.25, inventory.circuitBreaker().failureRateThreshold(), 1e-12);
        assertEquals(7, inventory.circuitBreaker().minimumCalls());
        assertEquals("/var/log/jmesh access.log", config.telemetry().accessLog().path());
    }

    // ------------------------------------------------------------------ problems

    record Case(String name, String doc, Map<String, String> properties, Map<String, String> env,
            List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case prop(String name, String key, String value, String... expected) {
        return new Case(name, DOC, Map.of(key, value), Map.of(), List.of(expected));
    }

    static Case env(String name, String key, String value, String... expected) {
        return new Case(name, DOC, Map.of(), Map.of(key, value), List.of(expected));
    }

    static Stream<Case> badOverrides() {
        return Stream.of(
                prop("unknown key with a suggestion", "jmesh.services.inventory.timout", "1s",
                        "-Djmesh.services.inventory.timout:1:1: unknown key 'timout' in services.inventory;"
                                + " did you mean 'timeout'?"),
                env("unknown key from the environment", "JMESH_SERVICES_INVENTORY_TIMOUT", "1s",
                        "env JMESH_SERVICES_INVENTORY_TIMOUT:1:1: unknown key 'timout' in services.inventory;"
                                + " did you mean 'timeout'?"),
                env("unknown key of two words", "JMESH_SERVICES_INVENTORY_RETRY_MAX_ATTEMPTZ", "2",
                        "env JMESH_SERVICES_INVENTORY_RETRY_MAX_ATTEMPTZ:1:1: unknown key 'max_attemptz' in"
                                + " services.inventory.retry; did you mean 'maxAttempts'?"),
                env("misspelt section", "JMESH_SERVICES_INVENTORY_RETRI_MAXATTEMPTS", "2",
                        "env JMESH_SERVICES_INVENTORY_RETRI_MAXATTEMPTS:1:1: unknown key 'retri' in services.inventory;"
                                + " did you mean 'retry'?"),
                prop("misspelt top-level key", "jmesh.servces.inventory.timeout", "1s",
                        "-Djmesh.servces.inventory.timeout:1:1: unknown key 'servces' at the top level;"
                                + " did you mean 'services'?"),
                prop("key in the wrong case", "jmesh.services.inventory.LoadBalancer", "random",
                        "-Djmesh.services.inventory.LoadBalancer:1:1: unknown key 'LoadBalancer' in services.inventory;"
                                + " did you mean 'loadBalancer'?"),
                prop("bad duration", "jmesh.services.inventory.timeout", "2 seconds",
                        "-Djmesh.services.inventory.timeout:1:1: services.inventory.timeout: invalid duration"
                                + " '2 seconds'; write a number and a unit (ms, s, m or h), like 250ms or 2s"),
                env("duration without a unit", "JMESH_SERVICES_INVENTORY_RETRY_PERTRYTIMEOUT", "250",
                        "env JMESH_SERVICES_INVENTORY_RETRY_PERTRYTIMEOUT:1:1: services.inventory.retry.perTryTimeout:"
                                + " 250 has no unit; did you mean 250ms?"),
                prop("empty value", "jmesh.services.inventory.timeout", "",
                        "-Djmesh.services.inventory.timeout:1:1: services.inventory.timeout:"
                                + " expected a duration like 250ms, got null"),
                prop("bad endpoint, located in the value", "jmesh.services.inventory.endpoints",
                        "10.0.0.1:80,10.0.0.2:99999",
                        "-Djmesh.services.inventory.endpoints:1:13: services.inventory.endpoints[1]: invalid endpoint"
                                + " '10.0.0.2:99999': port must be between 1 and 65535, got 99999"),
                env("endpoint without a port", "JMESH_SERVICES_INVENTORY_ENDPOINTS", "[a:1, b]",
                        "env JMESH_SERVICES_INVENTORY_ENDPOINTS:1:7: services.inventory.endpoints[1]: invalid endpoint"
                                + " 'b': no port; write host:port, like 10.0.0.5:8080"),
                prop("IPv6 endpoint without quotes", "jmesh.services.inventory.endpoints", "[::1]:80",
                        "-Djmesh.services.inventory.endpoints:1:2: YAML syntax error: while parsing a flow node;"
                                + " expected the node content, but found ':'"),
                prop("maxAttempts zero", "jmesh.services.inventory.retry.maxAttempts", "0",
                        "-Djmesh.services.inventory.retry.maxAttempts:1:1: services.inventory.retry.maxAttempts:"
                                + " must be at least 1, got 0"),
                env("maxAttempts as text", "JMESH_SERVICES_INVENTORY_RETRY_MAXATTEMPTS", "three",
                        "env JMESH_SERVICES_INVENTORY_RETRY_MAXATTEMPTS:1:1: services.inventory.retry.maxAttempts:"
                                + " expected a whole number, got a string 'three'"),
                prop("misspelt load balancer", "jmesh.services.inventory.loadBalancer", "least-request",
                        "-Djmesh.services.inventory.loadBalancer:1:1: services.inventory.loadBalancer: unknown value"
                                + " 'least-request'; did you mean 'least_request'? allowed values: round_robin,"
                                + " least_request, random"),
                prop("unknown retryOn item", "jmesh.services.inventory.retry.retryOn", "5xx,timeout",
                        "-Djmesh.services.inventory.retry.retryOn:1:5: services.inventory.retry.retryOn[1]: unknown"
                                + " value 'timeout'; allowed values: connect-failure, reset, 5xx, gateway-error,"
                                + " or a status code like \"429\""),
                prop("percentage above 100", "jmesh.services.inventory.circuitBreaker.failureRateThreshold", "150%",
                        "-Djmesh.services.inventory.circuitBreaker.failureRateThreshold:1:1:"
                                + " services.inventory.circuitBreaker.failureRateThreshold:"
                                + " must be more than 0% and at most 100%, got 150%"),
                env("unknown access log format, in a section the override creates", "JMESH_TELEMETRY_ACCESSLOG_FORMAT",
                        "xml",
                        "env JMESH_TELEMETRY_ACCESSLOG_FORMAT:1:1: telemetry.accessLog.format: unknown value 'xml';"
                                + " allowed values: json, text",
                        "env JMESH_TELEMETRY_ACCESSLOG_FORMAT:1:1: telemetry.accessLog: missing required key 'path'"),
                prop("backoff base above the default max", "jmesh.services.inventory.retry.backoff.base", "1s",
                        "-Djmesh.services.inventory.retry.backoff.base:1:1: services.inventory.retry.backoff.base:"
                                + " 1s is more than the default max (250ms); set backoff.max as well"),
                prop("YAML syntax error in the value", "jmesh.services.inventory.timeout", "[2s",
                        "-Djmesh.services.inventory.timeout:1:4: YAML syntax error: while parsing a flow sequence;"
                                + " expected ',' or ']', but got <stream end>"),
                prop("a map for a section", "jmesh.services.inventory.retry", "{maxAttempts: 5}",
                        "-Djmesh.services.inventory.retry:1:1: services.inventory.retry: an override sets one value"
                                + " or a list, not a map; set each key on its own, like"
                                + " -Djmesh.services.inventory.retry.key=value"),
                prop("a value for a section", "jmesh.services.inventory.retry", "5",
                        "-Djmesh.services.inventory.retry:1:1: services.inventory.retry: expected a map, got a number 5"),
                prop("a key below a value", "jmesh.services.inventory.timeout.ms", "5",
                        "-Djmesh.services.inventory.timeout.ms:1:1: services.inventory.timeout is a value and has no"
                                + " keys; remove '.ms'"),
                env("a key below a value from the environment", "JMESH_SERVICE_NAME", "x",
                        "env JMESH_SERVICE_NAME:1:1: service is a value and has no keys; remove '_NAME'"),
                prop("new service without endpoints", "jmesh.services.cart.timeout", "1s",
                        "-Djmesh.services.cart.timeout:1:1: services.cart: missing required key 'endpoints'"),
                prop("empty segment", "jmesh.services..timeout", "1s",
                        "-Djmesh.services..timeout:1:1: 'jmesh.services..timeout' does not name a config key;"
                                + " write the key's dotted path after 'jmesh.', like -Djmesh.services.inventory.timeout=2s"),
                env("empty segment in a variable", "JMESH_SERVICES__TIMEOUT", "1s",
                        "env JMESH_SERVICES__TIMEOUT:1:1: 'JMESH_SERVICES__TIMEOUT' does not name a config key;"
                                + " write the key's path in upper case with '_' between its parts,"
                                + " like JMESH_SERVICES_INVENTORY_TIMEOUT=2s"),
                prop("misspelt agent setting", "jmesh.config.inlin", "service: x",
                        "-Djmesh.config.inlin:1:1: unknown setting; did you mean -Djmesh.config.inline?"),
                env("misspelt agent setting in the environment", "JMESH_CONFIG_INLNE", "service: x",
                        "env JMESH_CONFIG_INLNE:1:1: unknown setting; did you mean env JMESH_CONFIG_INLINE?"),
                new Case("two variables for one key", DOC, Map.of(), Map.of(
                        "JMESH_SERVICES_INVENTORY_RETRY_MAXATTEMPTS", "2",
                        "JMESH_SERVICES_INVENTORY_RETRY_MAX_ATTEMPTS", "3"), List.of(
                        "env JMESH_SERVICES_INVENTORY_RETRY_MAXATTEMPTS:1:1: sets services.inventory.retry.maxAttempts,"
                                + " which env JMESH_SERVICES_INVENTORY_RETRY_MAX_ATTEMPTS sets too; remove one of them",
                        "env JMESH_SERVICES_INVENTORY_RETRY_MAX_ATTEMPTS:1:1: sets services.inventory.retry.maxAttempts,"
                                + " which env JMESH_SERVICES_INVENTORY_RETRY_MAXATTEMPTS sets too; remove one of them")),
                new Case("variable matching two services", "services:\n  orders-db: { endpoints: [a:1] }\n"
                        + "  orders_db: { endpoints: [b:1] }\n", Map.of(), Map.of("JMESH_SERVICES_ORDERS_DB_TIMEOUT", "1s"),
                        List.of("env JMESH_SERVICES_ORDERS_DB_TIMEOUT:1:1: 'ORDERS_DB' matches 'orders-db' and"
                                + " 'orders_db' in services; set it with a system property, which names it exactly,"
                                + " like -Djmesh.services.orders-db.KEY=VALUE")),
                new Case("path through a value of the file", "services:\n  inventory:\n    endpoints: [a:1]\n"
                        + "    retry: 3\n", Map.of("jmesh.services.inventory.retry.maxAttempts", "5"), Map.of(),
                        List.of("inline:4:12: services.inventory.retry: expected a map, got a number 3",
                                "-Djmesh.services.inventory.retry.maxAttempts:1:1: cannot set"
                                        + " services.inventory.retry.maxAttempts: services.inventory.retry is a number 3"
                                        + " (inline:4:12), not a map")),
                new Case("problems of the file come first, then properties, then variables",
                        "services:\n  inventory:\n    endpoints: [a:1]\n    timeout: 0s\n",
                        Map.of("jmesh.services.inventory.retry.maxAttempts", "0"),
                        Map.of("JMESH_SERVICES_INVENTORY_LOADBALANCER", "fastest"), List.of(
                        "inline:4:14: services.inventory.timeout: must be greater than 0, got 0s",
                        "-Djmesh.services.inventory.retry.maxAttempts:1:1: services.inventory.retry.maxAttempts:"
                                + " must be at least 1, got 0",
                        "env JMESH_SERVICES_INVENTORY_LOADBALANCER:1:1: services.inventory.loadBalancer: unknown value"
                                + " 'fastest'; allowed values: round_robin, least_request, random")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOverrides")
    void badOverridesAreReportedAtTheOverride(Case c) {
        assertEquals(c.expected(), problems(c.doc(), c.properties(), c.env()));
    }

    @Test
    void everyProblemOfEveryOverrideIsReportedInOneRun() {
        Map<String, String> properties = new HashMap<>();
        properties.put("jmesh.services.inventory.timout", "1s");
        properties.put("jmesh.services.inventory.endpoints", "[a:1");
        properties.put("jmesh.services.inventory.retry.maxAttempts", "0");
        assertEquals(List.of(
                "-Djmesh.services.inventory.endpoints:1:5: YAML syntax error: while parsing a flow sequence;"
                        + " expected ',' or ']', but got <stream end>",
                "-Djmesh.services.inventory.retry.maxAttempts:1:1: services.inventory.retry.maxAttempts:"
                        + " must be at least 1, got 0",
                "-Djmesh.services.inventory.timout:1:1: unknown key 'timout' in services.inventory;"
                        + " did you mean 'timeout'?"),
                problems(DOC, properties, Map.of()));
    }

    @Test
    void aBadDocumentStopsBeforeTheOverridesAreMergedButTheirNamesAreStillChecked() {
        assertEquals(List.of(
                "inline:1:12: YAML syntax error: while parsing a flow node; expected the node content,"
                        + " but found '<stream end>'",
                "-Djmesh.config.inlin:1:1: unknown setting; did you mean -Djmesh.config.inline?"),
                problems("services: [", Map.of("jmesh.config.inlin", "x", "jmesh.services.x.timeout", "1s"), Map.of()));
    }

    // ------------------------------------------------------------------ what is not an override

    @Test
    void agentSwitchesAndForeignVariablesAreNotOverrides() throws Exception {
        Map<String, String> properties = new HashMap<>();
        properties.put("jmesh.config", "/does/not/exist.yaml");
        properties.put("jmesh.config.inline", "not: [valid");
        properties.put("jmesh.debug", "true");
        properties.put("jmesh.agent", "x");
        properties.put("jmesh.agent.logLevel", "debug");
        properties.put("jmesh", "x");
        properties.put("java.version", "17");
        Map<String, String> env = new HashMap<>();
        env.put("JMESH_CONFIG", "/does/not/exist.yaml");
        env.put("JMESH_CONFIG_INLINE", "not: [valid");
        env.put("JMESH_DEBUG", "1");
        env.put("JMESH_AGENT_THREADS", "2");
        env.put("JMESHX", "1");
        env.put("PATH", "/usr/bin");
        env.put("jmesh_services_inventory_timeout", "9s");
        LoadResult r = load(DOC, properties, env);
        assertEquals(ConfigLoader.parse(DOC, "inline").config(), r.config());
        assertEquals(List.of(), r.warnings());
        assertEquals("inline:5:14", r.originOf("services.inventory.timeout"));
    }

    // ------------------------------------------------------------------ environment names

    static Stream<Arguments> environmentNames() {
        return Stream.of(
                Arguments.of("JMESH_SERVICE", "service"),
                Arguments.of("JMESH_SERVICES_INVENTORY_TIMEOUT", "services.inventory.timeout"),
                Arguments.of("JMESH_SERVICES_INVENTORY_LOADBALANCER", "services.inventory.loadBalancer"),
                Arguments.of("JMESH_SERVICES_INVENTORY_LOAD_BALANCER", "services.inventory.loadBalancer"),
                Arguments.of("JMESH_SERVICES_INVENTORY_RETRY_MAXATTEMPTS", "services.inventory.retry.maxAttempts"),
                Arguments.of("JMESH_SERVICES_INVENTORY_RETRY_MAX_ATTEMPTS", "services.inventory.retry.maxAttempts"),
                Arguments.of("JMESH_SERVICES_INVENTORY_RETRY_BACKOFF_BASE", "services.inventory.retry.backoff.base"),
                Arguments.of("JMESH_SERVICES_INVENTORY_RETRY_RETRYON", "services.inventory.retry.retryOn"),
                Arguments.of("JMESH_SERVICES_INVENTORY_CIRCUITBREAKER_FAILURE_RATE_THRESHOLD",
                        "services.inventory.circuitBreaker.failureRateThreshold"),
                Arguments.of("JMESH_TELEMETRY_ACCESSLOG_PATH", "telemetry.accessLog.path"),
                Arguments.of("JMESH_TELEMETRY_ACCESS_LOG_FORMAT", "telemetry.accessLog.format"),
                Arguments.of("JMESH_Services_Inventory_Timeout", "services.inventory.timeout"),
                // existing names: '-' and '_' alike, the longest existing name first
                Arguments.of("JMESH_SERVICES_INVENTORY_V2_TIMEOUT", "services.inventory-v2.timeout"),
                Arguments.of("JMESH_SERVICES_ORDERS_DB_TIMEOUT", "services.orders_db.timeout"),
                // new names: lower case, '_' becomes '-', as few tokens as leave a valid key path
                Arguments.of("JMESH_SERVICES_CART_ENDPOINTS", "services.cart.endpoints"),
                Arguments.of("JMESH_SERVICES_CART_V2_ENDPOINTS", "services.cart-v2.endpoints"),
                Arguments.of("JMESH_SERVICES_INVENTORY_V3_RETRY_MAXATTEMPTS", "services.inventory-v3.retry.maxAttempts"),
                Arguments.of("JMESH_SERVICES_MY_RETRY_SVC_TIMEOUT", "services.my-retry-svc.timeout"),
                // unknown keys keep the tokens that come closest to a known key, for "did you mean"
                Arguments.of("JMESH_SERVICES_INVENTORY_TIMOUT", "services.inventory.timout"),
                Arguments.of("JMESH_SERVICES_INVENTORY_OUTLIERDETECTION_CONSECUTIVE5XX",
                        "services.inventory.outlierDetection.consecutive5xx"),
                // keys of the full model
                Arguments.of("JMESH_SERVICES_INVENTORY_OUTLIER_DETECTION_MAX_EJECTION_PERCENT",
                        "services.inventory.outlierDetection.maxEjectionPercent"),
                Arguments.of("JMESH_SERVICES_INVENTORY_DNS", "services.inventory.dns"),
                Arguments.of("JMESH_SERVICES_INVENTORY_DNS_REFRESH_INTERVAL", "services.inventory.dns.refreshInterval"),
                Arguments.of("JMESH_SERVICES_CART_V2_DNS", "services.cart-v2.dns"),
                Arguments.of("JMESH_SERVICES_INVENTORY_RETRY_BUDGET_MIN_CONCURRENCY",
                        "services.inventory.retry.budget.minConcurrency"),
                Arguments.of("JMESH_SERVICES_INVENTORY_MAX_PENDING_REQUESTS", "services.inventory.maxPendingRequests"),
                Arguments.of("JMESH_ROUTES", "routes"),
                Arguments.of("JMESH_DATABASES_ORDERS_DB_QUERYTIMEOUT", "databases.orders-db.queryTimeout"),
                Arguments.of("JMESH_DATABASES_ORDERS_DB_RETRY_MAX_ATTEMPTS", "databases.orders-db.retry.maxAttempts"),
                Arguments.of("JMESH_EGRESS_ALLOW", "egress.allow"),
                Arguments.of("JMESH_TELEMETRY_METRICS_PROMETHEUS_PORT", "telemetry.metrics.prometheus.port"),
                Arguments.of("JMESH_TELEMETRY_METRICS_STATSD_DOGSTATSD", "telemetry.metrics.statsd.dogstatsd"),
                Arguments.of("JMESH_TELEMETRY_TRACING_SAMPLING", "telemetry.tracing.sampling"),
                Arguments.of("JMESH_CONTROLPLANE_HTTP_TOKEN_FILE", "controlPlane.http.tokenFile"),
                Arguments.of("JMESH_CONTROL_PLANE_XDS_NODE_ID", "controlPlane.xds.nodeId"),
                Arguments.of("JMESH_CONTROL_PLANE_XDS_METADATA_ZONE", "controlPlane.xds.metadata.zone"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("environmentNames")
    void environmentNamesMapToConfigPaths(String variable, String path) {
        Problems problems = new Problems();
        Node root = TreeReader.read(DOC, "inline", problems);
        List<Overrides.KeyOverride> overrides = Overrides.collect(root,
                ConfigInput.builder().environmentVariable(variable, "1").build(), problems);
        assertEquals(List.of(), problems.errors());
        assertEquals(1, overrides.size());
        assertEquals(path, overrides.get(0).path);
    }

    @Test
    void variablesNamingOneNewServiceAgree() throws Exception {
        // CART_V2_TIMOUT alone would read as service "cart" with key "v2_timout"; the other variable
        // creates "cart-v2", so the typo is reported inside the service the user meant.
        assertEquals(List.of("env JMESH_SERVICES_CART_V2_TIMOUT:1:1: unknown key 'timout' in services.cart-v2;"
                        + " did you mean 'timeout'?"),
                problems(DOC, Map.of(), Map.of("JMESH_SERVICES_CART_V2_ENDPOINTS", "a:1",
                        "JMESH_SERVICES_CART_V2_TIMOUT", "1s")));
    }

    @Test
    void propertiesReachServiceNamesWithDots() throws Exception {
        String doc = "services:\n  api.v1:\n    endpoints: [a:1]\n";
        LoadResult r = load(doc, Map.of("jmesh.services.api.v1.timeout", "1s"),
                Map.of("JMESH_SERVICES_API_V1_LOADBALANCER", "random"));
        ServiceConfig api = r.config().service("api.v1");
        assertEquals(Duration.ofSeconds(1), api.timeout());
        assertEquals(LoadBalancerPolicy.RANDOM, api.loadBalancer());
        assertEquals(List.of("api.v1"), List.copyOf(r.config().services().keySet()));
    }

    @Test
    void aVariableCanReachAServiceThatAPropertyCreates() throws Exception {
        LoadResult r = load(DOC, Map.of("jmesh.services.cart_api.endpoints", "a:1"),
                Map.of("JMESH_SERVICES_CART_API_TIMEOUT", "1s"));
        assertEquals(Duration.ofSeconds(1), r.config().service("cart_api").timeout());
        assertEquals(List.of("inventory", "inventory-v2", "orders_db", "cart_api"),
                List.copyOf(r.config().services().keySet()));
    }

    // ------------------------------------------------------------------ keys of the full model

    @Test
    void systemPropertiesSetTheNewKeysOfAService() throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("jmesh.services.inventory.outlierDetection.consecutive5xx", "3");
        p.put("jmesh.services.inventory.healthCheck.path", "/healthz");
        p.put("jmesh.services.inventory.rateLimit.requestsPerSecond", "50");
        p.put("jmesh.services.inventory.maxConcurrentRequests", "100");
        p.put("jmesh.services.inventory.retry.methods", "GET,POST");
        p.put("jmesh.services.inventory.retry.budget.percent", "10%");
        p.put("jmesh.services.inventory.circuitBreaker.mode", "shadow");
        LoadResult r = load(DOC, p, Map.of());
        ServiceConfig inventory = r.config().service("inventory");
        assertEquals(3, inventory.outlierDetection().consecutive5xx());
        assertEquals(OutlierDetectionConfig.DEFAULT_BASE_EJECTION_TIME, inventory.outlierDetection().baseEjectionTime());
        assertEquals("/healthz", inventory.healthCheck().path());
        assertEquals(50.0, inventory.rateLimit().requestsPerSecond());
        assertEquals(100, inventory.maxConcurrentRequests());
        assertEquals(List.of("GET", "POST"), List.copyOf(inventory.retry().methods()));
        assertEquals(3, inventory.retry().maxAttempts(), "the file's");
        assertEquals(0.1, inventory.retry().budget().percent(), 1e-12);
        assertEquals(Mode.SHADOW, inventory.circuitBreaker().mode());
        assertEquals("-Djmesh.services.inventory.outlierDetection.consecutive5xx",
                r.originOf("services.inventory.outlierDetection.consecutive5xx"));
        assertEquals("default", r.originOf("services.inventory.outlierDetection.interval"));
    }

    @Test
    void environmentSetsTheOtherSections() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("JMESH_EGRESS_MODE", "registry_only");
        env.put("JMESH_EGRESS_ALLOW", "api.example.com, \"*.example.org:443\"");
        env.put("JMESH_TELEMETRY_METRICS_PROMETHEUS_PORT", "9000");
        env.put("JMESH_TELEMETRY_TRACING_PROPAGATORS", "b3,xray");
        env.put("JMESH_TELEMETRY_ADMIN_PORT", "9901");
        env.put("JMESH_CONTROL_PLANE_XDS_ADDRESS", "istiod:15010");
        env.put("JMESH_CONTROLPLANE_XDS_METADATA_ZONE", "eu-1");
        env.put("JMESH_DATABASES_ORDERS_DB_MATCH", "jdbc:postgresql://orders*");
        env.put("JMESH_DATABASES_ORDERS_DB_QUERY_TIMEOUT", "3s");
        LoadResult r = load(DOC, Map.of(), env);
        MeshConfig c = r.config();
        assertEquals(EgressMode.REGISTRY_ONLY, c.egress().mode());
        assertEquals(List.of("api.example.com", "*.example.org:443"), c.egress().allow());
        assertEquals(9000, c.telemetry().metrics().prometheus().port());
        assertEquals("127.0.0.1", c.telemetry().metrics().prometheus().host());
        assertEquals(List.of(Propagator.B3, Propagator.XRAY), c.telemetry().tracing().propagators());
        assertEquals(9901, c.telemetry().admin().port());
        assertEquals(new Endpoint("istiod", 15010), c.controlPlane().xds().address());
        assertEquals(Map.of("zone", "eu-1"), c.controlPlane().xds().metadata());
        assertEquals(Duration.ofSeconds(3), c.database("orders-db").queryTimeout());
        assertEquals("env JMESH_CONTROLPLANE_XDS_METADATA_ZONE", r.originOf("controlPlane.xds.metadata.zone"));
        assertEquals("env JMESH_DATABASES_ORDERS_DB_QUERY_TIMEOUT", r.originOf("databases.orders-db.queryTimeout"));
    }

    @Test
    void dnsIsSetWholeOrKeyByKey() throws Exception {
        String doc = "services:\n  catalog:\n    dns: { address: \"catalog.internal:80\" }\n";
        LoadResult r = load(doc, Map.of("jmesh.services.catalog.dns.refreshInterval", "5s",
                "jmesh.services.search.dns", "search.internal:9200"),
                Map.of("JMESH_SERVICES_CART_V2_DNS", "cart.internal:80"));
        assertEquals(Duration.ofSeconds(5), r.config().service("catalog").dns().refreshInterval());
        assertEquals(new Endpoint("search.internal", 9200), r.config().service("search").dns().address());
        assertEquals(new Endpoint("cart.internal", 80), r.config().service("cart-v2").dns().address());
        assertEquals("-Djmesh.services.search.dns", r.originOf("services.search.dns.address"));
        assertEquals("-Djmesh.services.search.dns", r.originOf("services.search.endpoints"));
        assertEquals("default", r.originOf("services.search.dns.refreshInterval"));
    }

    @Test
    void routesAreReplacedWhole() throws Exception {
        String doc = DOC + "routes:\n  - match: { host: inventory }\n    to: inventory\n";
        LoadResult r = load(doc, Map.of("jmesh.routes",
                "[{name: canary, match: {host: inventory}, to: [{service: inventory-v2, weight: 10},"
                        + " {service: inventory, weight: 90}]}]"), Map.of());
        List<RouteConfig> routes = r.config().routes();
        assertEquals(1, routes.size());
        assertEquals("canary", routes.get(0).name());
        assertEquals(List.of(new WeightedService("inventory-v2", 10), new WeightedService("inventory", 90)),
                routes.get(0).to());
        assertEquals("-Djmesh.routes", r.originOf("routes"));
        assertEquals("-Djmesh.routes", r.originOf("routes[0].to"));
    }

    static Stream<Case> badOverridesOfNewKeys() {
        return Stream.of(
                prop("dns for a service that has endpoints", "jmesh.services.inventory.dns", "inventory.internal:80",
                        "-Djmesh.services.inventory.dns:1:1: services.inventory: give either 'endpoints' or 'dns',"
                                + " not both"),
                prop("route to an unknown service", "jmesh.routes", "[{to: inventroy}]",
                        "-Djmesh.routes:1:7: routes[0].to: unknown service 'inventroy'; did you mean 'inventory'?"),
                env("bad egress mode", "JMESH_EGRESS_MODE", "deny_all",
                        "env JMESH_EGRESS_MODE:1:1: egress.mode: unknown value 'deny_all'; allowed values: allow_all,"
                                + " registry_only"),
                env("bad propagator in a list", "JMESH_TELEMETRY_TRACING_PROPAGATORS", "tracecontext,b3-multi",
                        "env JMESH_TELEMETRY_TRACING_PROPAGATORS:1:14: telemetry.tracing.propagators[1]: unknown value"
                                + " 'b3-multi'; did you mean 'b3multi'? allowed values: tracecontext, baggage, b3,"
                                + " b3multi, xray"),
                prop("misspelt key of a new section", "jmesh.services.inventory.outlierDetection.consecutive5xxx", "3",
                        "-Djmesh.services.inventory.outlierDetection.consecutive5xxx:1:1: unknown key 'consecutive5xxx'"
                                + " in services.inventory.outlierDetection; did you mean 'consecutive5xx'?"),
                prop("percentage out of range", "jmesh.services.inventory.outlierDetection.maxEjectionPercent", "0",
                        "-Djmesh.services.inventory.outlierDetection.maxEjectionPercent:1:1:"
                                + " services.inventory.outlierDetection.maxEjectionPercent: must be more than 0% and"
                                + " at most 100%, got 0"),
                prop("a key below a list of routes", "jmesh.routes.timeout", "1s",
                        "-Djmesh.routes.timeout:1:1: routes is a value and has no keys; remove '.timeout'"),
                env("control plane with both kinds", "JMESH_CONTROLPLANE_HTTP_URL", "https://cp/x",
                        "env JMESH_CONTROLPLANE_HTTP_URL:1:1: controlPlane: give either 'xds' or 'http', not both"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOverridesOfNewKeys")
    void badOverridesOfNewKeysAreReportedAtTheOverride(Case c) {
        String doc = c.name().equals("control plane with both kinds")
                ? DOC + "controlPlane: { xds: { address: \"cp:1\" } }\n" : c.doc();
        assertEquals(c.expected(), problems(doc, c.properties(), c.env()));
    }
}
