package dev.jmesh.instrumentation.servlet;

import dev.jmesh.bootstrap.servlet.ServletBridge;
import dev.jmesh.instrumentation.InstrumentationModule;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Servlet containers (Tomcat, Jetty, Undertow, ...): every request a container hands to an
 * {@code HttpServlet} is an inbound request. One module for both API lines, {@code javax.servlet}
 * (Servlet 3.0 to 4.0) and {@code jakarta.servlet} (Servlet 5.0 and later): the two APIs differ in their
 * package only, so the advice and the bridge are shared and each line has a small helper compiled against
 * its own API.
 *
 * <p>Woven: the public {@code HttpServlet.service(ServletRequest, ServletResponse)}, which the container
 * calls for every request (servlet frameworks such as Spring's {@code DispatcherServlet} override the
 * protected {@code service(HttpServletRequest, HttpServletResponse)} it calls, not this one). Only the
 * container's first dispatch of a request ({@code DispatcherType.REQUEST}) opens an inbound request; a
 * forward or include on the same thread finds it open, and async and error dispatches are skipped, so a
 * request is recorded once.
 *
 * <p>On Tomcat (7 to 11, javax and jakarta: the class name is the same) the request is opened one step
 * earlier, at {@code ApplicationFilterChain.doFilter}, so that requests a servlet filter answers (a security
 * filter's 401) are recorded and rate-limited too, and servlets that override the public {@code service}
 * without calling {@code super} (Jersey, CXF) are seen; the servlet's own advice then finds the request open.
 * On other containers a request that a filter answers before any servlet is not seen.
 */
public final class ServletModule implements InstrumentationModule {
    static final String JAVAX_SERVLET = "javax.servlet.http.HttpServlet";
    static final String JAKARTA_SERVLET = "jakarta.servlet.http.HttpServlet";
    /** Tomcat's filter chain, which runs a request's filters and then its servlet. */
    static final String TOMCAT_FILTER_CHAIN = "org.apache.catalina.core.ApplicationFilterChain";

    @Override
    public String name() {
        return "servlet";
    }

    @Override
    public List<String> targetTypes() {
        return Collections.unmodifiableList(Arrays.asList(JAVAX_SERVLET, JAKARTA_SERVLET, TOMCAT_FILTER_CHAIN));
    }

    @Override
    public List<String> jdkModules() {
        return Collections.emptyList();
    }

    @Override
    public AgentBuilder instrument(AgentBuilder builder) {
        return builder
                .type(named(JAVAX_SERVLET).or(named(JAKARTA_SERVLET)))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(ServletModule.class.getClassLoader())
                        .advice(serviceMethod(), ServiceAdvice.class.getName()))
                .type(named(TOMCAT_FILTER_CHAIN))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(ServletModule.class.getClassLoader())
                        .advice(doFilterMethod(), ServiceAdvice.class.getName()));
    }

    /** {@code public void doFilter(ServletRequest, ServletResponse)} of Tomcat's {@code ApplicationFilterChain}. */
    static ElementMatcher.Junction<MethodDescription> doFilterMethod() {
        return named("doFilter").and(isPublic()).and(takesArguments(2))
                .and(takesArgument(0, named("javax.servlet.ServletRequest").or(named("jakarta.servlet.ServletRequest"))))
                .and(takesArgument(1, named("javax.servlet.ServletResponse").or(named("jakarta.servlet.ServletResponse"))));
    }

    /** {@code public void service(ServletRequest, ServletResponse)}. */
    static ElementMatcher.Junction<MethodDescription> serviceMethod() {
        return named("service").and(isPublic()).and(takesArguments(2))
                .and(takesArgument(0, named("javax.servlet.ServletRequest").or(named("jakarta.servlet.ServletRequest"))))
                .and(takesArgument(1, named("javax.servlet.ServletResponse").or(named("jakarta.servlet.ServletResponse"))));
    }

    /** Woven into {@code HttpServlet.service(ServletRequest, ServletResponse)} and Tomcat's {@code doFilter}. */
    public static final class ServiceAdvice {
        private ServiceAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        public static boolean enter(@Advice.Origin Class<?> wovenType,
                                    @Advice.Argument(0) Object request,
                                    @Advice.Argument(1) Object response,
                                    @Advice.Local("jmeshInbound") Object inbound) {
            inbound = ServletBridge.enter(wovenType, request, response);
            return ServletBridge.answeredByMesh(wovenType, inbound, response);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Origin Class<?> wovenType,
                                @Advice.Argument(0) Object request,
                                @Advice.Argument(1) Object response,
                                @Advice.Local("jmeshInbound") Object inbound,
                                @Advice.Thrown Throwable thrown) {
            ServletBridge.exit(wovenType, inbound, request, response, thrown);
        }
    }
}
