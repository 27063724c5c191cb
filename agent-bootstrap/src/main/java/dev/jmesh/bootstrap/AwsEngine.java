package dev.jmesh.bootstrap;

/**
 * The part of the engine that serves AWS SDK calls (protocol {@code aws}), implemented by the agent and registered
 * with {@link AwsCalls#install}. Its calls reach it only through {@link AwsCalls}, which keeps the application safe
 * from it.
 */
public interface AwsEngine {

    /**
     * Runs one SDK API call: {@code service} and {@code operation} as the SDK names them ({@code S3},
     * {@code GetObject}); {@code call} describes it for telemetry (protocol {@code aws}, the client's endpoint).
     */
    <R> R call(String service, String operation, OutboundCall call, AwsExchange<R> exchange) throws Exception;
}
