package dev.jmesh.agent.controlplane;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.ConfigInput;
import dev.jmesh.config.ControlPlaneConfig;
import dev.jmesh.config.MeshConfig;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The control plane named by the local config's {@code controlPlane} (file, inline or overrides: the
 * <em>bootstrap</em>). A document served over HTTP replaces the whole mesh config; xDS serves services and routes,
 * the rest stays the bootstrap's. This JVM's {@code -Djmesh.*} and {@code JMESH_*} overrides still win over both,
 * and the bootstrap's {@code controlPlane} stays in force. Until the control plane answers, the JVM runs on the
 * last good config it served (the cache file), else on the bootstrap config. See docs/control-plane.md.
 */
public final class ControlPlane {
    private final ControlPlaneConfig config;
    private final String source;
    private final LastGood lastGood;
    private final String service;

    private ControlPlane(ControlPlaneConfig config, String source, LastGood lastGood, String service) {
        this.config = config;
        this.source = source;
        this.lastGood = lastGood;
        this.service = service;
    }

    /** The control plane {@code bootstrap} names, or null when it names none. */
    public static ControlPlane of(MeshConfig bootstrap, ConfigInput overrides) {
        ControlPlaneConfig config = bootstrap.controlPlane();
        if (config == null) {
            return null;
        }
        String source = config.http() != null ? withoutUserInfo(config.http().url())
                : "xds://" + config.xds().address();
        Path cache = config.cacheFile() != null ? Paths.get(config.cacheFile()) : defaultCacheFile(bootstrap, source);
        // xDS serves clusters and routes only: the rest (telemetry, databases, egress) stays the local config's.
        UnaryOperator<MeshConfig> complete = config.http() != null ? UnaryOperator.<MeshConfig>identity()
                : bootstrap::withServicesAndRoutesOf;
        return new ControlPlane(config, source, new LastGood(cache, source, overrides, bootstrap, complete),
                bootstrap.service());
    }

    /** The config to start on: the cached last good one, else {@code bootstrap}. */
    public MeshConfig initial(MeshConfig bootstrap) {
        MeshConfig cached = lastGood.cached();
        if (cached != null) {
            AgentLog.info("control plane " + source + ": starting on the last good config in " + lastGood.cacheFile()
                    + " until it answers");
            return cached;
        }
        return bootstrap;
    }

    /** Starts following the control plane on agent threads; each config it serves goes to {@code apply}. */
    public void start(Consumer<MeshConfig> apply) {
        lastGood.applyTo(apply);
        if (config.http() != null) {
            try {
                new HttpControlPlane(config.http(), source, lastGood, "jmesh/" + version()).start();
            } catch (IOException | RuntimeException e) {
                AgentLog.warn("control plane " + source + " cannot be polled (" + e + "); running on the current config");
            }
        } else {
            // The only reference to the xDS client: its classes (and gRPC's) load only when xDS is configured.
            try {
                XdsClient.start(config.xds(), service, lastGood, version());
            } catch (RuntimeException | LinkageError e) {
                AgentLog.warn("control plane " + source + " cannot be followed (" + e + "); running on the current config");
            }
        }
    }

    private static String version() {
        Properties properties = new Properties();
        try (InputStream in = ControlPlane.class.getResourceAsStream("/dev/jmesh/agent/version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // "unknown" then
        }
        return properties.getProperty("version", "unknown");
    }

    /** {@code ${java.io.tmpdir}/jmesh-<service>-last-good.yaml}; without a service name, a hash of the source. */
    private static Path defaultCacheFile(MeshConfig bootstrap, String source) {
        String name = bootstrap.service() != null ? bootstrap.service().replaceAll("[^A-Za-z0-9._-]", "_")
                : "cp-" + Integer.toHexString(source.hashCode());
        return Paths.get(System.getProperty("java.io.tmpdir"), "jmesh-" + name + "-last-good.yaml");
    }

    private static String withoutUserInfo(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getRawUserInfo() == null) {
                return url;
            }
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getRawPath(), uri.getRawQuery(),
                    null).toString();
        } catch (Exception e) {
            return url;
        }
    }
}
