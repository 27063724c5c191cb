package dev.jmesh.instrumentation.apachehttpclient4;

import dev.jmesh.bootstrap.apachehttpclient4.ApacheHttpClient4Bridge;
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
 * Apache HttpClient 4.x classic, 4.3 to 4.5.14: every {@code CloseableHttpClient.execute(...)} overload
 * of the clients the library builds runs through the mesh.
 *
 * <p>Where the advice goes. All eight public {@code execute} overloads of {@code CloseableHttpClient}
 * (with an {@code HttpUriRequest} or an {@code HttpHost} + {@code HttpRequest}, with or without a
 * {@code ResponseHandler} and an {@code HttpContext}) end in exactly one call of the protected
 * {@code doExecute(HttpHost, HttpRequest, HttpContext)}, and nothing else calls it. Its concrete
 * implementations are woven:
 * <ul>
 *   <li>{@code InternalHttpClient}: what {@code HttpClients.createDefault()}, {@code createSystem()},
 *       {@code custom().build()} and {@code HttpClientBuilder} return;</li>
 *   <li>{@code MinimalHttpClient}: {@code HttpClients.createMinimal()};</li>
 *   <li>{@code AbstractHttpClient} (deprecated, its {@code doExecute} is final): {@code DefaultHttpClient},
 *       {@code SystemDefaultHttpClient}, {@code ContentEncodingHttpClient} and application subclasses.</li>
 * </ul>
 * So each logical call is seen once, whichever overload the application picks; a {@code ResponseHandler}
 * sees only the final response (retries happen inside {@code doExecute}); the library's own machinery
 * (redirects, its retry handler, authentication) runs inside one mesh attempt. Weaving the public
 * {@code execute} methods instead would see a handler call twice (it delegates to another overload) and
 * would have to weave {@code CloseableHttpClient}, an abstract class applications extend themselves.
 * Deprecated wrappers that implement {@code HttpClient} around another client
 * ({@code DecompressingHttpClient}, {@code AutoRetryHttpClient}) are not woven: the client they wrap is.
 *
 * <p>Nothing here names a library type: the library is in the application's class loader. The advice is
 * inlined into library classes and calls only {@code dev.jmesh.bootstrap}; the interceptor is defined
 * next to the library by the agent ({@link ApacheHttpClient4Bridge}).
 */
public final class ApacheHttpClient4Module implements InstrumentationModule {
    static final String INTERNAL_HTTP_CLIENT = "org.apache.http.impl.client.InternalHttpClient";
    static final String MINIMAL_HTTP_CLIENT = "org.apache.http.impl.client.MinimalHttpClient";
    static final String ABSTRACT_HTTP_CLIENT = "org.apache.http.impl.client.AbstractHttpClient";
    private static final List<String> TARGETS = Collections.unmodifiableList(Arrays.asList(
            INTERNAL_HTTP_CLIENT, MINIMAL_HTTP_CLIENT, ABSTRACT_HTTP_CLIENT));

    @Override
    public String name() {
        return "apache-httpclient-4";
    }

    @Override
    public List<String> targetTypes() {
        return TARGETS;
    }

    /** The library, and Spring's RestTemplate/RestClient layered over it: the caller is the app's frame. */
    @Override
    public List<String> libraryPackages() {
        return Arrays.asList("org.apache.http.", "org.springframework.web.client.", "org.springframework.http.client.");
    }

    @Override
    public List<String> jdkModules() {
        return Collections.emptyList();
    }

    @Override
    public AgentBuilder instrument(AgentBuilder builder) {
        return builder
                .type(namedOneOf(TARGETS.toArray(new String[0])))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(ApacheHttpClient4Module.class.getClassLoader())
                        .advice(doExecuteMethod(), DoExecuteAdvice.class.getName()));
    }

    /** {@code doExecute(HttpHost, HttpRequest, HttpContext)}, matched by argument type names only. */
    static ElementMatcher.Junction<MethodDescription> doExecuteMethod() {
        return named("doExecute").and(not(isAbstract())).and(takesArguments(3))
                .and(takesArgument(0, named("org.apache.http.HttpHost")))
                .and(takesArgument(1, named("org.apache.http.HttpRequest")))
                .and(takesArgument(2, named("org.apache.http.protocol.HttpContext")));
    }

    /**
     * Woven into {@code doExecute}: when the mesh takes the call, the outcome is non-null, the original
     * body is skipped and the exit half returns or throws the outcome; otherwise the original runs and its
     * own result stands.
     */
    public static final class DoExecuteAdvice {
        private DoExecuteAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        public static Outcome enter(@Advice.Origin Class<?> wovenType,
                                    @Advice.This Object client,
                                    @Advice.Argument(0) Object target,
                                    @Advice.Argument(1) Object request,
                                    @Advice.Argument(2) Object context) {
            return ApacheHttpClient4Bridge.execute(wovenType, client, target, request, context);
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
