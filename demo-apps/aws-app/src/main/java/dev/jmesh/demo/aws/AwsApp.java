package dev.jmesh.demo.aws;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * An unmodified AWS SDK v2 application: {@code java -jar aws-app.jar ENDPOINT apache|urlconnection COMMAND...}
 * where a command is {@code put:BUCKET/KEY=VALUE}, {@code get:BUCKET/KEY}, {@code head:BUCKET/KEY},
 * {@code list:BUCKET} or {@code create:BUCKET}, optionally repeated with a suffix {@code *N}. It prints one line per
 * SDK call: {@code OK Operation detail} or {@code ERR Operation ExceptionClass: message}. It uses only API that
 * every SDK 2.x release has (path-style through {@code S3Configuration}), so it builds against old releases too.
 */
public final class AwsApp {

    private AwsApp() {
    }

    public static void main(String[] args) {
        URI endpoint = URI.create(args[0]);
        SdkHttpClient http = "urlconnection".equals(args[1]) ? UrlConnectionHttpClient.builder().build()
                : ApacheHttpClient.builder().build();
        try (S3Client s3 = S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(http)
                .build()) {
            for (int i = 2; i < args.length; i++) {
                String command = args[i];
                int times = 1;
                int star = command.lastIndexOf('*');
                if (star > 0) {
                    times = Integer.parseInt(command.substring(star + 1));
                    command = command.substring(0, star);
                }
                for (int n = 0; n < times; n++) {
                    run(s3, command);
                }
            }
        }
        System.out.println("DONE");
    }

    private static void run(S3Client s3, String command) {
        String verb = command.substring(0, command.indexOf(':'));
        String target = command.substring(verb.length() + 1);
        int slash = target.indexOf('/');
        String bucket = slash < 0 ? target : target.substring(0, slash);
        String rest = slash < 0 ? "" : target.substring(slash + 1);
        String operation = verb;
        try {
            switch (verb) {
                case "create":
                    operation = "CreateBucket";
                    s3.createBucket(b -> b.bucket(bucket));
                    say("OK " + operation + " " + bucket);
                    break;
                case "put": {
                    operation = "PutObject";
                    String key = rest.substring(0, rest.indexOf('='));
                    String value = rest.substring(key.length() + 1);
                    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(value));
                    say("OK " + operation + " " + key);
                    break;
                }
                case "get": {
                    operation = "GetObject";
                    ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(rest));
                    say("OK " + operation + " " + rest + "=" + new String(bytes.asByteArray(), StandardCharsets.UTF_8));
                    break;
                }
                case "head": {
                    operation = "HeadObject";
                    HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(rest));
                    say("OK " + operation + " " + rest + " length=" + head.contentLength());
                    break;
                }
                case "list": {
                    operation = "ListObjectsV2";
                    ListObjectsV2Response list = s3.listObjectsV2(b -> b.bucket(bucket));
                    say("OK " + operation + " " + bucket + " keys=" + list.keyCount());
                    break;
                }
                default:
                    say("ERR " + verb + " unknown command");
            }
        } catch (RuntimeException e) {
            say("ERR " + operation + " " + e.getClass().getName() + ": " + e.getMessage());
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
