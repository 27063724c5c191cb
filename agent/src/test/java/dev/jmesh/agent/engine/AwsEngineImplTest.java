package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.AwsExchange;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AWS engine: policy lookup by Service.Operation then Service, and what one SDK call's record holds. */
class AwsEngineImplTest {
    private final List<CallRecord> records = Collections.synchronizedList(new ArrayList<CallRecord>());

    private AwsEngineImpl engine(String aws) throws Exception {
        return new AwsEngineImpl(ConfigLoader.parse("aws:\n" + aws, "test.yaml").config(), records::add);
    }

    private static OutboundCall call(String operation) {
        return new OutboundCall("aws", "https", "s3.amazonaws.com", -1, operation, "/", true).withCaller("Test.main:1");
    }

    /** Timeout failures of the scripted SDK. */
    static final class SdkTimeout extends RuntimeException {
        SdkTimeout(String message) {
            super(message);
        }
    }

    /** Refusals the mesh builds (the SDK's SdkClientException in real life). */
    static final class SdkClient extends RuntimeException {
        SdkClient(String message) {
            super(message);
        }
    }

    /** An SDK call answered from a script of (HTTP requests sent, final status, failure or null). */
    static final class Script implements AwsExchange<Object> {
        record Step(int httpRequests, int status, RuntimeException failure) {
        }

        final Deque<Step> steps = new ArrayDeque<>();
        final List<Integer> timeouts = new ArrayList<>();
        final Object result = new Object();
        Step last;
        int ids;

        Script then(int httpRequests, int status, RuntimeException failure) {
            steps.add(new Step(httpRequests, status, failure));
            return this;
        }

        @Override
        public Object attempt(String host, int port, int timeoutMillis) {
            timeouts.add(timeoutMillis);
            last = steps.isEmpty() ? new Step(1, 200, null) : steps.poll();
            ids++;
            if (last.failure != null) {
                throw last.failure;
            }
            return result;
        }

        @Override public String requestId() { return last == null || last.httpRequests == 0 ? null : "REQ" + ids; }
        @Override public int lastStatus() { return last == null ? -1 : last.status; }
        @Override public int httpAttempts() { return last == null ? 0 : last.httpRequests; }
        @Override public String lastEndpoint() { return last == null || last.httpRequests == 0 ? null : "10.0.0.1:443"; }
        @Override public boolean isTimeout(Throwable failure) { return failure instanceof SdkTimeout; }
        @Override public int statusOf(Object response) { return lastStatus(); }
        @Override public void discard(Object response) { }
        @Override public Exception timeoutException(String message) { return new SdkTimeout(message); }
        @Override public Exception rejectedException(String message) { return new SdkClient(message); }
    }

    @Test
    void aCallWithoutPolicyIsRecordedWithTheSdksAttemptsAndRequestId() throws Exception {
        AwsEngineImpl engine = engine("  DynamoDb: { timeout: 1s }\n");
        Script sdk = new Script().then(3, 200, null);
        assertSame(sdk.result, engine.call("S3", "GetObject", call("GetObject"), sdk));
        assertEquals(List.of(0), sdk.timeouts, "no timeout for S3: the SDK's own");
        CallRecord r = records.get(0);
        assertEquals("aws", r.call().protocol());
        assertEquals("S3", r.service());
        assertEquals("aws-api", r.rpcSystem());
        assertEquals("S3", r.rpcService());
        assertEquals("GetObject", r.rpcMethod());
        assertEquals("REQ1", r.requestId());
        assertEquals(3, r.attempts(), "the SDK's own retries are the call's attempts");
        assertEquals("10.0.0.1:443", r.upstream());
        assertEquals(200, r.status());
        assertEquals("-", r.flagsText());
    }

    @Test
    void theOperationsTimeoutWinsOverTheServicesAndATimeoutIsFlaggedUt() throws Exception {
        AwsEngineImpl engine = engine("  S3: { timeout: 30s }\n  S3.GetObject: { timeout: 500ms }\n");
        Script sdk = new Script().then(1, -1, new SdkTimeout("api call timeout")).then(1, 200, null);
        assertThrows(SdkTimeout.class, () -> engine.call("S3", "GetObject", call("GetObject"), sdk));
        engine.call("S3", "PutObject", call("PutObject"), sdk);
        assertTrue(sdk.timeouts.get(0) > 0 && sdk.timeouts.get(0) <= 500, "GetObject: " + sdk.timeouts);
        assertTrue(sdk.timeouts.get(1) > 500 && sdk.timeouts.get(1) <= 30_000, "PutObject: " + sdk.timeouts);
        assertEquals("UT", records.get(0).flagsText());
        assertEquals(-1, records.get(0).status());
        assertEquals(2, sdk.timeouts.size(), "no mesh retry without a retry policy");
    }

