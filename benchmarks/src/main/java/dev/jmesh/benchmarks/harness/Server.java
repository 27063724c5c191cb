package dev.jmesh.benchmarks.harness;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process the harness starts once and keeps for the whole run: the upstream, the nginx hop, the HAProxy hop.
 * Knows its port and can tell the CPU time and memory of its whole process tree (nginx: master and workers).
 */
final class Server {
    final String name;
    final int port;
    final Process process;
    final String config;

    private Server(String name, int port, Process process, String config) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.config = config;
    }

    static Server start(String name, int port, List<String> command, Path log, String config)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Process process = builder.start();
        Server server = new Server(name, port, process, config);
        server.awaitReady(log);
        return server;
    }

    /** Wraps a process that is already serving (the flaky-upstream JVM, whose port it printed itself). */
    static Server of(String name, int port, Process process, String config) {
        return new Server(name, port, process, config);
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    /** Polls GET /items/1 until it answers 200 (10 s at most). */
    void awaitReady(Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpURLConnection c = (HttpURLConnection) new URL(base() + "/items/1").openConnection(Proxy.NO_PROXY);
                c.setConnectTimeout(500);
                c.setReadTimeout(1000);
                int status = c.getResponseCode();
                (status >= 400 ? c.getErrorStream() : c.getInputStream()).readAllBytes();
                if (status == 200) {
                    return;
                }
                last = "status " + status;
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(50);
        }
        throw new IOException(name + " did not answer GET /items/1 with 200 within 10 s (" + last + "); see " + log);
    }

    List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        pids.add(process.pid());
        process.descendants().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    /** CPU ticks of the process and its children. */
    long cpuTicks() {
        long sum = 0;
        for (long pid : pids()) {
            long ticks = Proc.cpuTicks(pid);
            if (ticks > 0) {
                sum += ticks;
            }
        }
        return sum;
    }

    /** Proportional set size of the process and its children, KiB. */
    long pssKb() {
        long sum = 0;
        for (long pid : pids()) {
            long kb = Proc.pssKb(pid);
            if (kb > 0) {
                sum += kb;
            }
        }
        return sum;
    }

    void stop() {
        List<ProcessHandle> children = new ArrayList<>();
        process.descendants().forEach(children::add);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            child.destroy();
        }
    }
}
