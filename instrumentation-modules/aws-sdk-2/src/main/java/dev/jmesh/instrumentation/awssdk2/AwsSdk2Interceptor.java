package dev.jmesh.instrumentation.awssdk2;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.AwsCalls;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.awssdk2.AwsSdk2Bridge;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.client.handler.ClientExecutionParams;
import software.amazon.awssdk.core.client.handler.SyncClientHandler;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.ResponseTransformer;

/**
 * Runs synchronous AWS SDK v2 calls through the mesh. The advice in {@link AwsSdk2Module} hands every
 * {@code AwsSyncClientHandler.execute} here; {@link SdkCall} describes the call and makes each attempt the engine
 * asks for as a real, complete SDK call on the application's own client.
 *
 * <p>This class is defined next to the SDK by the agent (one copy per SDK class loader), so it uses the SDK's API
 * directly but never the agent, Byte Buddy or the module class.
 */
public final class AwsSdk2Interceptor implements AwsSdk2Bridge.Interceptor {

    /** Created by the agent's helper factory, once per SDK class loader. */
    public AwsSdk2Interceptor() {
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object execute(Object handler, Object params, Object transformer, boolean withTransformer) {
        SdkCall call;
        OutboundCall described;
        try {
            if (!(handler instanceof SyncClientHandler) || !(params instanceof ClientExecutionParams)
                    || (withTransformer && !(transformer instanceof ResponseTransformer))) {
                return AwsSdk2Bridge.DECLINED;
            }
            call = new SdkCall((SyncClientHandler) handler, (ClientExecutionParams<SdkRequest, ?>) params,
                    (ResponseTransformer) transformer, withTransformer);
            described = call.describe();
        } catch (RuntimeException | LinkageError e) {
            AgentLog.warnOnce("aws-sdk-2-describe:" + e.getClass().getName(), "could not run an AWS SDK call through"
                    + " the mesh (" + e + "); such calls pass through untouched");
            return AwsSdk2Bridge.DECLINED;
        }
        if (described == null) {
            return AwsSdk2Bridge.DECLINED;
        }
        try {
            return AwsCalls.call(call.service(), call.operation(), described, call);
        } catch (RuntimeException e) {
            throw e; // the SDK's own exceptions are unchecked (SdkException)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AbortedException.builder().message("Thread was interrupted").cause(e).build();
        } catch (Exception e) {
            throw SdkClientException.builder().message(e.getMessage()).cause(e).build();
        }
    }
}
