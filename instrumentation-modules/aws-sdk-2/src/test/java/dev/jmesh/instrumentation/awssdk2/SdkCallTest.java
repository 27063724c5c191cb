package dev.jmesh.instrumentation.awssdk2;

import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.awssdk2.AwsSdk2Bridge;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.client.handler.ClientExecutionParams;
import software.amazon.awssdk.core.client.handler.SyncClientHandler;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How one SDK call is described, attempted and observed, with the SDK's real request and HTTP types. */
class SdkCallTest {

    /** A handler that answers from {@code answer} and remembers the inputs it was given and CallDepth. */
    static final class Handler implements SyncClientHandler {
        final List<SdkRequest> inputs = new ArrayList<>();
        final List<Boolean> nested = new ArrayList<>();
        Function<ClientExecutionParams<?, ?>, Object> answer = p -> GetObjectResponse.builder().build();

        @Override
        @SuppressWarnings("unchecked")
        public <I extends SdkRequest, O extends SdkResponse> O execute(ClientExecutionParams<I, O> params) {
            inputs.add(params.getInput());
            nested.add(CallDepth.nested());
            return (O) answer.apply(params);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <I extends SdkRequest, O extends SdkResponse, R> R execute(ClientExecutionParams<I, O> params,
                                                                          ResponseTransformer<O, R> transformer) {
            return (R) execute(params);
        }

        @Override
        public void close() {
        }
    }

    private static SdkCall call(Handler handler, SdkRequest input) {
        ClientExecutionParams<SdkRequest, SdkResponse> params = new ClientExecutionParams<SdkRequest, SdkResponse>()
                .withInput(input).withOperationName("GetObject");
        return new SdkCall(handler, params, null, false);
    }

    private static GetObjectRequest get() {
        return GetObjectRequest.builder().bucket("shop").key("k1").build();
    }

    @Test
    void describesTheCallByOperationAndServiceAsTheSdkNamesThem() {
        SdkCall call = call(new Handler(), get());
        OutboundCall described = call.describe();
        assertEquals("GetObject", call.operation());
        assertEquals("S3", call.service(), "from the request's package when the client does not say");
        assertEquals("aws", described.protocol());
        assertEquals("GetObject", described.method());
        assertEquals("s3.amazonaws.com", described.host());
        assertTrue(described.replayable());
    }

    @Test
    void serviceFromTheRequestClass() {
        assertEquals("DYNAMODB", SdkCall.serviceOf("software.amazon.awssdk.services.dynamodb.model.GetItemRequest"));
        assertEquals("AWS", SdkCall.serviceOf("com.example.MyRequest"));
    }

