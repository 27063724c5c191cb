package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;

/** Finished AWS SDK call records, as {@link AwsEngineImpl} fills them, for tests of the telemetry sinks. */
public final class AwsRecords {
    private AwsRecords() {
    }

    /** {@code S3.operation} to 127.0.0.1:9000 after {@code httpAttempts} HTTP requests of the SDK. */
    public static CallRecord s3(String operation, int httpAttempts, int status, String requestId, Throwable failure) {
        CallRecord r = new CallRecord(new OutboundCall("aws", "http", "127.0.0.1", 9000, operation, "/", true),
                "dev.jmesh.demo.aws.AwsApp.run:81");
        r.service("S3");
        r.rpc(AwsEngineImpl.RPC_SYSTEM, "S3", operation);
        r.attemptsMade(httpAttempts, httpAttempts == 0 ? null : "127.0.0.1:9000");
        r.requestId(requestId);
        r.outcome(status, failure);
        r.finish();
        return r;
    }
}
