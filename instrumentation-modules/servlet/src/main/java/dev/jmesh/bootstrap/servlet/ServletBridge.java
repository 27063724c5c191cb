package dev.jmesh.bootstrap.servlet;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.Helpers;
import dev.jmesh.bootstrap.Inbound;
import dev.jmesh.bootstrap.Mesh;

import java.lang.reflect.Method;

/**
 * The hop from advice woven into {@code HttpServlet.service(ServletRequest, ServletResponse)} (javax or
 * jakarta) and Tomcat's {@code ApplicationFilterChain.doFilter}, classes of the container's loader, to the
 * helper that speaks that servlet API. The helper is defined by the agent next to the woven class it serves
 * (see {@link Helpers}), once per such class, and cached here.
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
        protected Helper computeValue(Class<?> wovenType) {
            Object created = Helpers.create(isJakarta(wovenType) ? JAKARTA_HELPER : JAVAX_HELPER, wovenType);
            return created instanceof Helper ? (Helper) created : null;
        }
    };

    /**
     * Which API a woven class speaks: its own package for {@code HttpServlet}; for a container class (whose
     * name is the same for both lines, as Tomcat's filter chain) the type of its {@code doFilter}'s request.
     */
    static boolean isJakarta(Class<?> wovenType) {
        String name = wovenType.getName();
        if (name.startsWith("jakarta.") || name.startsWith("javax.")) {
            return name.startsWith("jakarta.");
        }
        for (Method method : wovenType.getMethods()) {
            if (method.getName().equals("doFilter") && method.getParameterTypes().length == 2) {
                return method.getParameterTypes()[0].getName().startsWith("jakarta.");
            }
        }
        return false;
    }

    private ServletBridge() {
    }

    /**
     * Enter advice: {@code wovenType} is the woven class (so the helper belongs to its API copy). A forward
     * or include to another servlet, the servlet inside a woven filter chain, and a container layered on
     * another instrumented server, find the request already open.
     */
    public static Object enter(Class<?> wovenType, Object request, Object response) {
        if (wovenType == null || request == null || Mesh.serving()) {
            return null;
        }
        Helper helper = HELPERS.get(wovenType);
        return helper == null ? null : helper.start(request, response);
    }

    /** Whether {@code service} must be skipped because the mesh answered for the application (429). */
    public static boolean answeredByMesh(Class<?> wovenType, Object handle, Object response) {
        if (!(handle instanceof Inbound) || ((Inbound) handle).rejectedStatus() == 0) {
            return false;
        }
        try {
            HELPERS.get(wovenType).reject(response, (Inbound) handle);
            return true;
        } catch (Throwable t) {
            AgentLog.warnOnce("servlet-reject", "could not answer a rate-limited request (" + t
                    + "); it goes to the application");
            return false;
        }
    }

    /** Exit advice: {@code service} returned or threw {@code thrown}. */
    public static void exit(Class<?> wovenType, Object handle, Object request, Object response, Throwable thrown) {
        if (!(handle instanceof Inbound)) {
            return;
        }
        Inbound inbound = (Inbound) handle;
        Mesh.inboundLeave(inbound);
        try {
            HELPERS.get(wovenType).finish(inbound, request, response, thrown);
        } catch (Throwable t) {
            Mesh.inboundEnd(inbound, -1, thrown);
        }
    }
}
