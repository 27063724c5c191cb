package dev.jmesh.agent;

import dev.jmesh.agent.engine.FailureDrill;
import dev.jmesh.agent.telemetry.ConfigStatus;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.ConfigException;
import dev.jmesh.config.ConfigInput;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.LoadResult;
import dev.jmesh.config.MeshConfig;
import dev.jmesh.config.Problem;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;

/**
 * The agent's config as {@link ConfigInput#fromSystem()} describes it: a file ({@code -Djmesh.config} /
 * {@code JMESH_CONFIG}) or an inline document ({@code -Djmesh.config.inline}), plus {@code -Djmesh.*} and
 * {@code JMESH_*} overrides; with none of them, pass-through. A file is read at start and then polled;
 * every change is validated (with the overrides applied again) before it is used, and a change that
 * cannot be used is reported in one line while the last good config stays in force. The application is
 * never stopped by its config.
 */
final class ConfigSource {
    /** A config is a few kilobytes; reading more than this is a mistake we refuse, not a config. */
    private static final int MAX_BYTES = 1024 * 1024;

    private final ConfigInput input;
    private final String name;
    /** The file's bytes last acted on (applied or rejected), null while it is missing. */
    private byte[] lastSeen;

    private ConfigSource(ConfigInput input) {
        this.input = input;
        this.name = input.file() != null ? input.file().toString() : "(inline and overrides)";
        ConfigStatus.INSTANCE.source(name);
    }

    static ConfigSource fromSystem() {
        return new ConfigSource(ConfigInput.fromSystem());
    }

    /** Where the config comes from; its overrides apply to a control plane's documents too. */
    ConfigInput input() {
        return input;
    }

    /** Whether there is a file to watch for changes. */
    boolean watched() {
        return input.file() != null;
    }

    /** The config to start with, or pass-through when it is unusable. */
    MeshConfig initial() {
        if (watched()) {
            lastSeen = readFile();
        }
        MeshConfig config = load(true);
        return config != null ? config : MeshConfig.empty();
    }

    /** Re-reads the file: a new config when it changed and is valid, else null (problems are reported). */
    MeshConfig poll() {
        byte[] bytes = readFile();
        if (Arrays.equals(bytes, lastSeen)) {
            return null;
        }
        boolean removed = bytes == null;
        lastSeen = bytes;
        if (removed) {
            AgentLog.warn("config " + name + " was removed; keeping the last good config");
            return null;
        }
        return load(false);
    }

    private MeshConfig load(boolean initial) {
        FailureDrill.CONFIG.check();
        try {
            LoadResult result = ConfigLoader.load(input);
            String warnings = result.warnings().isEmpty() ? "" : " (" + join(result.warnings()) + ")";
            if (!initial) {
                ConfigStatus.INSTANCE.reloadApplied();
                AgentLog.info("config " + name + " reloaded: " + result.config().services().size() + " services"
                        + warnings);
            } else if (!warnings.isEmpty()) {
                AgentLog.warn("config " + name + warnings);
            }
            return result.config();
        } catch (ConfigException e) {
            if (!initial) {
                ConfigStatus.INSTANCE.reloadRejected(join(e.problems()));
            }
            AgentLog.warn("config " + name + (!initial
                    ? " changed but was not applied, keeping the last good config: "
                    : watched() ? " not applied, running as pass-through until it is fixed (the file is watched): "
                    : " not applied, running as pass-through: ") + join(e.problems()));
            return null;
        }
    }

    /** The file's bytes, or null when it cannot be read (the loader then says why). */
    private byte[] readFile() {
        try {
            if (Files.size(input.file()) > MAX_BYTES) {
                AgentLog.warnOnce("config-size", "config " + name + " is larger than " + MAX_BYTES / 1024
                        + " KiB and is ignored");
                return null;
            }
            return Files.readAllBytes(input.file());
        } catch (IOException e) {
            return null;
        }
    }

    /** All problems on one line, so a report stays one line however many there are. */
    private static String join(List<Problem> problems) {
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
