package dev.jmesh.instrumentation.awssdk2;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.AwsExchange;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.awssdk2.AwsSdk2Bridge;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.client.config.SdkClientConfiguration;
import software.amazon.awssdk.core.client.config.SdkClientOption;
import software.amazon.awssdk.core.client.handler.ClientExecutionParams;
import software.amazon.awssdk.core.client.handler.SyncClientHandler;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One SDK API call as the mesh runs it. An attempt is the whole SDK call, made again through the handler's public
 * {@code execute} while {@link CallDepth} lets the advice pass it through: same client, credentials, signing,
 * endpoint rules, interceptors and the SDK's own retry policy. The mesh's timeout for the attempt becomes the
 * request's {@code apiCallTimeout} (when tighter than the request's own, or else the client's), so the SDK itself
 * cuts the call and the application gets the SDK's {@code ApiCallTimeoutException}; a call the mesh refuses fails
 * with an {@code SdkClientException} naming jmesh and the reason.
 *
 * <p>While an attempt runs, this call observes the HTTP requests the SDK sends on this thread ({@link
 * AwsSdk2Bridge.HttpObserver}): how many (the SDK's retries), to which endpoint, and the status and request id of
 * the last answer.
 */
final class SdkCall implements AwsExchange<Object>, AwsSdk2Bridge.HttpObserver {
    /** Where services put the request id: S3 and the XML services, the JSON services. */
    private static final String[] REQUEST_ID_HEADERS = {"x-amz-request-id", "x-amzn-RequestId"};

    /** {@code BaseClientHandler.clientConfiguration}: the client's service name, endpoint and apiCallTimeout. */
    private static volatile Field configurationField;
    private static volatile boolean configurationUnavailable;

    private final SyncClientHandler handler;
    private final ClientExecutionParams<SdkRequest, ?> params;
    private final ResponseTransformer<?, ?> transformer;
    private final boolean withTransformer;
    private final SdkRequest originalInput;
    private SdkClientConfiguration configuration;
    private String service;
    private String operation;

    private volatile int httpAttempts;
    private volatile String lastEndpoint;
    private volatile int lastStatus = -1;
    private volatile String requestId;

    SdkCall(SyncClientHandler handler, ClientExecutionParams<SdkRequest, ?> params, ResponseTransformer<?, ?> transformer,
            boolean withTransformer) {
        this.handler = handler;
        this.params = params;
        this.transformer = transformer;
        this.withTransformer = withTransformer;
        this.originalInput = params.getInput();
    }

    /** The mesh's view of the call, or null when the SDK gives it no operation name (left to the SDK). */
    OutboundCall describe() {
        operation = params.getOperationName();
        if (operation == null || originalInput == null) {
            return null;
        }
        configuration = configurationOf(handler);
        String name = configuration == null ? null : configuration.option(SdkClientOption.SERVICE_NAME);
        service = name != null ? name : serviceOf(originalInput.getClass().getName());
        URI endpoint = configuration == null ? null : configuration.option(SdkClientOption.ENDPOINT);
        String scheme = endpoint != null && endpoint.getScheme() != null ? endpoint.getScheme() : "https";
        String host = endpoint != null && endpoint.getHost() != null ? endpoint.getHost()
                : service.toLowerCase(Locale.ROOT) + ".amazonaws.com";
        int port = endpoint != null ? endpoint.getPort() : -1;
        return new OutboundCall("aws", scheme, host, port, operation, "/", true);
    }

    String service() {
        return service;
    }

    String operation() {
        return operation;
    }

    /** {@code S3} for {@code software.amazon.awssdk.services.s3.model.GetObjectRequest}, when the client does not say. */
    static String serviceOf(String requestClass) {
        String prefix = "software.amazon.awssdk.services.";
        if (requestClass.startsWith(prefix)) {
            int end = requestClass.indexOf('.', prefix.length());
            if (end > prefix.length()) {
                return requestClass.substring(prefix.length(), end).toUpperCase(Locale.ROOT);
            }
        }
        return "AWS";
    }

    private static SdkClientConfiguration configurationOf(Object handler) {
        if (configurationUnavailable) {
            return null;
        }
        try {
            Field field = configurationField;
            if (field == null) {
                for (Class<?> type = handler.getClass(); type != null && field == null; type = type.getSuperclass()) {
                    for (Field candidate : type.getDeclaredFields()) {
                        if (candidate.getType() == SdkClientConfiguration.class) {
                            candidate.setAccessible(true);
                            field = candidate;
                            break;
                        }
                    }
                }
                if (field == null) {
                    configurationUnavailable = true;
                    return null;
                }
                configurationField = field;
            }
            return (SdkClientConfiguration) field.get(handler);
        } catch (RuntimeException | IllegalAccessException e) {
            configurationUnavailable = true; // e.g. a module system that forbids it: names come from the request
            return null;
        }
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object attempt(String host, int port, int timeoutMillis) {
        httpAttempts = 0;
        lastEndpoint = null;
        lastStatus = -1;
        requestId = null;
        params.withInput(timeoutMillis > 0 ? timed(timeoutMillis) : originalInput);
        AwsSdk2Bridge.HttpObserver previous = AwsSdk2Bridge.observe(this);
        CallDepth.enter();
        try {
            return withTransformer ? handler.execute((ClientExecutionParams) params, (ResponseTransformer) transformer)
                    : handler.execute((ClientExecutionParams) params);
        } catch (SdkServiceException e) {
            if (lastStatus < 0) {
                lastStatus = e.statusCode();
            }
            if (requestId == null) {
                requestId = e.requestId();
            }
            throw e;
        } catch (RuntimeException | Error e) {
            lastStatus = -1; // no answer reached the application (a timeout may strike after the status line)
            throw e;
        } finally {
            CallDepth.exit();
            AwsSdk2Bridge.restore(previous);
        }
    }

    /** The input with the mesh's timeout; the input as it is when this SDK lacks the API (the SDK's own timeouts stand). */
    private SdkRequest timed(int millis) {
        try {
            return withApiCallTimeout(originalInput, millis);
        } catch (RuntimeException | LinkageError e) {
            AgentLog.warnOnce("aws-sdk-2-timeout:" + e.getClass().getName(), "cannot give an AWS SDK call the mesh's"
                    + " timeout (" + e + "); such calls keep the SDK's own timeouts");
            return originalInput;
        }
    }

    /**
     * {@code request} with an {@code apiCallTimeout} of {@code millis}, unless the request's own (or else the
     * client's) is as tight; other services' requests (not {@code AwsRequest}) stay as they are.
     */
    SdkRequest withApiCallTimeout(SdkRequest request, int millis) {
        if (!(request instanceof AwsRequest)) {
            return request;
        }
        AwsRequest aws = (AwsRequest) request;
        Optional<AwsRequestOverrideConfiguration> own = aws.overrideConfiguration();
        Duration current = own.isPresent() && own.get().apiCallTimeout().isPresent() ? own.get().apiCallTimeout().get()
                : configuration == null ? null : configuration.option(SdkClientOption.API_CALL_TIMEOUT);
        if (current != null && current.toMillis() <= millis) {
            return request;
        }
        AwsRequestOverrideConfiguration.Builder override = own.isPresent() ? own.get().toBuilder()
                : AwsRequestOverrideConfiguration.builder();
        override.apiCallTimeout(Duration.ofMillis(millis));
        return aws.toBuilder().overrideConfiguration(override.build()).build();
    }

    // ---- observing the SDK's HTTP requests (on the calling thread) ------------------------------------

    @Override
    public Object prepared(Object request, Object executable) {
        if (!(request instanceof HttpExecuteRequest) || !(executable instanceof ExecutableHttpRequest)) {
            return executable;
        }
        SdkHttpRequest http = ((HttpExecuteRequest) request).httpRequest();
        httpAttempts++;
        lastStatus = -1;
        lastEndpoint = http.port() > 0 ? http.host() + ":" + http.port() : http.host();
        return new ObservedRequest((ExecutableHttpRequest) executable, this);
    }

    void answered(SdkHttpResponse response) {
        lastStatus = response.statusCode();
        String id = requestIdOf(response.headers());
        if (id != null) {
            requestId = id;
        }
    }

    static String requestIdOf(Map<String, List<String>> headers) {
        for (String wanted : REQUEST_ID_HEADERS) {
            for (Map.Entry<String, List<String>> header : headers.entrySet()) {
                if (wanted.equalsIgnoreCase(header.getKey()) && !header.getValue().isEmpty()) {
                    return header.getValue().get(0);
                }
            }
        }
        return null;
    }

    /** The SDK's prepared HTTP request, reporting its answer to the call. */
    static final class ObservedRequest implements ExecutableHttpRequest {
        private final ExecutableHttpRequest delegate;
        private final SdkCall call;

        ObservedRequest(ExecutableHttpRequest delegate, SdkCall call) {
            this.delegate = delegate;
            this.call = call;
        }

        @Override
        public HttpExecuteResponse call() throws IOException {
            HttpExecuteResponse response = delegate.call();
            try {
                if (response != null && response.httpResponse() != null) {
                    call.answered(response.httpResponse());
                }
            } catch (RuntimeException | LinkageError e) {
                AgentLog.warnOnce("aws-sdk-2-answer:" + e.getClass().getName(), "cannot read an AWS SDK answer's status"
                        + " and request id (" + e + "); records miss them");
            }
            return response;
        }

        @Override
        public void abort() {
            delegate.abort();
        }
    }

    // ---- AwsExchange ---------------------------------------------------------------------------------------

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public int lastStatus() {
        return lastStatus;
    }

    @Override
    public int httpAttempts() {
        return httpAttempts;
    }

    @Override
    public String lastEndpoint() {
        return lastEndpoint;
    }

    @Override
    public boolean isTimeout(Throwable failure) {
        return failure instanceof ApiCallTimeoutException || failure instanceof ApiCallAttemptTimeoutException;
    }

    @Override
    public int statusOf(Object response) {
        return lastStatus;
    }

    @Override
    public void discard(Object response) {
        if (response instanceof AutoCloseable) {
            try {
                ((AutoCloseable) response).close();
            } catch (Exception ignored) {
                // a response the application never sees: nothing to tell it
            }
        }
    }

    @Override
    public Exception timeoutException(String message) {
        return ApiCallTimeoutException.builder().message(message).build();
    }

    @Override
    public Exception rejectedException(String message) {
        return SdkClientException.builder().message(message).build();
    }
}
