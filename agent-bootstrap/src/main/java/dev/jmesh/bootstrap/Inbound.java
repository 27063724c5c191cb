package dev.jmesh.bootstrap;

/**
 * The engine's handle on one inbound request, from {@link Mesh#inbound} until {@link Mesh#inboundEnd}.
 * While it is open, outbound calls that the handling thread makes join the request's trace.
 */
public interface Inbound {

    /**
     * 0 when the application handles the request; otherwise the status the server must answer at once
     * without calling the application (429 when an inbound rate limit refused it).
     */
    int rejectedStatus();

    /** A short plain-text body for a rejected request. */
    String rejectedMessage();

    /**
     * The request ended.
     *
     * @param status  the response status, or -1 when none was sent
     * @param failure what the application's handler threw, or null
     */
    void end(int status, Throwable failure);
}
