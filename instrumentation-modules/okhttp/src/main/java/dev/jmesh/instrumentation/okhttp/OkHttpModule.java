package dev.jmesh.instrumentation.okhttp;

import dev.jmesh.bootstrap.okhttp.OkHttpBridge;
import dev.jmesh.instrumentation.InstrumentationModule;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * OkHttp 3.9 to 5.x ({@code Call.execute()} and {@code Call.enqueue(Callback)}).
 *
 * <p>The mesh joins OkHttp the way OkHttp invites: as an interceptor. The {@code OkHttpClient(Builder)}
 * constructor, which every client runs exactly once ({@code new OkHttpClient()}, {@code Builder.build()},
 * {@code newBuilder().build()} copies, subclasses), is woven to put one {@link MeshInterceptor} last among
 * the builder's application interceptors; that interceptor runs each logical call through the mesh and
 * makes each attempt with {@code chain.proceed}. {@code RealCall.enqueue} is woven too, only to remember
 * calls enqueued from within an attempt (see {@link OkHttpBridge#enqueued}).
 *
 * <p>This class is loaded by the agent's class loader, which cannot see OkHttp: it names OkHttp types only
 * as strings, and the advice only JDK types and {@code dev.jmesh.bootstrap}. {@link MeshInterceptor} is
 * never loaded here; the bridge has the agent define it next to each OkHttp copy.
 */
public final class OkHttpModule implements InstrumentationModule {
    static final String CLIENT = "okhttp3.OkHttpClient";
    static final String BUILDER = "okhttp3.OkHttpClient$Builder";
    static final String CALLBACK = "okhttp3.Callback";
    /** {@code RealCall} of OkHttp 3.x. */
    static final String REAL_CALL_3 = "okhttp3.RealCall";
    /** {@code RealCall} of OkHttp 4.x and 5.x. */
    static final String REAL_CALL_4 = "okhttp3.internal.connection.RealCall";

    @Override
    public String name() {
        return "okhttp";
    }

    @Override
    public List<String> targetTypes() {
        return Collections.unmodifiableList(Arrays.asList(CLIENT, REAL_CALL_3, REAL_CALL_4));
    }

    @Override
    public List<String> libraryPackages() {
        return Arrays.asList("okhttp3.", "okio.", "kotlin.");
    }

    @Override
    public List<String> jdkModules() {
        return Collections.emptyList();
    }

    @Override
    public AgentBuilder instrument(AgentBuilder builder) {
        ClassLoader adviceLoader = OkHttpModule.class.getClassLoader();
        return builder
                .type(named(CLIENT))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(adviceLoader)
                        .advice(clientConstructor(), ClientConstructorAdvice.class.getName()))
                .type(named(REAL_CALL_3).or(named(REAL_CALL_4)))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(adviceLoader)
                        .advice(enqueueMethod(), EnqueueAdvice.class.getName()));
    }

    /** {@code OkHttpClient(OkHttpClient.Builder)}. */
    static ElementMatcher.Junction<MethodDescription> clientConstructor() {
        return isConstructor().and(takesArguments(1)).and(takesArgument(0, named(BUILDER)));
    }

    /** {@code RealCall.enqueue(Callback)}. */
    static ElementMatcher.Junction<MethodDescription> enqueueMethod() {
        return named("enqueue").and(takesArguments(1)).and(takesArgument(0, named(CALLBACK)));
    }

    /** Woven into the {@code OkHttpClient(Builder)} constructor, before the builder's settings are copied. */
    public static final class ClientConstructorAdvice {
        private ClientConstructorAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Origin Class<?> clientType, @Advice.Argument(0) Object builder) {
            OkHttpBridge.clientBuilding(clientType, builder);
        }
    }

    /** Woven into {@code RealCall.enqueue(Callback)}. */
    public static final class EnqueueAdvice {
        private EnqueueAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object call) {
            OkHttpBridge.enqueued(call);
        }
    }
}
