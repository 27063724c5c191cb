package dev.jmesh.agent.engine;

/**
 * A test-only switch that makes one stage of the agent throw, to prove that no bug of ours can reach
 * the application: {@code -Djmesh.agent.test.failAt=config|routing|balancing|policy|telemetry}. Read
 * once; when unset (always, outside tests) every check is a constant the JIT folds away.
 */
public enum FailureDrill {
    NONE, CONFIG, ROUTING, BALANCING, POLICY, TELEMETRY;

    public static final String PROPERTY = "jmesh.agent.test.failAt";
    private static final FailureDrill ACTIVE = parse(System.getProperty(PROPERTY));

    /** Throws when this stage is the one the drill breaks. */
    public void check() {
        if (ACTIVE == this && this != NONE) {
            throw new IllegalStateException("jmesh failure drill: " + name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private static FailureDrill parse(String value) {
        if (value == null) {
            return NONE;
        }
        try {
            return valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return NONE;
        }
    }
}
