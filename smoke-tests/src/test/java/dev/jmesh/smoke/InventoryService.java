package dev.jmesh.smoke;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A running inventory-service demo (JDK HttpServer) on 127.0.0.1, usually with the agent attached. */
final class InventoryService {
    private static final Pattern LISTENING = Pattern.compile("LISTENING (\\d+)");

    private final JavaProcess process;
    private final int port;

    private InventoryService(JavaProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** {@code java -javaagent:... -Djmesh.config=config -jar inventory-service.jar <args>}, once it listens. */
    static InventoryService start(ChildProcesses processes, Path config, String... args) {
        return start(processes, config, List.of(), args);
    }

    /** The same with extra JVM flags (after the agent's). */
    static InventoryService start(ChildProcesses processes, Path config, List<String> jvmFlags, String... args) {
        List<String> jvm = new ArrayList<>(Shop.agent(config));
        jvm.addAll(jvmFlags);
        JavaProcess process = processes.javaJar("inventory+agent", jvm, SmokeEnv.inventoryJar(), List.of(args), null);
        Matcher listening = process.awaitStdoutLine(LISTENING, Duration.ofSeconds(30));
        return new InventoryService(process, Integer.parseInt(listening.group(1)));
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    JavaProcess process() {
        return process;
    }

    String describe() {
        return process.describe();
    }
}
