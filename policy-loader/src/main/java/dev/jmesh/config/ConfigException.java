package dev.jmesh.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A config document could not be turned into a {@link MeshConfig}. Carries every problem found, in
 * document order; {@link #getMessage()} is one {@code source:line:col: message} per line.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<Problem> problems;

    public ConfigException(List<Problem> problems) {
        super(join(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = Collections.unmodifiableList(new ArrayList<Problem>(problems));
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String join(List<Problem> problems) {
        StringBuilder sb = new StringBuilder();
        for (Problem p : problems) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(p);
        }
        return sb.toString();
    }
}
