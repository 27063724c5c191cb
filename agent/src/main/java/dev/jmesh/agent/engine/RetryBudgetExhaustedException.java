package dev.jmesh.agent.engine;

/**
 * Internal: the retry budget refused a retry. Carries what the previous attempt produced (a response or a
 * failure), which is what the application then gets. Never reaches the application.
 */
final class RetryBudgetExhaustedException extends Exception {
    final Object lastResult;
    final Throwable lastFailure;

    RetryBudgetExhaustedException(Object lastResult, Throwable lastFailure) {
        super(null, null, false, false);
        this.lastResult = lastResult;
        this.lastFailure = lastFailure;
    }
}
