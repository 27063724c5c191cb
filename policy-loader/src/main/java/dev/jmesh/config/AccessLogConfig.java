package dev.jmesh.config;

/** The access log ({@code telemetry.accessLog}): one record per logical call. */
public final class AccessLogConfig {

    /** One JSON object per line (the default). */
    public static final String FORMAT_JSON = "json";
    /** One line of text per call, fields separated by spaces, like Envoy's default format. */
    public static final String FORMAT_TEXT = "text";
    public static final String PATH_STDOUT = "stdout";
    public static final String PATH_STDERR = "stderr";

    private final String format;
    private final String path;
    private final boolean caller;

    AccessLogConfig(String format, String path, boolean caller) {
        this.format = format;
        this.path = path;
        this.caller = caller;
    }

    /** {@value #FORMAT_JSON} or {@value #FORMAT_TEXT}. */
    public String format() {
        return format;
    }

    /** {@value #PATH_STDOUT}, {@value #PATH_STDERR}, or a file path. */
    public String path() {
        return path;
    }

    /**
     * Whether each line names the calling application frame ({@code caller}, the default). Finding it is a stack
     * walk per call, most of what the access log costs the application's thread; {@code false} saves it.
     */
    public boolean caller() {
        return caller;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof AccessLogConfig)) {
            return false;
        }
        AccessLogConfig a = (AccessLogConfig) o;
        return format.equals(a.format) && path.equals(a.path) && caller == a.caller;
    }

    @Override
    public int hashCode() {
        return (format.hashCode() * 31 + path.hashCode()) * 31 + (caller ? 1 : 0);
    }

    @Override
    public String toString() {
        return "AccessLogConfig{format=" + format + ", path=" + path + ", caller=" + caller + "}";
    }
}
