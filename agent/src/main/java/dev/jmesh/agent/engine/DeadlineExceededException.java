package dev.jmesh.agent.engine;

/**
 * The call's overall timeout ran out before another attempt could start. Internal: the engine turns it
 * into the library's own timeout exception before the application sees anything.
 */
final class DeadlineExceededException extends Exception {
    DeadlineExceededException() {
        super(null, null, false, false);
    }
}
