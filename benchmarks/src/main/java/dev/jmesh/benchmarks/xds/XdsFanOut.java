package dev.jmesh.benchmarks.xds;

import dev.jmesh.agent.controlplane.ControlPlane;
import dev.jmesh.config.ConfigInput;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.MeshConfig;
import dev.jmesh.demo.controlplane.SampleControlPlane;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How long one change takes to reach many agents: starts Envoy's java-control-plane (the sample control plane)
 * and N of the agent's xDS clients in this JVM (each with its own node id, gRPC channel, ADS stream and cache
 * file, exactly as N JVMs would have), waits for all to apply version 1, then pushes route-weight changes and
 * records, per client, the time from the push to the moment the client's new config is swapped in.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.jmesh.benchmarks.xds.XdsFanOut [--clients 300] [--changes 5]</pre>
 *
 * A measurement, not a test: it prints the figures and exits 0 when every client converged.
 */
public final class XdsFanOut {
    private XdsFanOut() {
    }

    public static void main(String[] args) throws Exception {
        int clients = 300;
        int changes = 5;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--clients" -> clients = Integer.parseInt(args[i + 1]);
                case "--changes" -> changes = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        PrintStream out = System.out;
        System.setErr(new PrintStream(OutputStream.nullOutputStream())); // one [jmesh] line per client and change
        Path dir = Files.createTempDirectory("xds-fanout");
        try (SampleControlPlane cp = SampleControlPlane.start("127.0.0.1", 0)) {
            cp.serve(mesh(100, 0), "1");
            int[] weightSeen = new int[clients];
            AtomicLongArray appliedAt = new AtomicLongArray(clients);
            CountDownLatch[] latch = {new CountDownLatch(clients)};
            int[] expected = {100};
            long started = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                final int client = i;
                MeshConfig bootstrap = ConfigLoader.parse("service: app-" + i + "\ncontrolPlane:\n  xds: { address: \"127.0.0.1:"
                        + cp.port() + "\", nodeId: app-" + i + " }\n  cacheFile: \"" + dir.resolve("app-" + i + ".json")
                        + "\"\n", "bootstrap").config();
                ControlPlane controlPlane = ControlPlane.of(bootstrap, ConfigInput.none());
                controlPlane.start(config -> {
                    int weight = config.routes().get(0).to().get(0).weight();
                    synchronized (weightSeen) {
                        if (weightSeen[client] != weight && weight == expected[0]) {
                            weightSeen[client] = weight;
                            appliedAt.set(client, System.nanoTime());
                            latch[0].countDown();
                        }
                    }
                });
            }
            if (!latch[0].await(120, TimeUnit.SECONDS)) {
                out.println("FAILED: only " + (clients - latch[0].getCount()) + " of " + clients + " clients got version 1");
                System.exit(1);
            }
            out.printf("%d xDS clients connected and applied version 1 in %d ms%n", clients,
                    (System.nanoTime() - started) / 1_000_000);
            out.println("change  all-applied-ms  p50-ms  p90-ms  p99-ms  max-ms");
            for (int change = 1; change <= changes; change++) {
                int weightA = change % 2 == 1 ? 0 : 100;
                synchronized (weightSeen) {
                    expected[0] = weightA;
                    latch[0] = new CountDownLatch(clients);
                }
                long pushed = System.nanoTime();
                cp.serve(mesh(weightA, 100 - weightA), String.valueOf(change + 1));
                if (!latch[0].await(120, TimeUnit.SECONDS)) {
                    out.println("FAILED: only " + (clients - latch[0].getCount()) + " of " + clients
                            + " clients applied change " + change);
                    System.exit(1);
                }
                long[] millis = new long[clients];
                for (int i = 0; i < clients; i++) {
                    millis[i] = (appliedAt.get(i) - pushed) / 1_000_000;
                }
                Arrays.sort(millis);
                out.printf("%6d  %14d  %6d  %6d  %6d  %6d%n", change, millis[clients - 1], millis[clients / 2],
                        millis[clients * 9 / 10], millis[Math.min(clients - 1, clients * 99 / 100)], millis[clients - 1]);
                Thread.sleep(500);
            }
        }
        System.exit(0); // the clients' threads are daemons, but do not wait for their reconnection attempts
    }

    private static MeshConfig mesh(int weightA, int weightB) throws Exception {
        return ConfigLoader.parse("""
                services:
                  inventory-a: { endpoints: ["127.0.0.1:8081", "127.0.0.1:8082"] }
                  inventory-b: { endpoints: ["127.0.0.1:8083"] }
                routes:
                  - name: to-inventory
                    match: { host: inventory }
                    to: [ { service: inventory-a, weight: %d }, { service: inventory-b, weight: %d } ]
                """.formatted(weightA, weightB), "mesh").config();
    }
}
