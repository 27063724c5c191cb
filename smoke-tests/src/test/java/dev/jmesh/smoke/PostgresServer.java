package dev.jmesh.smoke;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server on 127.0.0.1, from Debian's {@code postgresql} package: its own cluster in a
 * directory of the test (initdb with trust authentication), started and stopped with {@code pg_ctl}. PostgreSQL
 * refuses to run as root, so when the tests run as root (CI) the cluster belongs to, and the server runs as,
 * the {@code postgres} user; otherwise as the current user. Not installed: the test fails and says to run
 * {@code .ci/setup-postgres}.
 */
final class PostgresServer implements AutoCloseable {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private final Path bin;
    private final Path dir;
    private final int port;
    private boolean running;

    private PostgresServer(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** A new cluster in {@code dir} (created), not started yet. */
    static PostgresServer create(Path dir) {
        Path bin = binaries();
        try {
            if (Files.exists(dir)) { // a previous run's cluster: start afresh
                try (Stream<Path> old = Files.walk(dir)) {
                    old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(dir);
            if (ROOT) {
                run(List.of("chown", "-R", "postgres:postgres", dir.toString()), 30);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PostgresServer server = new PostgresServer(bin, dir.resolve("data"), freePort());
        server.asOwner(List.of(bin.resolve("initdb").toString(), "-D", server.dir.toString(), "-A", "trust",
                "-U", "postgres", "--no-sync"), 120);
        return server;
    }

    int port() {
        return port;
    }

    /** {@code 127.0.0.1:PORT}. */
    String address() {
        return "127.0.0.1:" + port;
    }

    synchronized void start() {
        if (running) {
            return;
        }
        asOwner(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.toString(), "-l", dir.resolve("server.log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
                "start"), 90);
        running = true;
    }

    /** Stops the server as an operator would ({@code -m fast}: open sessions are ended). */
    synchronized void stop() {
        if (!running) {
            return;
        }
        asOwner(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.toString(), "-m", "fast", "-w", "-t", "60",
                "stop"), 90);
        running = false;
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (RuntimeException | AssertionError e) {
            System.out.println("[smoke] could not stop PostgreSQL in " + dir + ": " + e);
        }
    }

    /** The newest {@code /usr/lib/postgresql/<version>/bin} with an initdb. */
    static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var found = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparing(b -> versionOf(b.getParent().getFileName().toString())));
                if (found.isPresent()) {
                    return found.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new AssertionError("PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb):"
                + " run .ci/setup-postgres (it installs Debian's postgresql package) and run the tests again");
    }

    private static int versionOf(String name) {
        try {
            return Integer.parseInt(name.replaceAll("\\D.*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void asOwner(List<String> command, int timeoutSeconds) {
        List<String> full = new ArrayList<>();
        if (ROOT) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full, timeoutSeconds);
    }

    private static void run(List<String> command, int timeoutSeconds) {
        try {
            Path output = Files.createTempFile("pg-command", ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeoutSeconds + "s");
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            Files.deleteIfExists(output);
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (exit " + process.exitValue() + "):\n" + text);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
