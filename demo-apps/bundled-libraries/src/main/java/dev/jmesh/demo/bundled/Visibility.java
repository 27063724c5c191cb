package dev.jmesh.demo.bundled;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;

/**
 * What the app's class loader can see of an agent, the way any code (a class-path scanner, a service loader, a
 * library probing for an optional dependency) would look: {@code Class.forName(name, false, loader)}, resources,
 * and system properties. A run without the agent and one with it must print the same, but for
 * {@code dev.jmesh.bootstrap.Mesh}, the one class an agent makes visible to every loader on purpose.
 */
final class Visibility {
    /** The agent proper, its shaded libraries, and an instrumentation helper: none may be visible. */
    static final List<String> AGENT_CLASSES = Collections.unmodifiableList(Arrays.asList(
            "dev.jmesh.agent.Agent",
            "dev.jmesh.agent.engine.MeshEngineImpl",
            "dev.jmesh.shaded.bytebuddy.ByteBuddy",
            "dev.jmesh.shaded.failsafe.Failsafe",
            "dev.jmesh.shaded.jackson.core.JsonFactory",
            "dev.jmesh.instrumentation.okhttp.MeshInterceptor"));

    /** The agent's facade, visible with the agent by design. */
    static final String FACADE = "dev.jmesh.bootstrap.Mesh";

    /**
     * Resources the app's libraries bring once each; an agent that leaked its own copies (it uses Byte Buddy and
     * Jackson too) would make the count 2, and might hand the app the agent's copy first.
     */
    static final List<String> RESOURCES = Collections.unmodifiableList(Arrays.asList(
            "META-INF/maven/net.bytebuddy/byte-buddy/pom.properties",
            "META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.properties",
            "META-INF/maven/com.fasterxml.jackson.core/jackson-core/pom.properties",
            "META-INF/services/com.fasterxml.jackson.core.JsonFactory",
            "net/bytebuddy/ByteBuddy.class",
            "com/fasterxml/jackson/core/JsonFactory.class",
            "okhttp3/OkHttpClient.class"));

    private Visibility() {
    }

    static void run(BundledLibraries.Tally tally) throws IOException {
        ClassLoader app = BundledLibraries.class.getClassLoader();
        for (String name : AGENT_CLASSES) {
            BundledLibraries.print("class " + name + " " + visibility(name, app));
        }
        BundledLibraries.print("class " + FACADE + " " + visibility(FACADE, app));
        for (String name : RESOURCES) {
            BundledLibraries.print("resource " + name + " " + count(app.getResources(name)));
        }
        // System properties of Byte Buddy's own (e.g. net.bytebuddy.nexus.disabled) change how the app's copy works.
        TreeSet<String> byteBuddyProperties = new TreeSet<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("net.bytebuddy.")) {
                byteBuddyProperties.add(name + "=" + System.getProperty(name));
            }
        }
        BundledLibraries.print("property net.bytebuddy.* " + (byteBuddyProperties.isEmpty() ? "none" : byteBuddyProperties));
    }

    private static String visibility(String name, ClassLoader loader) {
        try {
            Class.forName(name, false, loader);
            return "VISIBLE";
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            return "hidden";
        }
    }

    private static int count(Enumeration<?> resources) {
        int n = 0;
        while (resources.hasMoreElements()) {
            resources.nextElement();
            n++;
        }
        return n;
    }
}
