package dev.jmesh.benchmarks.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts the upstream and the two sidecar stand-ins, each with a config generated into the work directory and
 * bound to 127.0.0.1. Both proxies are set up like a sidecar that does what set-up (b) asks of jmesh: keep-alive
 * to the upstream, per-try timeout, up to 3 attempts on connect failure / timeout / 502-504, passive ejection
 * (nginx {@code max_fails}), and an access log (buffered like Envoy's; HAProxy writes each line to stdout, its
 * only file-less log target).
 */
final class Servers {
    private Servers() {
    }

    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", command));
    }

    static String executable(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return Path.of(dir, command).toString();
            }
        }
        return Path.of("/usr/sbin", command).toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** nginx answering {@code GET /items/<id>} itself with a small JSON body, as flaky-upstream does. */
    static Server nginxUpstream(Path work) throws IOException, InterruptedException {
        int port = freePort();
        Path dir = Files.createDirectories(work.resolve("nginx-upstream"));
        String config = ""
                + (isRoot() ? "user nobody nogroup;\n" : "")
                + "worker_processes 1;\n"
                + "daemon off;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + dir.resolve("error.log") + " warn;\n"
                + "events { worker_connections 4096; }\n"
                + "http {\n"
                + "  access_log off;\n"
                + "  keepalive_requests 1000000;\n"
                + "  keepalive_timeout 75s;\n"
                + "  server {\n"
                + "    listen 127.0.0.1:" + port + " backlog=1024;\n"
                + "    location ~ ^/items/([A-Za-z0-9_-]+)$ {\n"
                + "      default_type application/json;\n"
                + "      add_header X-Upstream-Name upstream;\n"
                + "      return 200 '{\"id\":\"$1\",\"name\":\"item-$1\",\"upstream\":\"upstream\"}';\n"
                + "    }\n"
                + "    location / { return 404; }\n"
                + "  }\n"
                + "}\n";
        return nginx("nginx returning a fixed JSON body", port, dir, config);
    }

    /** The demo upstream, flaky-upstream, with no faults (it sets TCP_NODELAY). */
    static Server flakyUpstream(String java, Path jar, Path work) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(java, "-jar", jar.toString(), "--port", "0", "--name", "upstream")
                .redirectError(work.resolve("flaky-upstream.err").toFile())
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("LISTENING ")) {
            process.destroyForcibly();
            throw new IOException("flaky-upstream did not print LISTENING: " + line);
        }
        int port = Integer.parseInt(line.substring("LISTENING ".length()).trim());
        Server server = Server.of("demo-apps/flaky-upstream, no faults", port, process, "java -jar " + jar + " --port 0");
        server.awaitReady(work.resolve("flaky-upstream.err"));
        return server;
    }

    /** nginx as a reverse-proxy hop in front of the upstream. */
    static Server nginxProxy(Path work, int upstreamPort, int workers) throws IOException, InterruptedException {
        int port = freePort();
        Path dir = Files.createDirectories(work.resolve("nginx-proxy"));
        String config = ""
                + (isRoot() ? "user nobody nogroup;\n" : "")
                + "worker_processes " + workers + ";\n"
                + "daemon off;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + dir.resolve("error.log") + " warn;\n"
                + "events { worker_connections 4096; }\n"
                + "http {\n"
                + "  access_log " + dir.resolve("access.log") + " combined buffer=64k flush=1s;\n"
                + "  keepalive_requests 1000000;\n"
                + "  keepalive_timeout 75s;\n"
                + "  upstream inventory {\n"
                + "    server 127.0.0.1:" + upstreamPort + " max_fails=5 fail_timeout=10s;\n"
                + "    keepalive 64;\n"
                + "    keepalive_requests 1000000;\n"
                + "  }\n"
                + "  server {\n"
                + "    listen 127.0.0.1:" + port + " backlog=1024;\n"
                + "    location / {\n"
                + "      proxy_pass http://inventory;\n"
                + "      proxy_http_version 1.1;\n"
                + "      proxy_set_header Connection \"\";\n"
                + "      proxy_connect_timeout 1s;\n"
                + "      proxy_read_timeout 1s;\n"
                + "      proxy_send_timeout 1s;\n"
                + "      proxy_next_upstream error timeout http_502 http_503 http_504;\n"
                + "      proxy_next_upstream_tries 3;\n"
                + "      proxy_next_upstream_timeout 2s;\n"
                + "    }\n"
                + "  }\n"
                + "}\n";
        return nginx("nginx hop", port, dir, config);
    }

    private static Server nginx(String name, int port, Path dir, String config) throws IOException, InterruptedException {
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, config);
        String nginx = executable("nginx");
        // -e: the error log before the config is read (else nginx tries /var/log/nginx); -p: temp dirs go here.
        return Server.start(name, port,
                List.of(nginx, "-e", dir.resolve("error.log").toString(), "-p", dir + "/", "-c", file.toString()),
                dir.resolve("stdout.log"), config);
    }

    /** HAProxy as a reverse-proxy hop in front of the upstream. */
    static Server haproxy(Path work, int upstreamPort, int threads) throws IOException, InterruptedException {
        int port = freePort();
        Path dir = Files.createDirectories(work.resolve("haproxy"));
        String config = ""
                + "global\n"
                + "  nbthread " + threads + "\n"
                + "  maxconn 4096\n"
                + "  log stdout format raw local0 info\n"
                + "defaults\n"
                + "  mode http\n"
                + "  log global\n"
                + "  option httplog\n"
                + "  option http-keep-alive\n"
                + "  timeout connect 1s\n"
                + "  timeout client 30s\n"
                + "  timeout server 1s\n"
                + "  timeout http-keep-alive 75s\n"
                + "  retries 2\n"
                + "  retry-on conn-failure empty-response response-timeout 502 503 504\n"
                + "frontend inventory_in\n"
                + "  bind 127.0.0.1:" + port + "\n"
                + "  default_backend inventory\n"
                + "backend inventory\n"
                + "  http-reuse always\n"
                + "  server upstream 127.0.0.1:" + upstreamPort + " maxconn 1000\n";
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, config);
        String haproxy = executable("haproxy");
        // -db: foreground; the access log (stdout) goes to access.log.
        return Server.start("HAProxy hop", port, List.of(haproxy, "-db", "-f", file.toString()),
                dir.resolve("access.log"), config);
    }

    /** First line a command prints about its version (nginx prints to stderr). */
    static String version(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(10, TimeUnit.SECONDS);
            String first = text.lines().findFirst().orElse("").trim();
            return first.isEmpty() ? "unknown" : first;
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
