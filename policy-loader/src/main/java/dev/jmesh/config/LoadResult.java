package dev.jmesh.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A successfully loaded config and the warnings found on the way (for example keys not supported yet). */
public final class LoadResult {

    private final MeshConfig config;
    private final List<Problem> warnings;

    LoadResult(MeshConfig config, List<Problem> warnings) {
        this.config = config;
        this.warnings = Collections.unmodifiableList(new ArrayList<Problem>(warnings));
    }

    public MeshConfig config() {
        return config;
    }

    /** In document order; empty when there is nothing to say. */
    public List<Problem> warnings() {
        return warnings;
    }

    @Override
    public String toString() {
        return "LoadResult{config=" + config + ", warnings=" + warnings + "}";
    }
}
