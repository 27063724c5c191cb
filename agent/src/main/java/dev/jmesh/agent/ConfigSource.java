package dev.jmesh.agent;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.ConfigException;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.LoadResult;
import dev.jmesh.config.MeshConfig;
import dev.jmesh.config.Problem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;

/**
 * The agent's config file: {@code -Djmesh.config=PATH}, else the environment variable
 * {@code JMESH_CONFIG}, else none (pass-through). It is read at start and then polled; every change is
 * validated before it is applied, and a change that cannot be used is reported in one line while the
 * last good config stays in force. The application is never stopped by its config.
 */
final class ConfigSource {
    static final String PROPERTY = "jmesh.config";
    static final String ENVIRONMENT = "JMESH_CONFIG";
    /** A config is a few kilobytes; reading more than this is a mistake we refuse, not a config. */
    private static final int MAX_BYTES = 1024 * 1024;

    private final Path path;
    /** The bytes last acted on (applied or rejected), null while the file is missing. */
    private byte[] lastSeen;
    private boolean missingReported;

    private ConfigSource(Path path) {
        this.path = path;
    }

    static ConfigSource fromEnvironment() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.trim().isEmpty()) {
            value = System.getenv(ENVIRONMENT);
        }
        return new ConfigSource(value == null || value.trim().isEmpty() ? null : Paths.get(value.trim()));
    }

    /** Whether a file was configured, i.e. whether there is anything to watch. */
    boolean configured() {
        return path != null;
    }

    /** The config to start with: the file's, or pass-through when there is none or it is unusable. */
    MeshConfig initial() {
        if (path == null) {
            return MeshConfig.empty();
        }
        MeshConfig config = read(true);
        return config != null ? config : MeshConfig.empty();
    }

    /** Re-reads the file: a new config when it changed and is valid, else null (problems are reported). */
    MeshConfig poll() {
        return read(false);
    }

    private MeshConfig read(boolean initial) {
        byte[] bytes;
        try {
            bytes = readBounded();
        } catch (NoSuchFileException e) {
            lastSeen = null;
            if (!missingReported) {
                missingReported = true;
                AgentLog.warn("config " + path + " not found; " + (initial
                        ? "running as pass-through until it appears" : "keeping the last good config"));
            }
            return null;
        } catch (IOException e) {
            AgentLog.warnOnce("config-read:" + e, "cannot read config " + path + " (" + e.getMessage() + "); "
                    + (initial ? "running as pass-through" : "keeping the last good config"));
            return null;
        }
        missingReported = false;
        if (Arrays.equals(bytes, lastSeen)) {
            return null;
        }
        lastSeen = bytes;
        try {
            LoadResult result = ConfigLoader.parse(new String(bytes, StandardCharsets.UTF_8), path.toString());
            String warnings = result.warnings().isEmpty() ? "" : " (" + join(result.warnings()) + ")";
            if (initial) {
                if (!warnings.isEmpty()) {
                    AgentLog.warn("config " + path + warnings);
                }
            } else {
                AgentLog.info("config " + path + " reloaded: " + result.config().services().size() + " services"
                        + warnings);
            }
            return result.config();
        } catch (ConfigException e) {
            AgentLog.warn("config " + path + (initial
                    ? " not applied, running as pass-through until it is fixed (the file is watched): "
                    : " changed but was not applied, keeping the last good config: ") + join(e.problems()));
            return null;
        }
    }

    private byte[] readBounded() throws IOException {
        if (Files.size(path) > MAX_BYTES) {
            throw new IOException("larger than " + MAX_BYTES / 1024 + " KiB");
        }
        return Files.readAllBytes(path);
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
