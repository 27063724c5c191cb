package dev.jmesh.demo.controlplane;

import dev.jmesh.config.ConfigException;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.MeshConfig;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A sample xDS control plane: Envoy's java-control-plane (ADS, state of the world) serving one snapshot to
 * every node. As a program it serves the services and routes of a mesh.yaml ({@link MeshToEnvoy}) and pushes
 * a new version whenever the file changes:
 *
 * <pre>java -jar demo-apps/control-plane/target/control-plane.jar --config mesh.yaml [--port 18000] [--host 127.0.0.1]</pre>
 *
 * It prints {@code LISTENING <port>}, one {@code SERVING} line per version, and every NACK a client sends.
 */
public final class SampleControlPlane implements AutoCloseable {
    /** Every node gets the same snapshot. */
    private static final String GROUP = "mesh";

    private final SimpleCache<String> cache = new SimpleCache<>(node -> GROUP);
    private final Server server;

    private SampleControlPlane(String host, int port, List<DiscoveryServerCallbacks> callbacks) throws IOException {
        V3DiscoveryServer discovery = new V3DiscoveryServer(callbacks, cache);
        server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .addService(discovery.getAggregatedDiscoveryServiceImpl())
                .build()
                .start();
    }

    /** Starts serving on {@code host:port} (port 0: any free port); callbacks see every request (ACKs, NACKs). */
    public static SampleControlPlane start(String host, int port, DiscoveryServerCallbacks... callbacks) {
        try {
            return new SampleControlPlane(host, port, Arrays.asList(callbacks));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getPort();
    }

    /** Pushes {@code snapshot} to every connected node (and to those that connect later). */
    public void serve(Snapshot snapshot) {
        cache.setSnapshot(GROUP, snapshot);
    }

    /** Serves the services and routes of {@code mesh} as version {@code version}. */
    public void serve(MeshConfig mesh, String version) {
        serve(MeshToEnvoy.snapshot(mesh, version));
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) throws Exception {
        Path config = null;
        int port = 18000;
        String host = "127.0.0.1";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--config" -> config = Path.of(args[i + 1]);
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--host" -> host = args[i + 1];
                default -> usage("unknown option " + args[i]);
            }
        }
        if (config == null || args.length % 2 != 0) {
            usage("--config is required");
        }
        SampleControlPlane cp = start(host, port, new DiscoveryServerCallbacks() {
            @Override
            public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
                if (request.hasErrorDetail()) {
                    System.out.println("NACK from " + request.getNode().getId() + " for " + request.getTypeUrl()
                            + " (keeps version '" + request.getVersionInfo() + "'): " + request.getErrorDetail().getMessage());
                }
            }

            @Override
            public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
            }
        });
        System.out.println("LISTENING " + cp.port());
        byte[] served = null;
        int version = 0;
        while (true) { // the file is small: comparing its bytes twice a second is simplest and reliable
            byte[] now;
            try {
                now = Files.readAllBytes(config);
            } catch (IOException e) {
                now = null;
            }
            if (now != null && !Arrays.equals(now, served)) {
                served = now;
                try {
                    MeshConfig mesh = ConfigLoader.load(config).config();
                    version++;
                    cp.serve(mesh, String.valueOf(version));
                    System.out.println("SERVING version " + version + ": " + mesh.services().size() + " clusters, "
                            + mesh.routes().size() + " routes from " + config);
                } catch (ConfigException e) {
                    System.out.println("NOT SERVING " + config + " (still version " + version + "): " + e.getMessage());
                }
            }
            Thread.sleep(500);
        }
    }

    private static void usage(String problem) {
        System.err.println("control-plane: " + problem);
        System.err.println("usage: java -jar control-plane.jar --config mesh.yaml [--port 18000] [--host 127.0.0.1]");
        System.exit(2);
    }
}
