package dev.jmesh.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Everything a config is made of: at most one document (a file, or inline text) plus the
 * {@code jmesh.*} system properties and {@code JMESH_*} environment variables that override its keys.
 * Immutable; build one with {@link #fromEnvironment(Properties, Map)} or {@link #builder()}, load it
 * with {@link ConfigLoader#load(ConfigInput)}.
 *
 * <p>Not every {@code jmesh.*} property is an override: the agent's own switches
 * ({@code jmesh.config}, {@code jmesh.config.inline}, {@code jmesh.debug} and everything under
 * {@code jmesh.agent.}, and the matching {@code JMESH_CONFIG}, {@code JMESH_CONFIG_INLINE},
 * {@code JMESH_DEBUG}, {@code JMESH_AGENT_*}) are left alone.
 */
public final class ConfigInput {

    /** System property naming the config file. */
    public static final String FILE_PROPERTY = "jmesh.config";
    /** Environment variable naming the config file, used when {@link #FILE_PROPERTY} is not set. */
    public static final String FILE_ENV = "JMESH_CONFIG";
    /** System property holding a whole config document. */
    public static final String INLINE_PROPERTY = "jmesh.config.inline";
    /** Environment variable holding a whole config document, used when {@link #INLINE_PROPERTY} is not set. */
    public static final String INLINE_ENV = "JMESH_CONFIG_INLINE";
    /** The source name of an inline document in problems and origins: {@code inline:3:7}. */
    public static final String INLINE_SOURCE = "inline";

    static final String PROPERTY_PREFIX = "jmesh.";
    static final String ENV_PREFIX = "JMESH_";

    private static final ConfigInput NONE = new Builder().build();

    private final Path file;
    private final String inline;
    private final Map<String, String> systemProperties;
    private final Map<String, String> environment;
    /** How the file and the inline text were given ("-Djmesh.config", "env JMESH_CONFIG"), or null. */
    private final String fileSetting;
    private final String inlineSetting;
    /** Found while reading the settings (an unusable path); reported by the loader with all others. */
    private final List<Problem> problems;

    private ConfigInput(Builder b) {
        this.file = b.file;
        this.inline = b.inline;
        this.systemProperties = Collections.unmodifiableMap(new TreeMap<String, String>(b.systemProperties));
        this.environment = Collections.unmodifiableMap(new TreeMap<String, String>(b.environment));
        this.fileSetting = b.fileSetting;
        this.inlineSetting = b.inlineSetting;
        this.problems = Collections.unmodifiableList(new ArrayList<Problem>(b.problems));
    }

    /**
     * What a JVM was started with: the file from {@code jmesh.config} (else {@code JMESH_CONFIG}), the
     * inline document from {@code jmesh.config.inline} (else {@code JMESH_CONFIG_INLINE}), and every
     * {@code jmesh.*} property and {@code JMESH_*} variable as possible overrides. Blank values count as
     * not set. Never throws: giving both a file and an inline document, or a path that is not one, is a
     * problem that {@link ConfigLoader#load(ConfigInput)} reports together with all others.
     */
    public static ConfigInput fromEnvironment(Properties systemProperties, Map<String, String> environment) {
        Builder b = new Builder();
        for (String name : systemProperties.stringPropertyNames()) {
            b.systemProperty(name, systemProperties.getProperty(name));
        }
        for (Map.Entry<String, String> e : environment.entrySet()) {
            b.environmentVariable(e.getKey(), e.getValue());
        }
        String fileSetting = setting(systemProperties.getProperty(FILE_PROPERTY), environment.get(FILE_ENV),
                FILE_PROPERTY, FILE_ENV);
        if (fileSetting != null) {
            String path = value(systemProperties.getProperty(FILE_PROPERTY), environment.get(FILE_ENV)).trim();
            try {
                b.file(Paths.get(path));
            } catch (InvalidPathException e) {
                b.problems.add(new Problem(fileSetting, 0, 0, "'" + path + "' is not a valid file path: "
                        + e.getReason()));
            }
            b.fileSetting = fileSetting;
        }
        String inlineSetting = setting(systemProperties.getProperty(INLINE_PROPERTY), environment.get(INLINE_ENV),
                INLINE_PROPERTY, INLINE_ENV);
        if (inlineSetting != null) {
            b.inline(value(systemProperties.getProperty(INLINE_PROPERTY), environment.get(INLINE_ENV)));
            b.inlineSetting = inlineSetting;
        }
        return b.build();
    }

    /** {@link #fromEnvironment(Properties, Map)} of this JVM's system properties and environment. */
    public static ConfigInput fromSystem() {
        return fromEnvironment(System.getProperties(), System.getenv());
    }

    /** No document and no overrides: loads as {@link MeshConfig#empty()}. */
    public static ConfigInput none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The config file, or null. */
    public Path file() {
        return file;
    }

    /** The inline config document, or null. */
    public String inline() {
        return inline;
    }

    /** The {@code jmesh.*} system properties, by name (switches included; the loader skips them). */
    public Map<String, String> systemProperties() {
        return systemProperties;
    }

    /** The {@code JMESH_*} environment variables, by name (switches included; the loader skips them). */
    public Map<String, String> environment() {
        return environment;
    }

    String fileSetting() {
        return fileSetting;
    }

    String inlineSetting() {
        return inlineSetting;
    }

    List<Problem> problems() {
        return problems;
    }

    /** True for the agent's own switches, which are not config overrides. */
    static boolean isSwitchProperty(String name) {
        return name.equals(FILE_PROPERTY) || name.equals(INLINE_PROPERTY) || name.equals("jmesh.debug")
                || name.equals("jmesh.agent") || name.startsWith("jmesh.agent.");
    }

    /** True for the agent's own switches, which are not config overrides. */
    static boolean isSwitchEnv(String name) {
        return name.equals(FILE_ENV) || name.equals(INLINE_ENV) || name.equals("JMESH_DEBUG")
                || name.equals("JMESH_AGENT") || name.startsWith("JMESH_AGENT_");
    }

    private static boolean given(String value) {
        return value != null && !value.trim().isEmpty();
    }

    private static String value(String property, String env) {
        return given(property) ? property : env;
    }

    /** "-Djmesh.config" or "env JMESH_CONFIG", whichever is given (the property wins), or null. */
    private static String setting(String property, String env, String propertyName, String envName) {
        if (given(property)) {
            return "-D" + propertyName;
        }
        return given(env) ? "env " + envName : null;
    }

    @Override
    public String toString() {
        return "ConfigInput{file=" + file + ", inline=" + (inline == null ? null : inline.length() + " chars")
                + ", systemProperties=" + systemProperties.keySet() + ", environment=" + environment.keySet() + "}";
    }

    /** Collects the parts of a {@link ConfigInput}. Only {@code jmesh.*} properties and {@code JMESH_*} variables are kept. */
    public static final class Builder {
        private Path file;
        private String inline;
        private final Map<String, String> systemProperties = new TreeMap<String, String>();
        private final Map<String, String> environment = new TreeMap<String, String>();
        private String fileSetting;
        private String inlineSetting;
        private final List<Problem> problems = new ArrayList<Problem>();

        private Builder() {
        }

        /** The config file; null for none. */
        public Builder file(Path file) {
            this.file = file;
            return this;
        }

        /** A whole config document (YAML or JSON); null for none. Its source name is {@value ConfigInput#INLINE_SOURCE}. */
        public Builder inline(String document) {
            this.inline = document;
            return this;
        }

        /** Adds these system properties (only the {@code jmesh.*} ones are kept). */
        public Builder systemProperties(Map<String, String> properties) {
            for (Map.Entry<String, String> e : properties.entrySet()) {
                systemProperty(e.getKey(), e.getValue());
            }
            return this;
        }

        /** Adds one system property, as {@code -Dname=value} would (kept only when it starts with {@code jmesh.}). */
        public Builder systemProperty(String name, String value) {
            if (name != null && value != null && name.startsWith(PROPERTY_PREFIX)) {
                systemProperties.put(name, value);
            }
            return this;
        }

        /** Adds these environment variables (only the {@code JMESH_*} ones are kept). */
        public Builder environment(Map<String, String> variables) {
            for (Map.Entry<String, String> e : variables.entrySet()) {
                environmentVariable(e.getKey(), e.getValue());
            }
            return this;
        }

        /** Adds one environment variable (kept only when it starts with {@code JMESH_}). */
        public Builder environmentVariable(String name, String value) {
            if (name != null && value != null && name.startsWith(ENV_PREFIX)) {
                environment.put(name, value);
            }
            return this;
        }

        public ConfigInput build() {
            return new ConfigInput(this);
        }
    }
}
