package dev.jmesh.config;

/** HTTP status codes from {@link #from()} to {@link #to()}, both included ({@code 200-299}, or one code: {@code 204}). */
public final class StatusRange extends ConfigValue {

    private final int from;
    private final int to;

    StatusRange(int from, int to) {
        this.from = from;
        this.to = to;
    }

    public int from() {
        return from;
    }

    public int to() {
        return to;
    }

    public boolean contains(int status) {
        return status >= from && status <= to;
    }

    @Override
    Object[] fields() {
        return new Object[] {"from", from, "to", to};
    }

    @Override
    public String toString() {
        return from == to ? String.valueOf(from) : from + "-" + to;
    }
}
