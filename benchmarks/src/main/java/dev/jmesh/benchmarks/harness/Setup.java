package dev.jmesh.benchmarks.harness;

import java.util.List;

/**
 * One way of running the same app against the same upstream.
 *
 * @param key      the letter of issue #10: a .. g
 * @param name     short name for tables
 * @param what     one line for RESULTS.md
 * @param jvmArgs  agent flags and their system properties
 * @param base     what the app calls ({@code http://inventory} for jmesh, the hop's port for a sidecar)
 * @param appArgs  extra arguments of the app ({@code --resilience4j})
 * @param sidecar  the hop's process, whose CPU and memory count with the app's; null when there is none
 * @param meshLog  jmesh's access log (lines are counted after each run to prove the calls went through jmesh), or null
 */
record Setup(String key, String name, String what, List<String> jvmArgs, String base, List<String> appArgs,
             Server sidecar, java.nio.file.Path meshLog) {

    String label() {
        return "(" + key + ") " + name;
    }
}