    @Test
    void theMeshTimeoutBecomesTheApiCallTimeoutUnlessTheRequestsOwnIsTighter() {
        SdkCall call = call(new Handler(), get());
        call.describe();
        GetObjectRequest plain = get();
        GetObjectRequest cut = (GetObjectRequest) call.withApiCallTimeout(plain, 500);
        assertEquals(Duration.ofMillis(500), cut.overrideConfiguration().get().apiCallTimeout().get());
        assertEquals("shop", cut.bucket());
        assertEquals("k1", cut.key());

        GetObjectRequest tight = get().toBuilder().overrideConfiguration(o -> o.apiCallTimeout(Duration.ofMillis(100)))
                .build();
        assertSame(tight, call.withApiCallTimeout(tight, 500), "the application's tighter timeout stands");

        GetObjectRequest loose = get().toBuilder().overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(5))
                .putHeader("x-app", "1")).build();
        GetObjectRequest tightened = (GetObjectRequest) call.withApiCallTimeout(loose, 500);
        assertEquals(Duration.ofMillis(500), tightened.overrideConfiguration().get().apiCallTimeout().get());
        assertEquals(List.of("1"), tightened.overrideConfiguration().get().headers().get("x-app"),
                "the application's other overrides stay");
    }

    @Test
    void anAttemptRunsTheSdkCallNestedWithTheTimeoutAndRestoresTheInputForTheNext() {
        Handler handler = new Handler();
        GetObjectRequest input = get();
        SdkCall call = call(handler, input);
        call.describe();
        call.attempt(null, -1, 250);
        call.attempt(null, -1, 0);
        assertEquals(List.of(true, true), handler.nested, "the advice lets the mesh's own attempt pass through");
        assertFalse(CallDepth.nested());
        assertEquals(Duration.ofMillis(250),
                ((GetObjectRequest) handler.inputs.get(0)).overrideConfiguration().get().apiCallTimeout().get());
        assertSame(input, handler.inputs.get(1));
    }

    @Test
    void observesTheSdksHttpRequestsAndTheirAnswers() throws Exception {
        Handler handler = new Handler();
        SdkCall call = call(handler, get());
        call.describe();
        handler.answer = p -> {
            for (int status : new int[] {500, 200}) {
                Object wrapped = AwsSdk2Bridge.prepared(httpRequest(), executable(status));
                try {
                    ((ExecutableHttpRequest) wrapped).call();
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            return GetObjectResponse.builder().build();
        };
        call.attempt(null, -1, 0);
        assertEquals(2, call.httpAttempts(), "each HTTP request the SDK sent");
        assertEquals(200, call.lastStatus());
        assertEquals("ID-200", call.requestId());
        assertEquals("bucket.example:9000", call.lastEndpoint());
        assertSame(executable(1), AwsSdk2Bridge.prepared(httpRequest(), executable(1)),
                "outside an SDK call nothing is observed");
    }

    @Test
    void aServiceErrorGivesItsStatusAndRequestIdAndOtherFailuresNoStatus() {
        Handler handler = new Handler();
        SdkCall call = call(handler, get());
        call.describe();
        handler.answer = p -> {
            throw S3Exception.builder().statusCode(404).requestId("R404").message("NoSuchKey").build();
        };
        assertThrows(S3Exception.class, () -> call.attempt(null, -1, 0));
        assertEquals(404, call.lastStatus());
        assertEquals("R404", call.requestId());
        handler.answer = p -> {
            throw ApiCallTimeoutException.create(100);
        };
        ApiCallTimeoutException timeout = assertThrows(ApiCallTimeoutException.class, () -> call.attempt(null, -1, 100));
        assertEquals(-1, call.lastStatus());
        assertTrue(call.isTimeout(timeout));
        assertFalse(call.isTimeout(SdkClientException.create("x")));
        assertInstanceOf(SdkClientException.class, call.rejectedException("jmesh: no"));
        assertEquals("jmesh: no", call.rejectedException("jmesh: no").getMessage());
    }

    @Test
    void requestIdHeaders() {
        assertEquals("A", SdkCall.requestIdOf(Map.of("X-Amz-Request-Id", List.of("A"))));
        assertEquals("B", SdkCall.requestIdOf(Map.of("x-amzn-RequestId", List.of("B"))));
        assertNull(SdkCall.requestIdOf(Map.of("x-amz-id-2", List.of("C"))));
    }

    private static HttpExecuteRequest httpRequest() {
        return HttpExecuteRequest.builder().request(SdkHttpRequest.builder().protocol("http").host("bucket.example")
                .port(9000).method(SdkHttpMethod.GET).encodedPath("/k1").build()).build();
    }

    private static final Map<Integer, ExecutableHttpRequest> EXECUTABLES = new java.util.HashMap<>();

    private static ExecutableHttpRequest executable(int status) {
        return EXECUTABLES.computeIfAbsent(status, s -> new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() {
                return HttpExecuteResponse.builder().response(SdkHttpResponse.builder().statusCode(s)
                        .putHeader("x-amz-request-id", "ID-" + s).build()).build();
            }

            @Override
            public void abort() {
            }
        });
    }
}
