package dev.jmesh.instrumentation.awssdk2;

import dev.jmesh.bootstrap.Outcome;
import dev.jmesh.bootstrap.awssdk2.AwsSdk2Bridge;
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
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * AWS SDK for Java v2, synchronous clients: each SDK API call (S3 GetObject, DynamoDB PutItem, ...) is one logical
 * call of the mesh, with the SDK's own retries inside it.
 *
 * <p>Where the advice goes. Every synchronous client of every AWS service (generated code, e.g. {@code
 * DefaultS3Client.getObject}) hands its call to {@code AwsSyncClientHandler.execute(ClientExecutionParams[,
 * ResponseTransformer])}, which marshals the request, runs the SDK's pipeline (signing, its retry policy, the HTTP
 * client) and unmarshals the answer. Both overloads are woven: the operation name is in the params, the service in
 * the handler's client configuration, and re-running {@code execute} is a complete, faithful SDK call (the mesh's
 * attempt). The HTTP clients' {@code prepareRequest} (Apache, URLConnection, Apache 5, CRT) is woven too, only to
 * observe what the SDK sends while a call runs through the mesh: the number of HTTP requests (the SDK's own
 * retries), the endpoint, the status and the AWS request id. Nothing else of the HTTP client changes; the
 * instrumentation of the HTTP library underneath (Apache HttpClient 4, {@code HttpURLConnection}) sees the call
 * nested ({@code CallDepth}) and passes it through, so the call makes one record, not two.
 *
 * <p>Asynchronous clients ({@code AwsAsyncClientHandler}) are not woven yet: their calls pass through, and the
 * Netty client's requests are not instrumented by jmesh at all.
 */
public final class AwsSdk2Module implements InstrumentationModule {
    static final String AWS_SYNC_CLIENT_HANDLER = "software.amazon.awssdk.awscore.client.handler.AwsSyncClientHandler";
    static final List<String> HTTP_CLIENTS = Collections.unmodifiableList(Arrays.asList(
            "software.amazon.awssdk.http.apache.ApacheHttpClient",
            "software.amazon.awssdk.http.apache5.Apache5HttpClient",
            "software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient",
            "software.amazon.awssdk.http.crt.AwsCrtHttpClient"));

    @Override
    public String name() {
        return "aws-sdk-2";
    }

    @Override
    public List<String> targetTypes() {
        String[] all = new String[HTTP_CLIENTS.size() + 1];
        all[0] = AWS_SYNC_CLIENT_HANDLER;
        for (int i = 0; i < HTTP_CLIENTS.size(); i++) {
            all[i + 1] = HTTP_CLIENTS.get(i);
        }
        return Collections.unmodifiableList(Arrays.asList(all));
    }

    @Override
    public List<String> libraryPackages() {
        return Collections.singletonList("software.amazon.awssdk.");
    }

    @Override
    public List<String> jdkModules() {
        return Collections.emptyList();
    }

    @Override
    public AgentBuilder instrument(AgentBuilder builder) {
        ClassLoader adviceLoader = AwsSdk2Module.class.getClassLoader();
        return builder
                .type(named(AWS_SYNC_CLIENT_HANDLER))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(adviceLoader)
                        .advice(executeMethods(), ExecuteAdvice.class.getName()))
                .type(namedOneOf(HTTP_CLIENTS.toArray(new String[0])))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(adviceLoader)
                        .advice(prepareRequestMethod(), PrepareRequestAdvice.class.getName()));
    }

    /** {@code execute(ClientExecutionParams)} and {@code execute(ClientExecutionParams, ResponseTransformer)}. */
    static ElementMatcher.Junction<MethodDescription> executeMethods() {
        return named("execute").and(isPublic()).and(not(isAbstract()))
                .and(takesArgument(0, named("software.amazon.awssdk.core.client.handler.ClientExecutionParams")))
                .and(takesArguments(1).or(takesArguments(2)
                        .and(takesArgument(1, named("software.amazon.awssdk.core.sync.ResponseTransformer")))));
    }

    /** {@code SdkHttpClient.prepareRequest(HttpExecuteRequest)}. */
    static ElementMatcher.Junction<MethodDescription> prepareRequestMethod() {
        return named("prepareRequest").and(isPublic()).and(not(isAbstract())).and(takesArguments(1))
                .and(takesArgument(0, named("software.amazon.awssdk.http.HttpExecuteRequest")));
    }

    /**
     * Woven into {@code AwsSyncClientHandler.execute}: when the mesh takes the call, the outcome is non-null, the
     * original body is skipped and the exit half returns or throws the outcome.
     */
    public static final class ExecuteAdvice {
        private ExecuteAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        public static Outcome enter(@Advice.Origin Class<?> wovenType,
                                    @Advice.This Object handler,
                                    @Advice.AllArguments Object[] arguments) {
            return AwsSdk2Bridge.execute(wovenType, handler, arguments);
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

    /** Woven into the HTTP clients' {@code prepareRequest}: lets the SDK call running on this thread observe it. */
    public static final class PrepareRequestAdvice {
        private PrepareRequestAdvice() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Argument(0) Object request,
                                @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object returned) {
            returned = AwsSdk2Bridge.prepared(request, returned);
        }
    }
}
