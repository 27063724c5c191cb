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

    AccessLogConfig(String format, String path) {
        this.format = format;
        this.path = path;
    }

    /** {@value #FORMAT_JSON} or {@value #FORMAT_TEXT}. */
    public String format() {
        return format;
    }

    /** {@value #PATH_STDOUT}, {@value #PATH_STDERR}, or a file path. */
    public String path() {
        return path;
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
        return format.equals(a.format) && path.equals(a.path);
    }

    @Override
    public int hashCode() {
        return format.hashCode() * 31 + path.hashCode();
    }

    @Override
    public String toString() {
        return "AccessLogConfig{format=" + format + ", path=" + path + "}";
    }
}
