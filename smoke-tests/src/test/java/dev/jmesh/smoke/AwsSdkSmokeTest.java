package dev.jmesh.smoke;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AWS SDK for Java v2 (sync S3 client) in a real JVM with the agent, against {@link S3Server} on loopback: each SDK
 * API call is one access-log record with protocol {@code aws} (none from the SDK's HTTP client underneath, Apache or
 * URLConnection, although jmesh instruments both), with the service, the operation and the request id the server
 * issued; the SDK's own retries are the record's attempts; a per-operation timeout cuts the call with the SDK's
 * {@code ApiCallTimeoutException}; an open breaker refuses calls with an {@code SdkClientException} naming jmesh.
 */
class AwsSdkSmokeTest {
    private static final Duration WITHIN = Duration.ofSeconds(120);

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @TempDir
    Path dir;

    private S3Server s3;

    @BeforeEach
    void startServer() throws Exception {
        s3 = S3Server.start();
    }

    @AfterEach
    void stopServer() {
        s3.close();
    }

    @Test
    void eachSdkCallIsOneAwsRecordWithItsRequestIdAndTheSdksRetriesAsAttempts() {
        Path accessLog = dir.resolve("access.log");
        // GetObject's timeout sits well below the slow- keys' 3 s answer and well above a cold JVM's first GetObject
        // on a loaded machine (700ms once cut that one too).
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                aws:
                  S3: { timeout: 60s }
                  S3.GetObject: { timeout: 1500ms }
                """ + MeshYaml.accessLog(accessLog));
        JavaProcess app = run("apache", config, "create:shop", "put:shop/k1=v1", "get:shop/k1", "head:shop/k1",
                "list:shop", "get:shop/slow-1", "get:shop/fail-1", "put:shop/fail-2=x");
        assertEquals(0, app.awaitExit(WITHIN), app.describe());
        List<String> out = app.stdoutLines();
        assertEquals("OK CreateBucket shop", out.get(0), app.describe());
        assertEquals("OK PutObject k1", out.get(1));
        assertEquals("OK GetObject k1=v1", out.get(2));
        assertEquals("OK HeadObject k1 length=2", out.get(3));
        assertEquals("OK ListObjectsV2 shop keys=1", out.get(4));
        assertTrue(out.get(5).startsWith("ERR GetObject software.amazon.awssdk.core.exception.ApiCallTimeoutException"),
                "the per-operation timeout cuts the call with the SDK's own exception: " + out.get(5));
        assertTrue(out.get(6).startsWith("ERR GetObject software.amazon.awssdk.services.s3.model.S3Exception"),
                out.get(6));
        assertTrue(out.get(7).startsWith("ERR PutObject software.amazon.awssdk.services.s3.model.S3Exception"),
                out.get(7));

        List<AccessLogFile.Entry> entries = AccessLogFile.read(accessLog);
        assertEquals(8, entries.size(), "one record per SDK call, none from the HTTP client underneath: " + entries);
        List<String> operations = new ArrayList<>();
        for (AccessLogFile.Entry e : entries) {
            assertEquals("aws", e.protocol(), e.line());
            assertEquals("outbound", e.direction(), e.line());
            assertEquals("S3", e.service(), e.line());
            assertEquals("aws-api", e.text("rpc_system"), e.line());
            assertEquals("S3", e.text("rpc_service"), e.line());
            assertEquals(e.method(), e.text("rpc_method"), e.line());
            assertEquals(s3.address(), e.authority(), e.line());
            assertTrue(e.caller().startsWith("dev.jmesh.demo.aws.AwsApp."), "the app's frame: " + e.line());
            operations.add(e.method());
        }
        assertEquals(List.of("CreateBucket", "PutObject", "GetObject", "HeadObject", "ListObjectsV2", "GetObject",
                "GetObject", "PutObject"), operations);

        for (int i = 0; i < 5; i++) {
            AccessLogFile.Entry e = entries.get(i);
            assertEquals(200L, e.status(), e.line());
            assertEquals(1, e.attempts(), e.line());
            assertEquals(s3.address(), e.upstream(), e.line());
            assertEquals(List.of(), e.flags(), e.line());
            assertTrue(requestIds().contains(e.text("aws_request_id")), "an id the server issued: " + e.line());
        }
        assertEquals(lastId("GET", "/shop/k1"), entries.get(2).text("aws_request_id"));
        assertEquals(lastId("HEAD", "/shop/k1"), entries.get(3).text("aws_request_id"));

        AccessLogFile.Entry slow = entries.get(5);
        assertEquals(List.of("UT"), slow.flags(), slow.line());
        assertNull(slow.status(), slow.line());
        assertTrue(slow.error().contains("ApiCallTimeoutException"), slow.line());

        AccessLogFile.Entry failedGet = entries.get(6);
        int sent = s3.served("GET", "/shop/fail-1").size();
        assertTrue(sent > 1, "the SDK retried a 500 itself: " + s3.served());
        assertEquals(sent, failedGet.attempts(), "every HTTP request the SDK sent is an attempt: " + failedGet.line());
        assertEquals(500L, failedGet.status(), failedGet.line());
        assertEquals(lastId("GET", "/shop/fail-1"), failedGet.text("aws_request_id"));
        assertEquals(List.of(), failedGet.flags(), "no mesh retry configured: " + failedGet.line());

        AccessLogFile.Entry failedPut = entries.get(7);
        assertEquals(s3.served("PUT", "/shop/fail-2").size(), failedPut.attempts(), failedPut.line());
    }

    @Test
    void anOpenBreakerRefusesSdkCallsWithAnSdkClientExceptionNamingJmesh() {
        Path accessLog = dir.resolve("access.log");
        Path config = MeshYaml.write(dir, "mesh.yaml", """
                aws:
                  S3.GetObject:
                    circuitBreaker: { failureRateThreshold: 50%, minimumCalls: 2, window: 60s, openDuration: 60s }
                """ + MeshYaml.accessLog(accessLog));
        JavaProcess app = run("urlconnection", config, "create:shop", "put:shop/k1=v1", "get:shop/fail-1*2",
                "get:shop/k1*2", "head:shop/k1");
        assertEquals(0, app.awaitExit(WITHIN), app.describe());
        List<String> out = app.stdoutLines();
        assertEquals("OK CreateBucket shop", out.get(0), app.describe());
        assertEquals("OK PutObject k1", out.get(1));
        assertTrue(out.get(2).startsWith("ERR GetObject software.amazon.awssdk.services.s3.model.S3Exception"), out.get(2));
        assertTrue(out.get(3).startsWith("ERR GetObject software.amazon.awssdk.services.s3.model.S3Exception"), out.get(3));
        for (int i = 4; i < 6; i++) {
            assertTrue(out.get(i).startsWith("ERR GetObject software.amazon.awssdk.core.exception.SdkClientException:"
                    + " jmesh: circuit breaker open for aws 'S3.GetObject'"), out.get(i));
        }
        assertEquals("OK HeadObject k1 length=2", out.get(6), "the breaker is the operation's, not the service's");
        assertEquals(List.of(), s3.served("GET", "/shop/k1"), "refused calls never reach the server");

        List<AccessLogFile.Entry> entries = AccessLogFile.read(accessLog);
        assertEquals(7, entries.size(), "one record per SDK call, none from HttpURLConnection underneath: " + entries);
        for (AccessLogFile.Entry e : entries) {
            assertEquals("aws", e.protocol(), e.line());
        }
        for (int i = 4; i < 6; i++) {
            AccessLogFile.Entry refused = entries.get(i);
            assertEquals(List.of("UO"), refused.flags(), refused.line());
            assertEquals(0, refused.attempts(), refused.line());
            assertNull(refused.text("aws_request_id"), refused.line());
        }
    }

    @Test
    void theAppPrintsTheSameWithAndWithoutTheAgent() {
        JavaProcess plain = run("apache", null, "create:b", "put:b/k=v", "get:b/k", "list:b", "get:b/missing");
        assertEquals(0, plain.awaitExit(WITHIN), plain.describe());
        JavaProcess meshed = run("apache", MeshYaml.write(dir, "mesh.yaml", "aws: { S3: { timeout: 30s } }\n"),
                "create:b2", "put:b2/k=v", "get:b2/k", "list:b2", "get:b2/missing");
        assertEquals(0, meshed.awaitExit(WITHIN), meshed.describe());
        assertEquals(plain.stdout().replace("b2", "b").replaceAll("[0-9A-F]{16}", "ID"),
                meshed.stdout().replace("b2", "b").replaceAll("[0-9A-F]{16}", "ID"));
    }

    /** Issue #11's failure drill for SDK calls: whatever stage of the agent fails, the app runs as without it. */
    @ParameterizedTest(name = "failing at {0}")
    @ValueSource(strings = {"config", "routing", "policy", "telemetry"})
    void aFailingStageLeavesTheAppAsWithoutTheAgent(String stage) {
        String plainBucket = "plain-" + stage;
        String drilledBucket = "drilled-" + stage;
        JavaProcess plain = run("apache", null, "create:" + plainBucket, "put:" + plainBucket + "/k=v",
                "get:" + plainBucket + "/k", "get:" + plainBucket + "/missing");
        assertEquals(0, plain.awaitExit(WITHIN), plain.describe());
        Path config = MeshYaml.write(dir, "mesh.yaml", "aws: { S3: { timeout: 30s, circuitBreaker: { minimumCalls: 2 } } }\n"
                + MeshYaml.accessLog(dir.resolve("access.log")));
        JavaProcess drilled = processes.javaJar("aws-app", List.of("-javaagent:" + SmokeEnv.agentJar(),
                "-Djmesh.config=" + config, "-Djmesh.agent.test.failAt=" + stage), SmokeEnv.awsAppJar(),
                List.of(s3.endpoint(), "apache", "create:" + drilledBucket, "put:" + drilledBucket + "/k=v",
                        "get:" + drilledBucket + "/k", "get:" + drilledBucket + "/missing"), dir);
        assertEquals(0, drilled.awaitExit(WITHIN), drilled.describe());
        assertEquals(plain.stdout().replace(plainBucket, "B").replaceAll("[0-9A-F]{16}", "ID"),
                drilled.stdout().replace(drilledBucket, "B").replaceAll("[0-9A-F]{16}", "ID"), drilled.describe());
        List<String> jmesh = drilled.stderrLines().stream().filter(l -> l.startsWith("[jmesh]")).toList();
        assertFalse(jmesh.isEmpty(), "the drill fired and was reported\n" + drilled.describe());
        assertTrue(jmesh.stream().allMatch(l -> l.startsWith("[jmesh] WARN")), drilled.describe());
    }

    private List<String> requestIds() {
        return s3.served().stream().map(S3Server.Served::requestId).toList();
    }

    private String lastId(String method, String path) {
        List<S3Server.Served> served = s3.served(method, path);
        return served.get(served.size() - 1).requestId();
    }

    private JavaProcess run(String httpClient, Path config, String... commands) {
        List<String> jvmArgs = config == null ? List.of()
                : List.of("-javaagent:" + SmokeEnv.agentJar(), "-Djmesh.config=" + config);
        List<String> args = new ArrayList<>(List.of(s3.endpoint(), httpClient));
        args.addAll(List.of(commands));
        return processes.javaJar("aws-app", jvmArgs, SmokeEnv.awsAppJar(), args, dir);
    }
}
