package dev.jmesh.smoke;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Bits for writing mesh.yaml files into a test's temporary directory. */
final class MeshYaml {
    /** The retry policy of issue #3's scenario: enough attempts to ride out 25% faults per attempt. */
    static final String RETRY = "{ maxAttempts: 8, perTryTimeout: 500ms, backoff: { base: 5ms, max: 50ms },"
            + " retryOn: [connect-failure, reset, 5xx] }";

    private MeshYaml() {
    }

    static Path write(Path dir, String fileName, String yaml) {
        Path file = dir.resolve(fileName);
        try {
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** {@code ["127.0.0.1:P1", "127.0.0.1:P2"]}. */
    static String endpoints(Upstream... upstreams) {
        return Arrays.stream(upstreams).map(u -> quoted(u.address())).collect(Collectors.joining(", ", "[", "]"));
    }

    /** A {@code telemetry:} section with a JSON access log at {@code file}. */
    static String accessLog(Path file) {
        return "telemetry:\n  accessLog: { format: json, path: " + quoted(file.toString()) + " }\n";
    }

    /** A double-quoted YAML (and JSON) string. */
    static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
