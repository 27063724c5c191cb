package dev.jmesh.smoke;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The files the smoke tests launch, passed in as system properties by the module's pom (surefire
 * {@code systemPropertyVariables}). The jars are built in the {@code package} phase, so the tests need
 * {@code mvn verify} from the repository root.
 */
final class SmokeEnv {
    private static final String HOW_TO_BUILD = "run `mvn verify` from the repository root (not `mvn test`:"
            + " the jars are built in the package phase, which `mvn test` does not reach)";

    private static volatile boolean announced;

    private SmokeEnv() {
    }

    static Path agentJar() {
        return existingFile("jmesh.agent.jar", "the agent jar");
    }

    static Path upstreamJar() {
        return existingFile("jmesh.demo.upstream.jar", "the flaky-upstream demo jar");
    }

    static Path inventoryJar() {
        return existingFile("jmesh.demo.inventory.jar", "the inventory-service demo jar");
    }

    static Path servletAppJar() {
        return existingFile("jmesh.demo.servlet.jar", "the servlet-app demo jar");
    }

    /** The servlet-app demo's Tomcat 9 main (used together with {@link #servletAppJar()}). */
    static Path servletAppTomcat9Jar() {
        return existingFile("jmesh.demo.servlet.tomcat9.jar", "the servlet-app-tomcat9 demo jar");
    }

    static Path shopJar() {
        return existingFile("jmesh.demo.shop.jar", "the legacy-shop demo jar");
    }

    static Path libraryClientsJar() {
        return existingFile("jmesh.demo.clients.jar", "the library-clients demo jar");
    }

    /** The jdbc-app demo; its drivers and HikariCP are in {@code lib/} next to it (the jar's manifest class path). */
    static Path jdbcAppJar() {
        return existingFile("jmesh.demo.jdbc.jar", "the jdbc-app demo jar");
    }

    /** The OpenTelemetry Java agent, copied from Maven into target/otel by the build. */
    static Path otelJavaagentJar() {
        return existingFile("jmesh.test.otel.javaagent", "the OpenTelemetry Java agent jar");
    }

    /** The aws-app demo; the AWS SDK is in {@code lib/} next to it (the jar's manifest class path). */
    static Path awsAppJar() {
        return existingFile("jmesh.demo.aws.jar", "the aws-app demo jar");
    }

    static Path springBootClientJar() {
        return existingFile("jmesh.demo.spring.jar", "the spring-boot-client demo fat jar");
    }

    /**
     * The jars of one client-library version line ({@code okhttp.oldest}, {@code httpclient5.newest}, ...): the
     * folder named by {@code -Djmesh.test.libs.<line>}, which the pom fills in the generate-test-resources phase.
     */
    static Path clientLibs(String line) {
        Path dir = Paths.get(required("jmesh.test.libs." + line, "the jars of client library line " + line))
                .toAbsolutePath().normalize();
        try (var jars = Files.list(dir)) {
            if (jars.noneMatch(jar -> jar.getFileName().toString().endsWith(".jar"))) {
                throw new IllegalStateException("no jars in " + dir + "; " + HOW_TO_BUILD);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot list " + dir + " (" + e + "); " + HOW_TO_BUILD);
        }
        return dir;
    }

    /** The {@code java} executable the launched processes run on ({@code -Djmesh.test.java=...}). */
    static Path java() {
        String configured = System.getProperty("jmesh.test.java");
        Path java = configured == null || configured.isBlank()
                ? Paths.get(System.getProperty("java.home"), "bin", "java")
                : Paths.get(configured);
        if (!Files.isExecutable(java)) {
            throw new IllegalStateException("jmesh.test.java points at " + java + ", which is not an executable;"
                    + " pass -Djmesh.test.java=/path/to/jdk/bin/java");
        }
        if (!announced) {
            announced = true;
            System.out.println("[smoke] launched JVMs run on " + java);
        }
        return java;
    }

    /** The project version, for {@code jmesh-agent.jar version}. */
    /** The jcmd next to the java the launched JVMs run on ({@code -Djmesh.test.java}): the same JDK. */
    static Path jcmd() {
        Path java;
        try {
            java = java().toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path jcmd = java.resolveSibling("jcmd");
        if (!Files.isExecutable(jcmd)) {
            throw new IllegalStateException("no jcmd next to " + java + ": jcmd must come from the launched JVM's own JDK");
        }
        return jcmd;
    }

    static String version() {
        return required("jmesh.version", "the project version");
    }

    private static Path existingFile(String property, String what) {
        Path path = Paths.get(required(property, what)).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(what + " is missing at " + path + "; " + HOW_TO_BUILD);
        }
        return path;
    }

    private static String required(String property, String what) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " (" + what + ") is not set;"
                    + " the smoke-tests pom passes it to surefire: " + HOW_TO_BUILD);
        }
        return value;
    }

    static Path bundledLibrariesJar() {
        return existingFile("jmesh.demo.bundled.jar", "the bundled-libraries demo fat jar");
    }
}
