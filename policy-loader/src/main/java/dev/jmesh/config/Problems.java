package dev.jmesh.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/** Collects errors and warnings while a document is read, so that ALL of them are reported at once. */
final class Problems {

    private static final Comparator<Problem> BY_PLACE = new Comparator<Problem>() {
        @Override
        public int compare(Problem a, Problem b) {
            int c = Integer.compare(a.line(), b.line());
            return c != 0 ? c : Integer.compare(a.column(), b.column());
        }
    };

    private final List<Problem> errors = new ArrayList<Problem>();
    private final List<Problem> warnings = new ArrayList<Problem>();

    void error(Node at, String message) {
        errors.add(new Problem(at.source(), at.line(), at.column(), message));
    }

    void error(Problem problem) {
        errors.add(problem);
    }

    void warn(Node at, String message) {
        warnings.add(new Problem(at.source(), at.line(), at.column(), message));
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** Errors in document order (stable for problems at the same place). */
    List<Problem> errors() {
        return sorted(errors);
    }

    /** Warnings in document order. */
    List<Problem> warnings() {
        return sorted(warnings);
    }

    private static List<Problem> sorted(List<Problem> problems) {
        List<Problem> copy = new ArrayList<Problem>(problems);
        Collections.sort(copy, BY_PLACE); // stable
        return Collections.unmodifiableList(copy);
    }
}
