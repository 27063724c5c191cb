package dev.jmesh.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Value semantics for the immutable model classes: {@code equals}, {@code hashCode} and {@code toString}
 * from one list of named fields, so that a reload can tell whether anything changed and a snapshot
 * prints readably. Durations print as the config writes them ({@code 250ms}); null fields are left out
 * of {@code toString}.
 */
abstract class ConfigValue {

    /** The fields as name, value, name, value, ... (values may be null). */
    abstract Object[] fields();

    @Override
    public final boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || o.getClass() != getClass()) {
            return false;
        }
        Object[] a = fields();
        Object[] b = ((ConfigValue) o).fields();
        for (int i = 1; i < a.length; i += 2) {
            if (!Objects.equals(a[i], b[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public final int hashCode() {
        int h = getClass().getName().hashCode();
        Object[] a = fields();
        for (int i = 1; i < a.length; i += 2) {
            h = 31 * h + Objects.hashCode(a[i]);
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('{');
        Object[] a = fields();
        boolean first = true;
        for (int i = 0; i < a.length; i += 2) {
            Object v = a[i + 1];
            if (v == null) {
                continue;
            }
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append(a[i]).append('=').append(v instanceof Duration ? Durations.format((Duration) v) : v);
        }
        return sb.append('}').toString();
    }
}
