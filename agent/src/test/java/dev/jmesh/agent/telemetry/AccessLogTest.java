package dev.jmesh.agent.telemetry;

import dev.jmesh.agent.engine.AwsRecords;
import dev.jmesh.agent.engine.CallRecord;
import dev.jmesh.agent.engine.SyntheticRecords;
import dev.jmesh.agent.engine.TestRecords;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The text access log: one line per record in the documented layout. */
class AccessLogTest {

    @TempDir
    Path dir;

    private List<String> write(String format, List<CallRecord> records) throws Exception {
        Path file = dir.resolve("access-" + format + ".log");
        AccessLog log = AccessLog.start(ConfigLoader.parse("telemetry: { accessLog: { format: " + format
                + ", path: \"" + file + "\" } }\n", "t.yaml").config().telemetry().accessLog());
        records.forEach(log::accept);
        log.close();
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    @Test
    void textLines() throws Exception {
        List<CallRecord> records = TestRecords.outboundAndInbound();
        List<String> lines = write("text", records);
        assertEquals(2, lines.size());
        String trace = records.get(0).traceId();
        Pattern outbound = Pattern.compile("\\[\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\\] \"GET /items/8 HTTP\" 200 URX [0-9.]+ 2"
                + " \"inventory\" \"127.0.0.1:46509\" outbound legacy-shop->inventory route=- trace=" + trace
                + " span=[0-9a-f]{16} caller=dev.jmesh.demo.Shop.main:12 error=-");
        assertTrue(outbound.matcher(lines.get(0)).matches(), lines.get(0));
        String inbound = "\"POST /orders HTTP\" - RL ";
        assertTrue(lines.get(1).contains(inbound), lines.get(1));
        assertTrue(lines.get(1).endsWith(" 0 \"inventory:8080\" \"-\" inbound -->inventory route=orders trace=" + trace
                + " span=" + records.get(1).spanId() + " caller=- error=\"java.io.IOException: broken \\\"pipe\\\"\\nnext\""),
                lines.get(1));
    }

    @Test
    void jsonLinesCarryTheSpanIds() throws Exception {
        List<CallRecord> records = TestRecords.outboundAndInbound();
        List<String> lines = write("json", records);
        assertTrue(lines.get(0).contains("\"direction\":\"outbound\""), lines.get(0));
        assertTrue(lines.get(1).contains("\"direction\":\"inbound\""), lines.get(1));
        assertTrue(lines.get(1).contains("\"parent_span_id\":\"" + records.get(0).spanId() + "\""), lines.get(1));
        assertTrue(lines.get(0).contains("\"parent_span_id\":null"), lines.get(0));
    }

    @Test
    void aRetriedCallListsEveryEndpointItsAttemptsWentToInOrder() throws Exception {
        OutboundCall get = new OutboundCall("http", "http", "inventory", -1, "GET", "/items/1", true);
        List<String> lines = write("json", List.of(
                SyntheticRecords.record(get, CallRecord.DIRECTION_OUTBOUND, "inventory", null, 3, 200, null),
                SyntheticRecords.record(get, CallRecord.DIRECTION_OUTBOUND, "inventory", null, 1, 200, null)));
        assertTrue(lines.get(0).contains("\"attempts\":3,\"upstream\":\"127.0.0.1:8082\","
                + "\"endpoints_tried\":\"127.0.0.1:8080,127.0.0.1:8081,127.0.0.1:8082\""), lines.get(0));
        assertTrue(lines.get(1).contains("\"upstream\":\"127.0.0.1:8080\",\"endpoints_tried\":\"127.0.0.1:8080\""),
                lines.get(1));
    }

    @Test
    void anAwsLineNamesTheRpcAndTheRequestId() throws Exception {
        List<String> lines = write("json", List.of(AwsRecords.s3("GetObject", 3, 200, "4A4D455348000001", null),
                AwsRecords.s3("PutObject", 0, -1, null, new RuntimeException("jmesh: circuit breaker open"))));
        assertTrue(lines.get(0).contains("\"protocol\":\"aws\",\"service\":\"S3\""), lines.get(0));
        assertTrue(lines.get(0).contains("\"rpc_system\":\"aws-api\",\"rpc_service\":\"S3\",\"rpc_method\":\"GetObject\","
                + "\"aws_request_id\":\"4A4D455348000001\",\"status\":200"), lines.get(0));
        assertTrue(lines.get(0).contains("\"attempts\":3,\"upstream\":\"127.0.0.1:9000\""), lines.get(0));
        assertTrue(lines.get(1).contains("\"aws_request_id\":null,\"status\":null"), lines.get(1));
        assertTrue(lines.get(1).contains("\"attempts\":0,\"upstream\":null"), lines.get(1));
    }
}
