package dev.jmesh.config;

/**
 * One error or warning about a config document, at a place in it. {@link #toString()} is
 * {@code source:line:col: message}, the format editors and CI logs link to. Line and column are
 * 1-based; both are 0 when the problem concerns the whole source (for example an unreadable file).
 */
public final class Problem {

    private final String source;
    private final int line;
    private final int column;
    private final String message;

    public Problem(String source, int line, int column, String message) {
        if (source == null || message == null) {
            throw new NullPointerException("source and message are required");
        }
        this.source = source;
        this.line = line;
        this.column = column;
        this.message = message;
    }

    public String source() {
        return source;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    public String message() {
        return message;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Problem)) {
            return false;
        }
        Problem p = (Problem) o;
        return line == p.line && column == p.column && source.equals(p.source) && message.equals(p.message);
    }

    @Override
    public int hashCode() {
        return ((source.hashCode() * 31 + line) * 31 + column) * 31 + message.hashCode();
    }

    @Override
    public String toString() {
        return source + ":" + line + ":" + column + ": " + message;
    }
}
