package dev.jmesh.smoke;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the legacy-shop demo app to completion, with or without the agent. */
final class Shop {
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern SUMMARY = Pattern.compile("SUMMARY ok=(\\d+) failed=(\\d+)");

    private Shop() {
    }

    /** JVM flags for a run without the agent. */
    static List<String> noAgent() {
        return List.of();
    }

    /** JVM flags that attach the agent with {@code -Djmesh.config=config}. */
    static List<String> agent(Path config) {
        return List.of("-javaagent:" + SmokeEnv.agentJar(), "-Djmesh.config=" + config);
    }

    /** {@code java <jvmArgs> -jar legacy-shop.jar <args>}, waited for (at most {@link #TIMEOUT}). */
    static Run run(ChildProcesses processes, List<String> jvmArgs, String... args) {
        JavaProcess process = processes.javaJar(jvmArgs.isEmpty() ? "shop" : "shop+agent", jvmArgs,
                SmokeEnv.shopJar(), List.of(args), null);
        int exit = process.awaitExit(TIMEOUT);
        return new Run(process, exit);
    }

    /** A finished shop run. */
    record Run(JavaProcess process, int exitCode) {

        List<String> lines() {
            return process.stdoutLines();
        }

        byte[] stdoutBytes() {
            return process.stdoutBytes();
        }

        /** The agent's own stderr lines (the JVM's CDS warning is not one of them). */
        List<String> jmeshLines() {
            return process.stderrLines().stream().filter(line -> line.startsWith("[jmesh]")).toList();
        }

        int ok() {
            return summary(1);
        }

        int failed() {
            return summary(2);
        }

        private int summary(int group) {
            List<String> lines = lines();
            Matcher m = lines.isEmpty() ? null : SUMMARY.matcher(lines.get(lines.size() - 1));
            if (m == null || !m.matches()) {
                throw new AssertionError("the shop's last line is not a SUMMARY\n" + describe());
            }
            return Integer.parseInt(m.group(group));
        }

        String describe() {
            return process.describe();
        }
    }
}
