package dev.jmesh.bootstrap.servlet;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.Helpers;
import dev.jmesh.bootstrap.Inbound;
import dev.jmesh.bootstrap.Mesh;

/**
 * The hop from advice woven into {@code HttpServlet.service(ServletRequest, ServletResponse)} (javax or
 * jakarta, in the container's or the web application's loader) to the helper that speaks that servlet API.
 * The helper is defined by the agent next to the {@code HttpServlet} class it serves (see {@link Helpers}),
 * once per such class, and cached here.
 *
 * <p>Signatures use {@code Object}: the bootstrap loader, which defines this class, sees no servlet API.
 */
public final class ServletBridge {
    static final String JAVAX_HELPER = "dev.jmesh.instrumentation.servlet.javax.JavaxServletHelper";
    static final String JAKARTA_HELPER = "dev.jmesh.instrumentation.servlet.jakarta.JakartaServletHelper";

    /** Implemented by the helpers; every argument is an object of the helper's own servlet API. */
    public interface Helper {
        /** Starts the inbound request; null lets it through untouched (not an HTTP request, a dispatch, ...). */
        Inbound start(Object request, Object response);

        /** Answers a request the mesh refused, without calling the servlet. */
        void reject(Object response, Inbound inbound) throws Exception;

        /**
         * Called when {@code service} returns or throws: ends the request now, or, when the application went
         * asynchronous, when its async context completes.
         */
        void finish(Inbound inbound, Object request, Object response, Throwable thrown);
    }

    private static final ClassValue<Helper> HELPERS = new ClassValue<Helper>() {
        @Override
        protected Helper computeValue(Class<?> servletType) {
            String helper = servletType.getName().startsWith("jakarta.") ? JAKARTA_HELPER : JAVAX_HELPER;
            Object created = Helpers.create(helper, servletType);
            return created instanceof Helper ? (Helper) created : null;
        }
    };

    private ServletBridge() {
    }

    /**
     * Enter advice of {@code service}: {@code servletType} is the woven {@code HttpServlet} class (so the helper
     * belongs to its API copy). A forward or include to another servlet, and a container layered on another
     * instrumented server, find the request already open.
     */
    public static Object enter(Class<?> servletType, Object request, Object response) {
        if (servletType == null || request == null || Mesh.serving()) {
            return null;
        }
        Helper helper = HELPERS.get(servletType);
        return helper == null ? null : helper.start(request, response);
    }

    /** Whether {@code service} must be skipped because the mesh answered for the application (429). */
    public static boolean answeredByMesh(Class<?> servletType, Object handle, Object response) {
        if (!(handle instanceof Inbound) || ((Inbound) handle).rejectedStatus() == 0) {
            return false;
        }
        try {
            HELPERS.get(servletType).reject(response, (Inbound) handle);
            return true;
        } catch (Throwable t) {
            AgentLog.warnOnce("servlet-reject", "could not answer a rate-limited request (" + t
                    + "); it goes to the application");
            return false;
        }
    }

    /** Exit advice: {@code service} returned or threw {@code thrown}. */
    public static void exit(Class<?> servletType, Object handle, Object request, Object response, Throwable thrown) {
        if (!(handle instanceof Inbound)) {
            return;
        }
        Inbound inbound = (Inbound) handle;
        Mesh.inboundLeave(inbound);
        try {
            HELPERS.get(servletType).finish(inbound, request, response, thrown);
        } catch (Throwable t) {
            Mesh.inboundEnd(inbound, -1, thrown);
        }
    }
}
