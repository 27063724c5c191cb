package dev.jmesh.config;

import java.util.regex.Pattern;

/**
 * How a route matches one value of a request: its path, or a header, cookie or query parameter
 * (Envoy: StringMatcher, present_match). Exact and prefix matches are case-sensitive; a regex must match
 * the whole value.
 */
public final class StringMatcher extends ConfigValue {

    /** The kinds of match. */
    public enum Kind {
        EXACT("exact"), PREFIX("prefix"), REGEX("regex"), PRESENT("present"), ABSENT("absent");

        private final String configName;

        Kind(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    private final Kind kind;
    private final String value;
    private final Pattern pattern;

    private StringMatcher(Kind kind, String value, Pattern pattern) {
        this.kind = kind;
        this.value = value;
        this.pattern = pattern;
    }

    static StringMatcher exact(String value) {
        return new StringMatcher(Kind.EXACT, value, null);
    }

    static StringMatcher prefix(String value) {
        return new StringMatcher(Kind.PREFIX, value, null);
    }

    static StringMatcher regex(Pattern pattern) {
        return new StringMatcher(Kind.REGEX, pattern.pattern(), pattern);
    }

    static StringMatcher present(boolean present) {
        return new StringMatcher(present ? Kind.PRESENT : Kind.ABSENT, null, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The text to compare with, or the regex's source; null for PRESENT and ABSENT. */
    public String value() {
        return value;
    }

    /** The compiled regex for REGEX; null otherwise. */
    public Pattern pattern() {
        return pattern;
    }

    /** Whether {@code actual} (null when the request does not have the value at all) matches. */
    public boolean matches(String actual) {
        switch (kind) {
            case ABSENT:
                return actual == null;
            case PRESENT:
                return actual != null;
            case EXACT:
                return value.equals(actual);
            case PREFIX:
                return actual != null && actual.startsWith(value);
            default:
                return actual != null && pattern.matcher(actual).matches();
        }
    }

    @Override
    Object[] fields() {
        return new Object[] {"kind", kind, "value", value};
    }

    @Override
    public String toString() {
        return kind == Kind.PRESENT || kind == Kind.ABSENT ? kind.configName() : kind.configName() + " " + value;
    }
}
