package dev.jmesh.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Collects errors and warnings while a config is read, so that ALL of them are reported at once.
 * They are listed source by source (the document first, then overrides, in the order the sources were
 * {@linkplain #addSource registered}) and within a source in document order.
 */
final class Problems {

    private final List<String> sources = new ArrayList<String>();
    private final List<Problem> errors = new ArrayList<Problem>();
    private final List<Problem> warnings = new ArrayList<Problem>();

    private final Comparator<Problem> byPlace = new Comparator<Problem>() {
        @Override
        public int compare(Problem a, Problem b) {
            int c = Integer.compare(rank(a.source()), rank(b.source()));
            if (c != 0) {
                return c;
            }
            c = Integer.compare(a.line(), b.line());
            return c != 0 ? c : Integer.compare(a.column(), b.column());
        }
    };

    /** Problems of sources registered earlier are listed first; unregistered sources come last. */
    void addSource(String source) {
        if (!sources.contains(source)) {
            sources.add(source);
        }
    }

    private int rank(String source) {
        int i = sources.indexOf(source);
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    /** Whether {@code a} comes before {@code b} in the order problems are listed. */
    boolean before(Node a, Node b) {
        return byPlace.compare(new Problem(a.source(), a.line(), a.column(), ""),
                new Problem(b.source(), b.line(), b.column(), "")) < 0;
    }

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

    private List<Problem> sorted(List<Problem> problems) {
        List<Problem> copy = new ArrayList<Problem>(problems);
        Collections.sort(copy, byPlace); // stable
        return Collections.unmodifiableList(copy);
    }
}
