package dev.jmesh.smoke;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One launched process with its stdout and stderr captured separately, each drained by its own thread
 * so that a chatty process never blocks on a full pipe. Create through {@link ChildProcesses}, which
 * kills whatever is still running when the test ends.
 */
final class JavaProcess {
    private final String name;
    private final List<String> command;
    private final Process process;
    private final Capture stdout;
    private final Capture stderr;
    private final long startedNanos = System.nanoTime();
    private volatile long exitedNanos;

    private JavaProcess(String name, List<String> command, Process process) {
        this.name = name;
        this.command = List.copyOf(command);
        this.process = process;
        this.stdout = new Capture(process.getInputStream(), name + "-stdout");
        this.stderr = new Capture(process.getErrorStream(), name + "-stderr");
    }

    static JavaProcess start(String name, List<String> command, Path workDir) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        // Never let an inherited JAVA_TOOL_OPTIONS or JMESH_CONFIG change what a test launches.
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JMESH_CONFIG");
        try {
            Process process = builder.start();
            process.getOutputStream().close(); // no stdin
            return new JavaProcess(name, command, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** Waits for a stdout line matching {@code pattern} (anchored to the whole line) and returns its match. */
    Matcher awaitStdoutLine(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String line : stdout.lines()) {
                Matcher m = pattern.matcher(line);
                if (m.matches()) {
                    return m;
                }
            }
            if (!process.isAlive() && stdout.finished()) {
                throw new AssertionError(name + " exited (" + process.exitValue() + ") before printing a line matching "
                        + pattern + "\n" + describe());
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw new AssertionError(name + " printed no line matching " + pattern + " within " + timeout
                        + "\n" + describe());
            }
            stdout.awaitMore(50);
        }
    }

    /** Waits for the process to exit and for its output to be fully read; kills it and fails on timeout. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                throw new AssertionError(name + " did not exit within " + timeout + "; killed\n" + describe());
            }
            exitedNanos = System.nanoTime();
            stdout.join(10_000);
            stderr.join(10_000);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new AssertionError("interrupted while waiting for " + name, e);
        }
    }

    /** Wall-clock time from start to exit (only after {@link #awaitExit}). */
    Duration runtime() {
        return Duration.ofNanos((exitedNanos == 0 ? System.nanoTime() : exitedNanos) - startedNanos);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Kills the process and anything it started, and waits (briefly) until it is gone. */
    void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    byte[] stdoutBytes() {
        return stdout.bytes();
    }

    String stdout() {
        return stdout.text();
    }

    String stderr() {
        return stderr.text();
    }

    List<String> stdoutLines() {
        return stdout.lines();
    }

    List<String> stderrLines() {
        return stderr.lines();
    }

    String name() {
        return name;
    }

    /** Command, state and output, for failure messages. */
    String describe() {
        return "--- " + name + ": " + String.join(" ", command)
                + (process.isAlive() ? " (running)" : " (exit " + process.exitValue() + ")")
                + "\n--- stdout:\n" + tail(stdout.text()) + "\n--- stderr:\n" + tail(stderr.text()) + "\n---";
    }

    private static String tail(String text) {
        int max = 6000;
        return text.length() <= max ? text : "[... " + (text.length() - max) + " chars]\n" + text.substring(text.length() - max);
    }

    /** Drains one stream into memory on a daemon thread. */
    private static final class Capture {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final Thread thread;
        private boolean finished;

        Capture(InputStream in, String threadName) {
            thread = new Thread(() -> drain(in), "smoke-" + threadName);
            thread.setDaemon(true);
            thread.start();
        }

        private void drain(InputStream in) {
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    synchronized (this) {
                        buffer.write(chunk, 0, n);
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process was killed; what was read so far stays
            } finally {
                synchronized (this) {
                    finished = true;
                    notifyAll();
                }
            }
        }

        synchronized byte[] bytes() {
            return buffer.toByteArray();
        }

        synchronized String text() {
            return buffer.toString(StandardCharsets.UTF_8);
        }

        /** Complete lines only (a trailing partial line is not returned until it ends or the stream ends). */
        synchronized List<String> lines() {
            String text = buffer.toString(StandardCharsets.UTF_8);
            if (!finished) {
                int end = text.lastIndexOf('\n');
                text = end < 0 ? "" : text.substring(0, end + 1);
            }
            return text.isEmpty() ? List.of() : text.lines().toList();
        }

        synchronized boolean finished() {
            return finished;
        }

        synchronized void awaitMore(long millis) {
            if (!finished) {
                try {
                    wait(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void join(long millis) throws InterruptedException {
            thread.join(millis);
        }
    }
}
