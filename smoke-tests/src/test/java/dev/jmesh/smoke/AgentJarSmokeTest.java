package dev.jmesh.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves the shipped jmesh-agent.jar is one self-contained Java 8 file: only dev.jmesh.bootstrap is visible
 * as classes, everything else is hidden under inst/ as .classdata, nothing lives outside dev/jmesh, the
 * manifest makes it an agent and a tool, and {@code version} works.
 */
class AgentJarSmokeTest {
    /** Class file major version of Java 8. */
    private static final int JAVA_8 = 52;

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @Test
    void layoutHidesEverythingButTheBootstrapAndIsJava8() throws IOException {
        List<String> problems = new ArrayList<>();
        int classes = 0;
        int classdata = 0;
        try (ZipFile jar = new ZipFile(SmokeEnv.agentJar().toFile())) {
            Enumeration<? extends ZipEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                if (!(name.startsWith("META-INF/") || name.startsWith("dev/jmesh/bootstrap/") || name.startsWith("inst/")
                        || name.equals("dev/") || name.equals("dev/jmesh/"))) {
                    problems.add(name + ": outside META-INF/, dev/jmesh/bootstrap/ and inst/");
                }
                if (name.endsWith(".class")) {
                    classes++;
                    if (!name.startsWith("dev/jmesh/")) {
                        problems.add(name + ": a class outside dev/jmesh/");
                    }
                    checkClassVersion(jar, entry, problems);
                } else if (name.endsWith(".classdata")) {
                    classdata++;
                    if (!name.startsWith("inst/dev/jmesh/")) {
                        problems.add(name + ": hidden class data outside inst/dev/jmesh/");
                    }
                    checkClassVersion(jar, entry, problems);
                }
            }
            assertNotNull(jar.getEntry("dev/jmesh/bootstrap/launcher/AgentLauncher.class"), "the launcher is visible");
            assertNotNull(jar.getEntry("inst/dev/jmesh/agent/Agent.classdata"), "the agent proper is hidden");
        }
        assertEquals(List.of(), problems, "agent jar layout");
        assertTrue(classes > 0, "bootstrap classes expected");
        assertTrue(classdata > classes, "the bulk of the agent lives under inst/");
    }

    @Test
    void manifestMakesItAnAgentAndATool() throws IOException {
        try (JarFile jar = new JarFile(SmokeEnv.agentJar().toFile())) {
            assertNotNull(jar.getManifest(), "manifest");
            Attributes main = jar.getManifest().getMainAttributes();
            for (String attribute : List.of("Premain-Class", "Agent-Class", "Main-Class")) {
                String className = main.getValue(attribute);
                assertNotNull(className, attribute);
                assertNotNull(jar.getEntry(className.replace('.', '/') + ".class"),
                        attribute + " " + className + " must be a visible class in the jar");
            }
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
        }
    }

    @Test
    void versionCommandPrintsTheProjectVersion() {
        JavaProcess process = processes.javaJar("jmesh-version", List.of(), SmokeEnv.agentJar(), List.of("version"), null);
        int exit = process.awaitExit(Duration.ofSeconds(60));
        assertEquals(0, exit, process.describe());
        assertEquals(List.of("jmesh " + SmokeEnv.version()), process.stdoutLines(), process.describe());
    }

    private static void checkClassVersion(ZipFile jar, ZipEntry entry, List<String> problems) throws IOException {
        byte[] header = new byte[8];
        int read;
        try (InputStream in = jar.getInputStream(entry)) {
            read = in.readNBytes(header, 0, header.length);
        }
        if (read < 8 || (header[0] & 0xff) != 0xCA || (header[1] & 0xff) != 0xFE
                || (header[2] & 0xff) != 0xBA || (header[3] & 0xff) != 0xBE) {
            problems.add(entry.getName() + ": not a class file");
            return;
        }
        int major = ((header[6] & 0xff) << 8) | (header[7] & 0xff);
        if (major > JAVA_8) { // older class files (some shaded libraries are built for Java 6 or 7) run on Java 8 too
            problems.add(entry.getName() + ": class file version " + major + ", expected at most " + JAVA_8 + " (Java 8)");
        }
    }
}
