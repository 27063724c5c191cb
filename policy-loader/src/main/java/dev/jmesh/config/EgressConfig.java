package dev.jmesh.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The {@code egress} section: which calls to hosts outside the mesh are let through. */
public final class EgressConfig extends ConfigValue {

    static final EgressConfig DEFAULT = new EgressConfig(EgressMode.ALLOW_ALL, Collections.<String>emptyList());

    private final EgressMode mode;
    private final List<String> allow;

    EgressConfig(EgressMode mode, List<String> allow) {
        this.mode = mode;
        this.allow = Collections.unmodifiableList(new ArrayList<String>(allow));
    }

    /** {@link EgressMode#ALLOW_ALL} unless configured. */
    public EgressMode mode() {
        return mode;
    }

    /**
     * Host patterns let through in {@link EgressMode#REGISTRY_ONLY} besides the mesh's services and
     * databases: {@code api.example.com}, {@code *.example.com}, optionally with {@code :port}.
     */
    public List<String> allow() {
        return allow;
    }

    @Override
    Object[] fields() {
        return new Object[] {"mode", mode, "allow", allow};
    }
}
