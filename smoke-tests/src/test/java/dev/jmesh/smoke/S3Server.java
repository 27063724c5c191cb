package dev.jmesh.smoke;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small S3-compatible server on 127.0.0.1 (path-style addressing) for the AWS SDK smoke tests, in the test's own
 * JVM (no agent). It speaks the S3 REST wire format for the operations the tests use: CreateBucket
 * ({@code PUT /b}), PutObject ({@code PUT /b/k}, plain or {@code aws-chunked} bodies, as the SDK sends them with
 * trailing checksums), GetObject, HeadObject ({@code GET}/{@code HEAD /b/k}) and ListObjectsV2
 * ({@code GET /b?list-type=2}), with S3's XML error documents ({@code NoSuchKey}, {@code NoSuchBucket},
 * {@code InternalError}) and an {@code x-amz-request-id} on every answer. It ignores signatures.
 *
 * <p>Faults by key prefix: {@code slow-} answers after {@link #SLOW_MILLIS}; {@code fail-} always answers 500
 * InternalError (the SDK retries it). Every request is remembered with the request id it got.
 */
final class S3Server implements AutoCloseable {
    static final long SLOW_MILLIS = 3_000;
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    /** One request as the server answered it. */
    record Served(String method, String path, int status, String requestId) {
    }

    private final HttpServer server;
    private final Map<String, NavigableMap<String, byte[]>> buckets = new ConcurrentHashMap<>();
    private final List<Served> served = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong(0x4A4D455348000000L);

    private S3Server(HttpServer server) {
        this.server = server;
    }

    static S3Server start() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        S3Server s3 = new S3Server(http);
        http.createContext("/", s3::handle);
        http.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "s3-server");
            t.setDaemon(true);
            return t;
        }));
        http.start();
        return s3;
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every request so far, in the order answered. */
    synchronized List<Served> served() {
        return List.copyOf(served);
    }

    /** The requests so far to {@code path} (e.g. {@code /b/k}) with {@code method}. */
    List<Served> served(String method, String path) {
        return served().stream().filter(s -> s.method.equals(method) && s.path.equals(path)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String requestId = HexFormat.of().withUpperCase().toHexDigits(ids.incrementAndGet());
        String method = exchange.getRequestMethod();
        URI uri = exchange.getRequestURI();
        String path = uri.getRawPath();
        int status;
        try {
            byte[] body = readBody(exchange);
            exchange.getResponseHeaders().set("x-amz-request-id", requestId);
            exchange.getResponseHeaders().set("x-amz-id-2", "jmesh-test/" + requestId);
            exchange.getResponseHeaders().set("Server", "jmesh-test-s3");
            String[] parts = path.substring(1).split("/", 2);
            String bucket = decode(parts[0]);
            String key = parts.length > 1 ? decode(parts[1]) : null;
            if (key != null && key.startsWith("slow-")) {
                Thread.sleep(SLOW_MILLIS);
            }
            if (key != null && key.startsWith("fail-")) {
                status = error(exchange, method, 500, "InternalError", "We encountered an internal error. Please try"
                        + " again.", path, requestId);
            } else if (key == null || key.isEmpty()) {
                status = bucketRequest(exchange, method, bucket, uri.getRawQuery(), requestId, path);
            } else {
                status = objectRequest(exchange, method, bucket, key, body, requestId, path);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = -1;
        } catch (RuntimeException e) {
            status = error(exchange, method, 500, "InternalError", String.valueOf(e), path, requestId);
        } finally {
            exchange.close();
        }
        synchronized (this) {
            served.add(new Served(method, path, status, requestId));
        }
    }

    private int bucketRequest(HttpExchange exchange, String method, String bucket, String query, String requestId,
                              String path) throws IOException {
        if ("PUT".equals(method)) {
            buckets.putIfAbsent(bucket, new ConcurrentSkipListMap<>());
            exchange.getResponseHeaders().set("Location", "/" + bucket);
            return send(exchange, 200, null, null);
        }
        NavigableMap<String, byte[]> objects = buckets.get(bucket);
        if (objects == null) {
            return error(exchange, method, 404, "NoSuchBucket", "The specified bucket does not exist", path, requestId);
        }
        if ("GET".equals(method) && query != null && query.contains("list-type=2")) {
            StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
            xml.append("<Name>").append(escape(bucket)).append("</Name><Prefix></Prefix>");
            xml.append("<KeyCount>").append(objects.size()).append("</KeyCount><MaxKeys>1000</MaxKeys>");
            xml.append("<IsTruncated>false</IsTruncated>");
            for (Map.Entry<String, byte[]> object : objects.entrySet()) {
                xml.append("<Contents><Key>").append(escape(object.getKey())).append("</Key>");
                xml.append("<LastModified>2026-01-01T00:00:00.000Z</LastModified>");
                xml.append("<ETag>&quot;").append(etag(object.getValue())).append("&quot;</ETag>");
                xml.append("<Size>").append(object.getValue().length).append("</Size>");
                xml.append("<StorageClass>STANDARD</StorageClass></Contents>");
            }
            xml.append("</ListBucketResult>");
            return send(exchange, 200, "application/xml", xml.toString().getBytes(StandardCharsets.UTF_8));
        }
        return error(exchange, method, 405, "MethodNotAllowed", "The specified method is not allowed", path,
                requestId);
    }

    private int objectRequest(HttpExchange exchange, String method, String bucket, String key, byte[] body,
                              String requestId, String path) throws IOException {
        NavigableMap<String, byte[]> objects = buckets.get(bucket);
        if (objects == null) {
            return error(exchange, method, 404, "NoSuchBucket", "The specified bucket does not exist", path, requestId);
        }
        switch (method) {
            case "PUT": {
                byte[] content = isAwsChunked(exchange) ? decodeAwsChunked(body) : body;
                objects.put(key, content);
                exchange.getResponseHeaders().set("ETag", "\"" + etag(content) + "\"");
                return send(exchange, 200, null, null);
            }
            case "GET":
            case "HEAD": {
                byte[] content = objects.get(key);
                if (content == null) {
                    return error(exchange, method, 404, "NoSuchKey", "The specified key does not exist.", path,
                            requestId);
                }
                exchange.getResponseHeaders().set("ETag", "\"" + etag(content) + "\"");
                exchange.getResponseHeaders().set("Last-Modified", HTTP_DATE.format(ZonedDateTime.of(2026, 1, 1, 0, 0,
                        0, 0, ZoneOffset.UTC)));
                exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
                if ("HEAD".equals(method)) {
                    exchange.getResponseHeaders().set("Content-Length", Integer.toString(content.length));
                    exchange.getResponseHeaders().set("Content-Type", "binary/octet-stream");
                    exchange.sendResponseHeaders(200, -1);
                    return 200;
                }
                return send(exchange, 200, "binary/octet-stream", content);
            }
            default:
                return error(exchange, method, 405, "MethodNotAllowed", "The specified method is not allowed", path,
                        requestId);
        }
    }

    private static boolean isAwsChunked(HttpExchange exchange) {
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        String sha = exchange.getRequestHeaders().getFirst("x-amz-content-sha256");
        return (encoding != null && encoding.contains("aws-chunked")) || (sha != null && sha.startsWith("STREAMING-"));
    }

    /** {@code hex[;chunk-signature=..]\r\n data \r\n ... 0[;..]\r\n trailers \r\n\r\n} to the data. */
    static byte[] decodeAwsChunked(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < body.length) {
            int lineEnd = indexOfCrlf(body, i);
            if (lineEnd < 0) {
                throw new IllegalArgumentException("aws-chunked body without a chunk header at " + i);
            }
            String header = new String(body, i, lineEnd - i, StandardCharsets.US_ASCII);
            int semicolon = header.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? header : header.substring(0, semicolon)).trim(), 16);
            i = lineEnd + 2;
            if (size == 0) {
                break; // trailers (checksums) follow; not needed here
            }
            out.write(body, i, size);
            i += size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int error(HttpExchange exchange, String method, int status, String code, String message,
                             String resource, String requestId) throws IOException {
        if ("HEAD".equals(method)) {
            exchange.sendResponseHeaders(status, -1);
            return status;
        }
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>"
                + escape(message) + "</Message><Resource>" + escape(resource) + "</Resource><RequestId>" + requestId
                + "</RequestId></Error>";
        return send(exchange, status, "application/xml", xml.getBytes(StandardCharsets.UTF_8));
    }

    private static int send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        if (body == null || body.length == 0) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        return status;
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return in.readAllBytes();
        }
    }

    private static String decode(String raw) {
        return java.net.URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String etag(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
