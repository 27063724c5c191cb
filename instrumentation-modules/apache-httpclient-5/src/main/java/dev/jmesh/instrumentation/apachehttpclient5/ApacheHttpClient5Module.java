package dev.jmesh.instrumentation.apachehttpclient5;

import dev.jmesh.bootstrap.apachehttpclient5.ApacheHttpClient5Bridge;
import dev.jmesh.bootstrap.Outcome;
import dev.jmesh.instrumentation.InstrumentationModule;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Apache HttpClient 5.x, classic API and async calls with a {@code SimpleHttpRequest} (see
 * {@link SimpleAsyncInterceptor}). Classic: every {@code CloseableHttpClient.execute(...)} overload (the
 * deprecated response-returning ones, the response-handler ones, and {@code executeOpen} of 5.2+)
 * funnels into exactly one call of the protected
 * {@code doExecute(HttpHost, ClassicHttpRequest, HttpContext)}, which the two client classes of the
 * library implement: {@code InternalHttpClient} (what {@code HttpClients.createDefault()},
 * {@code HttpClients.custom().build()}, {@code HttpClientBuilder}, {@code CachingHttpClients} and
 * Spring's {@code HttpComponentsClientHttpRequestFactory} use) and {@code MinimalHttpClient}
 * ({@code HttpClients.createMinimal()}). Advice on that one method therefore sees each logical call
 * exactly once, with the target already known, and wraps everything the client does for it (its own
 * redirects, authentication, protocol retries); a response handler runs once, on the response the mesh
 * settled on.
 *
 * <p>This class is loaded by the agent's class loader, which cannot see the library: it names library
 * types only as strings, and the advice names only JDK types and {@code dev.jmesh.bootstrap}. The code
 * that speaks the library's API is {@link ApacheHttpClient5Interceptor}, a helper defined inside the
 * library's own loader.
 */
public final class ApacheHttpClient5Module implements InstrumentationModule {
    static final String INTERNAL_CLIENT = "org.apache.hc.client5.http.impl.classic.InternalHttpClient";
    static final String MINIMAL_CLIENT = "org.apache.hc.client5.http.impl.classic.MinimalHttpClient";
    static final String ASYNC_CLIENT = "org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient";
    static final String INTERNAL_ASYNC_CLIENT = "org.apache.hc.client5.http.impl.async.InternalAbstractHttpAsyncClient";
    static final String MINIMAL_ASYNC_CLIENT =
            "org.apache.hc.client5.http.impl.async.AbstractMinimalHttpAsyncClientBase";
    private static final String REQUEST_PRODUCER = "org.apache.hc.core5.http.nio.AsyncRequestProducer";
    private static final String SIMPLE_REQUEST = "org.apache.hc.client5.http.async.methods.SimpleHttpRequest";
    private static final String HTTP_HOST = "org.apache.hc.core5.http.HttpHost";
    private static final String CLASSIC_REQUEST = "org.apache.hc.core5.http.ClassicHttpRequest";
    private static final String HTTP_CONTEXT = "org.apache.hc.core5.http.protocol.HttpContext";

    @Override
    public String name() {
        return "apache-httpclient-5";
    }

    @Override
    public List<String> targetTypes() {
        return Arrays.asList(INTERNAL_CLIENT, MINIMAL_CLIENT, ASYNC_CLIENT, INTERNAL_ASYNC_CLIENT, MINIMAL_ASYNC_CLIENT);
    }

    /** The library, and Spring's RestTemplate/RestClient layered over it: the caller is the app's frame. */
    @Override
    public List<String> libraryPackages() {
        return Arrays.asList("org.apache.hc.", "org.springframework.web.client.", "org.springframework.http.client.");
    }

    @Override
    public List<String> jdkModules() {
        return Collections.emptyList();
    }

    @Override
    public AgentBuilder instrument(AgentBuilder builder) {
        return builder
                .type(namedOneOf(INTERNAL_CLIENT, MINIMAL_CLIENT))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(ApacheHttpClient5Module.class.getClassLoader())
                        .advice(doExecuteMethod(), DoExecuteAdvice.class.getName(),
                                ReturnOutcomeAdvice.class.getName()))
                .type(named(ASYNC_CLIENT))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(ApacheHttpClient5Module.class.getClassLoader())
                        .advice(executeSimpleMethod(), ExecuteSimpleAdvice.class.getName(),
                                ReturnOutcomeAdvice.class.getName()))
                .type(namedOneOf(INTERNAL_ASYNC_CLIENT, MINIMAL_ASYNC_CLIENT))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(ApacheHttpClient5Module.class.getClassLoader())
                        .advice(doExecuteAsyncMethod(), DoExecuteAsyncAdvice.class.getName(),
                                ReturnOutcomeAdvice.class.getName()));
    }

    /**
     * {@code CloseableHttpAsyncClient.execute(SimpleHttpRequest, HttpContext, FutureCallback)}, which the
     * two-argument {@code execute(SimpleHttpRequest, FutureCallback)} calls as well.
     */
    static ElementMatcher.Junction<MethodDescription> executeSimpleMethod() {
        return named("execute").and(takesArguments(3)).and(takesArgument(0, named(SIMPLE_REQUEST)))
                .and(takesArgument(1, named(HTTP_CONTEXT)));
    }

    /** Woven into {@code execute(SimpleHttpRequest, HttpContext, FutureCallback)}; see {@link DoExecuteAdvice}. */
    public static final class ExecuteSimpleAdvice {
        private ExecuteSimpleAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        public static Outcome enter(@Advice.Origin Class<?> libraryType,
                                    @Advice.This Object client,
                                    @Advice.Argument(0) Object request,
                                    @Advice.Argument(1) Object context,
                                    @Advice.Argument(2) Object callback) {
            return ApacheHttpClient5Bridge.executeSimple(libraryType, client, request, context, callback);
        }
    }

    /**
     * The async clients' {@code doExecute(HttpHost, AsyncRequestProducer, AsyncResponseConsumer, HandlerFactory,
     * HttpContext, FutureCallback)}, which every {@code execute} overload with a producer and a consumer reaches
     * once (see {@link StreamingAsyncInterceptor}).
     */
    static ElementMatcher.Junction<MethodDescription> doExecuteAsyncMethod() {
        return named("doExecute").and(not(isAbstract())).and(takesArguments(6))
                .and(takesArgument(0, named(HTTP_HOST)))
                .and(takesArgument(1, named(REQUEST_PRODUCER)))
                .and(takesArgument(4, named(HTTP_CONTEXT)));
    }

    /** Woven into the async {@code doExecute}; see {@link DoExecuteAdvice}. */
    public static final class DoExecuteAsyncAdvice {
        private DoExecuteAsyncAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        public static Outcome enter(@Advice.Origin Class<?> libraryType,
                                    @Advice.This Object client,
                                    @Advice.Argument(0) Object target,
                                    @Advice.Argument(1) Object producer,
                                    @Advice.Argument(2) Object consumer,
                                    @Advice.Argument(3) Object pushHandlerFactory,
                                    @Advice.Argument(4) Object context,
                                    @Advice.Argument(5) Object callback) {
            return ApacheHttpClient5Bridge.executeStreaming(libraryType, client, target, producer, consumer,
                    pushHandlerFactory, context, callback);
        }
    }

    /** {@code doExecute(HttpHost, ClassicHttpRequest, HttpContext)}, the implementation, not the abstract declaration. */
    static ElementMatcher.Junction<MethodDescription> doExecuteMethod() {
        return named("doExecute").and(not(isAbstract())).and(takesArguments(3))
                .and(takesArgument(0, named(HTTP_HOST)))
                .and(takesArgument(1, named(CLASSIC_REQUEST)))
                .and(takesArgument(2, named(HTTP_CONTEXT)));
    }

    /**
     * Woven into {@code doExecute}: when the mesh takes the call, the returned outcome is non-null, the
     * original body is skipped and {@link ReturnOutcomeAdvice} returns or throws the outcome. The woven
     * class itself ({@code @Origin}) tells the bridge which library loader the call belongs to.
     */
    public static final class DoExecuteAdvice {
        private DoExecuteAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        public static Outcome enter(@Advice.Origin Class<?> libraryType,
                                    @Advice.This Object client,
                                    @Advice.Argument(0) Object target,
                                    @Advice.Argument(1) Object request,
                                    @Advice.Argument(2) Object context) {
            return ApacheHttpClient5Bridge.execute(libraryType, client, target, request, context);
        }
    }

    /**
     * The exit half: hands the mesh's outcome to the caller. When the original method ran (no outcome),
     * its own return value or exception stands.
     */
    public static final class ReturnOutcomeAdvice {
        private ReturnOutcomeAdvice() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Outcome outcome,
                                @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object returned,
                                @Advice.Thrown(readOnly = false) Throwable thrown) {
            if (outcome != null) {
                if (outcome.failure() != null) {
                    thrown = outcome.failure();
                } else {
                    returned = outcome.result();
                }
            }
        }
    }
}
