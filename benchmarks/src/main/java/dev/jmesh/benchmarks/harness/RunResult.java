package dev.jmesh.benchmarks.harness;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** What one app JVM reported, and what the harness saw around it. */
final class RunResult {
    final int round;
    final int position;
    final Setup setup;
    /** JVM start (process spawn) to the app's FIRST_OK line. */
    Double startupMs;
    /** RESULT lines by phase (r500, r1000, max, memory): key to value. */
    final Map<String, Map<String, String>> phases = new LinkedHashMap<>();
    /** Sidecar CPU ticks at PHASE_START / PHASE_END, by phase. */
    final Map<String, Long> sidecarTicksStart = new HashMap<>();
    final Map<String, Long> sidecarTicksEnd = new HashMap<>();
    long sidecarPssKb;
    /** CPU the rest of the machine used while this run lasted (other work: the noise), in cores. */
    Double foreignCores;
    long accessLogLines = -1;
    double wallSeconds;
    String failure;

    RunResult(int round, int position, Setup setup) {
        this.round = round;
        this.position = position;
        this.setup = setup;
    }

    boolean ok() {
        return failure == null;
    }

    Double number(String phase, String key) {
        Map<String, String> values = phases.get(phase);
        if (values == null || !values.containsKey(key)) {
            return null;
        }
        try {
            double value = Double.parseDouble(values.get(key));
            return value < 0 ? null : value;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Sidecar CPU in milliseconds during a phase; 0 without a sidecar. */
    Double sidecarCpuMs(String phase) {
        if (setup.sidecar() == null) {
            return 0.0;
        }
        Long start = sidecarTicksStart.get(phase);
        Long end = sidecarTicksEnd.get(phase);
        if (start == null || end == null) {
            return null;
        }
        return (end - start) * 1000.0 / Proc.TICKS_PER_SECOND;
    }
}
