package dev.jmesh.agent.controlplane;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.ConfigException;
import dev.jmesh.config.ConfigInput;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.LoadResult;
import dev.jmesh.config.MeshConfig;
import dev.jmesh.config.Problem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The documents a control plane serves, on their way in: each is validated as a whole (with this JVM's
 * {@code -Djmesh.*} / {@code JMESH_*} overrides merged in, as for a file), then swapped in, then kept: in
 * memory (the same document again is not re-applied) and in the cache file, which a JVM that starts while
 * the control plane is down runs on. A document that cannot be used changes nothing.
 */
final class LastGood {
    /** First line of the cache file: where the document came from, so a cache of another source is not used. */
    private static final String HEADER = "# jmesh last good config from ";

    private final Path cacheFile;
    private final String source;
    private final ConfigInput overrides;
    private final MeshConfig bootstrap;
    /** Turns a validated document into the config in force (xDS: the bootstrap with the served services and routes). */
    private final UnaryOperator<MeshConfig> complete;
    private Consumer<MeshConfig> apply;
    private String appliedDocument;

    LastGood(Path cacheFile, String source, ConfigInput overrides, MeshConfig bootstrap,
            UnaryOperator<MeshConfig> complete) {
        this.cacheFile = cacheFile;
        this.source = source;
        this.overrides = overrides;
        this.bootstrap = bootstrap;
        this.complete = complete;
    }

    String source() {
        return source;
    }

    Path cacheFile() {
        return cacheFile;
    }

    /** Where applied configs go from now on (the engine and telemetry). */
    void applyTo(Consumer<MeshConfig> target) {
        this.apply = target;
    }

    /** The cached config, validated, or null when there is none that fits (then says why, if it exists). */
    MeshConfig cached() {
        if (!Files.isRegularFile(cacheFile)) {
            return null;
        }
        String text;
        try {
            text = new String(Files.readAllBytes(cacheFile), StandardCharsets.UTF_8);
        } catch (IOException e) {
            AgentLog.warn("control plane " + source + ": cannot read the last good config " + cacheFile + " (" + e
                    + "); starting on the local config");
            return null;
        }
        String firstLine = text.contains("\n") ? text.substring(0, text.indexOf('\n')) : text;
        if (!firstLine.equals(HEADER + source)) {
            AgentLog.warn("control plane " + source + ": the cache " + cacheFile + " holds a config from another source ("
                    + firstLine + "); starting on the local config");
            return null;
        }
        String document = text.substring(firstLine.length() + 1);
        try {
            MeshConfig config = complete.apply(ConfigLoader.parse(document, cacheFile.toString(), overrides).config());
            appliedDocument = document;
            return config;
        } catch (ConfigException e) {
            AgentLog.warn("control plane " + source + ": the last good config " + cacheFile
                    + " is not valid any more, starting on the local config: " + join(e.problems()));
            return null;
        }
    }

    /**
     * Validates {@code document} and swaps it in.
     *
     * @return null when it is in force (applied now, or it already was), else why it was rejected, in one line
     */
    String offer(String document, String version) {
        if (document.equals(appliedDocument)) {
            return null;
        }
        LoadResult result;
        try {
            result = check(document);
        } catch (ConfigException e) {
            ControlPlaneStats.UPDATES_REJECTED.incrementAndGet();
            return "control plane " + source + " served a config that was not applied, keeping the last good config: "
                    + join(e.problems());
        }
        apply(document, result, version);
        return null;
    }

    /** Validates a document without applying it. */
    LoadResult check(String document) throws ConfigException {
        return ConfigLoader.parse(document, source, overrides);
    }

    /** Swaps in a document that {@link #check} accepted (nothing happens when it is already in force). */
    void apply(String document, LoadResult result, String version) {
        if (document.equals(appliedDocument)) {
            return;
        }
        MeshConfig config = result.config();
        if (config.controlPlane() != null && !config.controlPlane().equals(bootstrap.controlPlane())) {
            AgentLog.warnOnce("control-plane-in-document", "control plane " + source + ": the served config sets"
                    + " 'controlPlane', which is ignored; the control plane is chosen by the local config only");
        }
        config = complete.apply(config);
        apply.accept(config);
        appliedDocument = document;
        ControlPlaneStats.UPDATES_APPLIED.incrementAndGet();
        String warnings = result.warnings().isEmpty() ? "" : " (" + join(result.warnings()) + ")";
        AgentLog.info("config from control plane " + source + (version == null ? "" : " (version " + version + ")")
                + " applied: " + config.services().size() + " services" + warnings);
        save(document);
    }

    /** Writes the cache atomically (a reader never sees half a file), readable by this user only. */
    private void save(String document) {
        try {
            Path dir = cacheFile.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, cacheFile.getFileName().toString(), ".tmp");
            try {
                try {
                    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // the platform's default permissions then
                }
                Files.write(temp, (HEADER + source + "\n" + document).getBytes(StandardCharsets.UTF_8));
                try {
                    Files.move(temp, cacheFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, cacheFile, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException | RuntimeException e) {
            AgentLog.warnOnce("control-plane-cache", "control plane " + source + ": cannot write the last good config to "
                    + cacheFile + " (" + e + "); a restart while the control plane is down will start on the local config");
        }
    }

    /** All problems on one line. */
    static String join(List<Problem> problems) {
        StringBuilder line = new StringBuilder();
        for (Problem problem : problems) {
            if (line.length() > 0) {
                line.append(" | ");
            }
            line.append(problem);
        }
        return line.toString();
    }
}
