package dev.jmesh.benchmarks.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Readings from Linux's /proc. Every method answers -1 (or 0 for sums) where /proc does not tell. */
final class Proc {
    /** USER_HZ: /proc/[pid]/stat and /proc/stat count CPU time in these ticks. 100 on every Linux we run on. */
    static final double TICKS_PER_SECOND = 100.0;

    private Proc() {
    }

    /** user + system CPU time of one process (all its threads), in ticks; -1 if it is gone. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // fields[0] is field 3 (state): utime is field 14, stime field 15.
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Proportional set size (shared pages split among the processes sharing them), in KiB; -1 if unknown. */
    static long pssKb(long pid) {
        return statusField(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
    }

    static long rssKb(long pid) {
        return statusField(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
    }

    private static long statusField(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    /** Machine-wide CPU ticks from /proc/stat: {busy, total} over all cores; null if unknown. */
    static long[] machineTicks() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.UTF_8);
            String[] f = lines.get(0).trim().split("\\s+");
            long total = 0;
            // cpu user nice system idle iowait irq softirq steal (guest time is already in user)
            for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static String firstLine(Path file, String prefix) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return null;
    }
}
