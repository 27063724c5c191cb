package dev.jmesh.instrumentation.jdkhttpserver;

import dev.jmesh.bootstrap.jdkhttpserver.HttpServerBridge;
import dev.jmesh.instrumentation.InstrumentationModule;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

import java.util.Collections;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * The JDK's {@code com.sun.net.httpserver.HttpServer} (and {@code HttpsServer}): every request that
 * reaches an application's {@code HttpHandler} is an inbound request.
 *
 * <p>Woven: {@code Filter.Chain.doFilter(HttpExchange)}, public API since Java 6. The server runs each
 * request through a chain of the context's filters ending in its handler; the outermost {@code doFilter} on
 * the request's thread is the whole request (user filters included), and the nested ones (each filter's
 * {@code chain.doFilter}, the server's link to its system filters) find the request already open
 * ({@code Mesh.serving()}). A request over an inbound rate limit is answered 429 there, and the chain,
 * hence the handler, never runs. Servers whose handler belongs to the agent itself
 * ({@link JdkHttpServerInterceptor#isAgentHandler}) are left alone.
 *
 * <p>The package is in the platform loader ({@code jdk.httpserver}) on Java 9+ and in the bootstrap
 * loader on Java 8; both are visible from the agent's loader, so the interceptor lives there.
 */
public final class JdkHttpServerModule implements InstrumentationModule {
    static final String CHAIN = "com.sun.net.httpserver.Filter$Chain";
    private static final String EXCHANGE = "com.sun.net.httpserver.HttpExchange";

    @Override
    public String name() {
        return "jdk-http-server";
    }

    @Override
    public List<String> targetTypes() {
        return Collections.singletonList(CHAIN);
    }

    @Override
    public List<String> jdkModules() {
        return Collections.singletonList("jdk.httpserver");
    }

    @Override
    public AgentBuilder instrument(AgentBuilder builder) {
        if (!httpServerAvailable()) {
            return builder; // a runtime image without jdk.httpserver
        }
        HttpServerBridge.register(new JdkHttpServerInterceptor());
        return builder
                .type(named(CHAIN))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(JdkHttpServerModule.class.getClassLoader())
                        .advice(doFilterMethod(), DoFilterAdvice.class.getName()));
    }

    static boolean httpServerAvailable() {
        try {
            Class.forName(EXCHANGE, false, JdkHttpServerModule.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** {@code Filter.Chain.doFilter(HttpExchange)}. */
    static ElementMatcher.Junction<MethodDescription> doFilterMethod() {
        return named("doFilter").and(takesArguments(1)).and(takesArgument(0, named(EXCHANGE)));
    }

    /** Woven into {@code Filter.Chain.doFilter}: opens the inbound request, or answers it for the mesh. */
    public static final class DoFilterAdvice {
        private DoFilterAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        public static boolean enter(@Advice.Argument(0) Object exchange,
                                    @Advice.Local("jmeshInbound") Object inbound) {
            inbound = HttpServerBridge.enter(exchange);
            return HttpServerBridge.answeredByMesh(inbound, exchange);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Argument(0) Object exchange,
                                @Advice.Local("jmeshInbound") Object inbound,
                                @Advice.Thrown Throwable thrown) {
            HttpServerBridge.exit(inbound, exchange, thrown);
        }
    }
}
