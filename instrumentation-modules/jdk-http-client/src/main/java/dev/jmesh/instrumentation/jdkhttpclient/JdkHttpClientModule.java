package dev.jmesh.instrumentation.jdkhttpclient;

import dev.jmesh.bootstrap.jdkhttpclient.HttpClientBridge;
import dev.jmesh.bootstrap.Outcome;
import dev.jmesh.instrumentation.InstrumentationModule;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;

import java.util.Collections;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * {@code java.net.http.HttpClient} (Java 11+): {@code send} and both {@code sendAsync} variants of
 * {@code jdk.internal.net.http.HttpClientFacade}, the class of every client that
 * {@code HttpClient.newHttpClient()} and {@code HttpClient.newBuilder().build()} return, run through
 * the mesh by {@link JdkHttpClientInterceptor}. Application-defined {@code HttpClient} subclasses are
 * left alone.
 *
 * <p>This class is loaded on Java 8 as well, where the module stays idle: nothing here names a
 * {@code java.net.http} type, and the interceptor is only touched once the JDK is known to have one.
 * The advice is inlined into a class of the platform loader, so it names only JDK types and
 * {@code dev.jmesh.bootstrap}.
 */
public final class JdkHttpClientModule implements InstrumentationModule {
    static final String FACADE = "jdk.internal.net.http.HttpClientFacade";
    private static final String REQUEST = "java.net.http.HttpRequest";
    private static final String BODY_HANDLER = "java.net.http.HttpResponse$BodyHandler";
    private static final String PUSH_PROMISE_HANDLER = "java.net.http.HttpResponse$PushPromiseHandler";

    @Override
    public String name() {
        return "jdk-http-client";
    }

    @Override
    public List<String> targetTypes() {
        return Collections.singletonList(FACADE);
    }

    @Override
    public List<String> jdkModules() {
        return Collections.singletonList("java.net.http");
    }

    @Override
    public AgentBuilder instrument(AgentBuilder builder) {
        if (!javaNetHttpAvailable()) {
            return builder; // Java 8, or a runtime image without the java.net.http module
        }
        JdkHttpClientInterceptor.install();
        return builder
                .type(named(FACADE))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(JdkHttpClientModule.class.getClassLoader())
                        .advice(sendMethod(), SendAdvice.class.getName(), ReturnOutcomeAdvice.class.getName())
                        .advice(sendAsyncMethod(), SendAsyncAdvice.class.getName(),
                                ReturnOutcomeAdvice.class.getName())
                        .advice(sendAsyncWithPushPromisesMethod(), SendAsyncWithPushPromisesAdvice.class.getName(),
                                ReturnOutcomeAdvice.class.getName()));
    }

    static boolean javaNetHttpAvailable() {
        try {
            Class.forName("java.net.http.HttpClient", false, JdkHttpClientModule.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** {@code send(HttpRequest, BodyHandler)}. */
    static ElementMatcher.Junction<MethodDescription> sendMethod() {
        return named("send").and(takesArguments(2))
                .and(takesArgument(0, named(REQUEST)))
                .and(takesArgument(1, named(BODY_HANDLER)));
    }

    /** {@code sendAsync(HttpRequest, BodyHandler)}. */
    static ElementMatcher.Junction<MethodDescription> sendAsyncMethod() {
        return named("sendAsync").and(takesArguments(2))
                .and(takesArgument(0, named(REQUEST)))
                .and(takesArgument(1, named(BODY_HANDLER)));
    }

    /** {@code sendAsync(HttpRequest, BodyHandler, PushPromiseHandler)}. */
    static ElementMatcher.Junction<MethodDescription> sendAsyncWithPushPromisesMethod() {
        return named("sendAsync").and(takesArguments(3))
                .and(takesArgument(0, named(REQUEST)))
                .and(takesArgument(1, named(BODY_HANDLER)))
                .and(takesArgument(2, named(PUSH_PROMISE_HANDLER)));
    }

    /**
     * Woven into {@code send}: when the mesh takes the call, the returned outcome is non-null, the
     * original body is skipped and {@link ReturnOutcomeAdvice} returns or throws the outcome.
     */
    public static final class SendAdvice {
        private SendAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        public static Outcome enter(@Advice.This Object client,
                                    @Advice.Argument(0) Object request,
                                    @Advice.Argument(1) Object bodyHandler) {
            return HttpClientBridge.send(client, request, bodyHandler);
        }
    }

    /** Woven into {@code sendAsync(HttpRequest, BodyHandler)}; see {@link SendAdvice}. */
    public static final class SendAsyncAdvice {
        private SendAsyncAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        public static Outcome enter(@Advice.This Object client,
                                    @Advice.Argument(0) Object request,
                                    @Advice.Argument(1) Object bodyHandler) {
            return HttpClientBridge.sendAsync(client, request, bodyHandler, null);
        }
    }

    /** Woven into {@code sendAsync(HttpRequest, BodyHandler, PushPromiseHandler)}; see {@link SendAdvice}. */
    public static final class SendAsyncWithPushPromisesAdvice {
        private SendAsyncWithPushPromisesAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        public static Outcome enter(@Advice.This Object client,
                                    @Advice.Argument(0) Object request,
                                    @Advice.Argument(1) Object bodyHandler,
                                    @Advice.Argument(2) Object pushPromiseHandler) {
            return HttpClientBridge.sendAsync(client, request, bodyHandler, pushPromiseHandler);
        }
    }

    /**
     * The exit half of all three: hands the mesh's outcome to the caller. When the original method ran
     * (no outcome), its own return value or exception stands.
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
