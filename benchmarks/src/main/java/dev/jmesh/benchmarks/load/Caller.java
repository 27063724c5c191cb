package dev.jmesh.benchmarks.load;

/** One call of the app: {@code GET <base>/items/<id>}, body read in full; returns the status. */
@FunctionalInterface
interface Caller {
    int call(int id) throws Exception;
}