    @Test
    void retriesOnlyWhenConfiguredAndOnlyFailures() throws Exception {
        AwsEngineImpl engine = engine("  S3.GetObject: { retry: { maxAttempts: 3, backoff: { base: 1ms, max: 2ms } } }\n");
        Script sdk = new Script().then(4, 500, new RuntimeException("500")).then(1, 200, null);
        assertSame(sdk.result, engine.call("S3", "GetObject", call("GetObject"), sdk));
        assertEquals(5, records.get(0).attempts(), "4 HTTP requests in the first SDK call, 1 in the second");
        Script notFound = new Script().then(1, 404, new RuntimeException("NoSuchKey"));
        assertThrows(RuntimeException.class, () -> engine.call("S3", "GetObject", call("GetObject"), notFound));
        assertEquals(1, notFound.timeouts.size(), "a 404 is the service answering: not retried");
        Script down = new Script().then(1, 503, new RuntimeException("a")).then(1, 503, new RuntimeException("b"))
                .then(1, 503, new RuntimeException("c"));
        assertThrows(RuntimeException.class, () -> engine.call("S3", "GetObject", call("GetObject"), down));
        assertEquals("URX", records.get(2).flagsText());
        assertEquals(3, records.get(2).attempts());
    }

    @Test
    void aBreakerOnTheServiceOpensAndRefusesWithTheLibrarysExceptionNamingJmesh() throws Exception {
        AwsEngineImpl engine = engine("  S3:\n    circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 2,"
                + " openDuration: 60s }\n");
        for (int i = 0; i < 2; i++) {
            Script failing = new Script().then(1, 500, new RuntimeException("InternalError"));
            assertThrows(RuntimeException.class, () -> engine.call("S3", "GetObject", call("GetObject"), failing));
        }
        Script sdk = new Script();
        SdkClient refused = assertThrows(SdkClient.class, () -> engine.call("S3", "PutObject", call("PutObject"), sdk));
        assertEquals("jmesh: circuit breaker open for aws 'S3' (failure rate of at least 50% over 10000ms);"
                + " S3.PutObject fails fast without calling AWS", refused.getMessage());
        assertEquals(List.of(), sdk.timeouts, "never sent");
        CallRecord r = records.get(2);
        assertEquals("UO", r.flagsText());
        assertEquals(0, r.attempts());
        assertNull(r.requestId());
        assertSame(refused, r.failure());
    }

    @Test
    void aRateLimitRefusesOverTheBurstAndShadowModeOnlyFlags() throws Exception {
        AwsEngineImpl engine = engine("  S3.GetObject: { rateLimit: { requestsPerSecond: 0.001, burst: 1 } }\n"
                + "  S3.PutObject: { rateLimit: { requestsPerSecond: 0.001, burst: 1, mode: shadow } }\n");
        engine.call("S3", "GetObject", call("GetObject"), new Script());
        SdkClient limited = assertThrows(SdkClient.class,
                () -> engine.call("S3", "GetObject", call("GetObject"), new Script()));
        assertTrue(limited.getMessage().startsWith("jmesh: rate limit of 0.001/s for aws 'S3.GetObject' exceeded"),
                limited.getMessage());
        assertEquals("RL", records.get(1).flagsText());
        engine.call("S3", "PutObject", call("PutObject"), new Script());
        engine.call("S3", "PutObject", call("PutObject"), new Script());
        assertEquals("~RL", records.get(3).flagsText());
        assertEquals(200, records.get(3).status());
    }

    @Test
    void registryOnlyEgressChecksTheClientsEndpoint() throws Exception {
        AwsEngineImpl engine = new AwsEngineImpl(ConfigLoader.parse("egress: { mode: registry_only, allow:"
                + " [\"*.amazonaws.com:443\"] }\n", "test.yaml").config(), records::add);
        engine.call("S3", "GetObject", call("GetObject"), new Script());
        Script sdk = new Script();
        OutboundCall elsewhere = new OutboundCall("aws", "http", "10.1.2.3", 9000, "GetObject", "/", true)
                .withCaller("Test.main:1");
        SdkClient denied = assertThrows(SdkClient.class, () -> engine.call("S3", "GetObject", elsewhere, sdk));
        assertEquals("jmesh: egress to '10.1.2.3:9000' is not allowed (egress.mode registry_only and no egress.allow"
                + " entry matches); S3.GetObject was not sent", denied.getMessage());
        assertEquals(List.of(), sdk.timeouts);
        assertEquals("-", records.get(0).flagsText());
        assertEquals("NR", records.get(1).flagsText());
    }
}
