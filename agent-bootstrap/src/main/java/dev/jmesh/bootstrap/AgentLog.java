package dev.jmesh.bootstrap;

import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's few diagnostic lines, on standard error with a {@code [jmesh]} prefix so they are easy to
 * grep and never mix with the application's standard output. Kept tiny: no logging framework, because
 * the application may bring its own and must keep it to itself. Every line goes through {@link Redaction}: a
 * message may quote an exception or a config value that carries a password, a token or a query string.
 */
public final class AgentLog {
    private static final Set<String> ONCE = Collections.newSetFromMap(new ConcurrentHashMap<String, Boolean>());

    private AgentLog() {
    }

    public static void info(String message) {
        System.err.println("[jmesh] INFO " + Redaction.redact(message));
    }

    public static void warn(String message) {
        System.err.println("[jmesh] WARN " + Redaction.redact(message));
    }

    /** Logs {@code message} only the first time {@code key} is seen, so a hot path cannot flood the log. */
    public static void warnOnce(String key, String message) {
        if (ONCE.add(key)) {
            warn(message);
        }
    }
}
