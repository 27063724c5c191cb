package dev.jmesh.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A successfully loaded config, the warnings found on the way (for example keys not supported yet), and
 * where each of its values came from.
 */
public final class LoadResult {

    /** The origin of a value that nothing set: the built-in default (which may be "none", e.g. no timeout). */
    public static final String DEFAULT_ORIGIN = "default";

    private final MeshConfig config;
    private final List<Problem> warnings;
    private final Map<String, String> origins;

    LoadResult(MeshConfig config, List<Problem> warnings, Map<String, String> origins) {
        this.config = config;
        this.warnings = Collections.unmodifiableList(new ArrayList<Problem>(warnings));
        this.origins = Collections.unmodifiableMap(new LinkedHashMap<String, String>(origins));
    }

    public MeshConfig config() {
        return config;
    }

    /** In document order; empty when there is nothing to say. */
    public List<Problem> warnings() {
        return warnings;
    }

    /**
     * Where every value of {@link #config()} came from, by dotted path ({@code service},
     * {@code services.inventory.timeout}, {@code services.inventory.retry.backoff.base},
     * {@code telemetry.accessLog.path}, ...), in config order. An origin is one of
     * <ul>
     * <li>{@code FILE:LINE:COL} or {@code inline:LINE:COL}: where the value is written in the document;</li>
     * <li>{@code -Djmesh.PATH}: a system property;</li>
     * <li>{@code env JMESH_PATH}: an environment variable;</li>
     * <li>{@value #DEFAULT_ORIGIN}: not given, so the built-in default applies.</li>
     * </ul>
     * A list ({@code endpoints}, {@code retryOn}) is one value. An optional section that is absent
     * ({@code retry}, {@code circuitBreaker}, {@code telemetry.accessLog}) is one entry, {@value #DEFAULT_ORIGIN},
     * meaning that the feature is off; when it is present, its values are listed instead.
     */
    public Map<String, String> origins() {
        return origins;
    }

    /** The origin of the value at {@code path} (see {@link #origins()}), or null when the config has no such value. */
    public String originOf(String path) {
        return origins.get(path);
    }

    @Override
    public String toString() {
        return "LoadResult{config=" + config + ", warnings=" + warnings + "}";
    }
}
