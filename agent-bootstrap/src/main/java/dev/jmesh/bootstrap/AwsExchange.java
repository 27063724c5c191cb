package dev.jmesh.bootstrap;

/**
 * What the AWS engine needs from the SDK instrumentation beyond a {@link BlockingExchange}. One
 * {@link #attempt} is one whole SDK API call, with every HTTP attempt the SDK's own retry policy makes inside it;
 * {@code timeoutMillis} becomes the call's {@code apiCallTimeout} (the tighter of it and the application's own), so
 * that a timeout surfaces as the SDK's {@code ApiCallTimeoutException}. {@code rejectedException} builds an
 * {@code SdkClientException}.
 *
 * @param <R> the SDK's response (an {@code SdkResponse}, or what a {@code ResponseTransformer} made of it)
 */
public interface AwsExchange<R> extends BlockingExchange<R> {

    /** The AWS request id of the last attempt's answer (response or service error), or null. */
    String requestId();

    /** The HTTP status of the last attempt's final answer, or -1 when none arrived. */
    int lastStatus();

    /** How many HTTP requests the SDK sent during the last {@link #attempt} (its own retries included). */
    int httpAttempts();

    /** host:port of the last HTTP request the SDK sent, or null when it sent none. */
    String lastEndpoint();

    /** Whether {@code failure} is the SDK's timeout ({@code ApiCallTimeoutException}, {@code ApiCallAttemptTimeoutException}). */
    boolean isTimeout(Throwable failure);
}
