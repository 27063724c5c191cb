package dev.jmesh.agent;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.ConfigException;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.LoadResult;
import dev.jmesh.config.MeshConfig;
import dev.jmesh.config.Problem;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * Where the agent's config comes from: {@code -Djmesh.config=PATH}, else the environment variable
 * {@code JMESH_CONFIG}, else nothing (pass-through with telemetry). A config that cannot be used is
 * reported in one line and leaves the agent in pass-through: the application is never stopped by it.
 */
final class ConfigSource {
    static final String PROPERTY = "jmesh.config";
    static final String ENVIRONMENT = "JMESH_CONFIG";

    private ConfigSource() {
    }

    static MeshConfig load() {
        Path path = configuredPath();
        if (path == null) {
            return MeshConfig.empty();
        }
        try {
            LoadResult result = ConfigLoader.load(path);
            if (!result.warnings().isEmpty()) {
                AgentLog.warn("config " + path + ": " + join(result.warnings()));
            }
            return result.config();
        } catch (ConfigException e) {
            AgentLog.warn("config " + path + " not applied, running as pass-through (fix it and restart): "
                    + join(e.problems()));
            return MeshConfig.empty();
        }
    }

    static Path configuredPath() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.trim().isEmpty()) {
            value = System.getenv(ENVIRONMENT);
        }
        return value == null || value.trim().isEmpty() ? null : Paths.get(value.trim());
    }

    /** All problems on one line, so the warning stays one line however many there are. */
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
