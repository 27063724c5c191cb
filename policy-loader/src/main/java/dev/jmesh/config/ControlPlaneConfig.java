package dev.jmesh.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code controlPlane}: where later config snapshots come from besides the file; exactly one of
 * {@link #http()} and {@link #xds()} is set. The agent never needs it to be up: it keeps the last good
 * snapshot.
 */
public final class ControlPlaneConfig extends ConfigValue {

    /** {@code controlPlane.http}: poll a config document over HTTP(S) (ETag, bearer token, TLS). */
    public static final class Http extends ConfigValue {
        public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

        private final String url;
        private final Duration interval;
        private final String tokenFile;
        private final String tokenEnv;
        private final String caFile;

        Http(String url, Duration interval, String tokenFile, String tokenEnv, String caFile) {
            this.url = url;
            this.interval = interval;
            this.tokenFile = tokenFile;
            this.tokenEnv = tokenEnv;
            this.caFile = caFile;
        }

        /** An http:// or https:// URL of a YAML or JSON config document. */
        public String url() {
            return url;
        }

        /** How often the document is polled. */
        public Duration interval() {
            return interval;
        }

        /** A file holding the bearer token (re-read at each poll), or null. */
        public String tokenFile() {
            return tokenFile;
        }

        /** An environment variable holding the bearer token, or null; at most one of the two is set. */
        public String tokenEnv() {
            return tokenEnv;
        }

        /** A PEM file of CA certificates to trust for https, or null for the JVM's trust store. */
        public String caFile() {
            return caFile;
        }

        @Override
        Object[] fields() {
            return new Object[] {"url", url, "interval", interval, "tokenFile", tokenFile, "tokenEnv", tokenEnv,
                "caFile", caFile};
        }
    }

    /** {@code controlPlane.xds}: an xDS v3 (ADS over gRPC) management server. */
    public static final class Xds extends ConfigValue {
        private final Endpoint address;
        private final String nodeId;
        private final String cluster;
        private final Map<String, String> metadata;

        Xds(Endpoint address, String nodeId, String cluster, Map<String, String> metadata) {
            this.address = address;
            this.nodeId = nodeId;
            this.cluster = cluster;
            this.metadata = Collections.unmodifiableMap(new LinkedHashMap<String, String>(metadata));
        }

        /** The server's host:port. */
        public Endpoint address() {
            return address;
        }

        /** The node id sent to the server, or null: the agent makes one (service name, host name, pid). */
        public String nodeId() {
            return nodeId;
        }

        /** The node's cluster, or null: the top-level {@code service}. */
        public String cluster() {
            return cluster;
        }

        /** Node metadata sent to the server, in the order written. */
        public Map<String, String> metadata() {
            return metadata;
        }

        @Override
        Object[] fields() {
            return new Object[] {"address", address, "nodeId", nodeId, "cluster", cluster,
                "metadata", metadata.isEmpty() ? null : metadata};
        }
    }

    private final Http http;
    private final Xds xds;
    private final String cacheFile;

    ControlPlaneConfig(Http http, Xds xds, String cacheFile) {
        this.http = http;
        this.xds = xds;
        this.cacheFile = cacheFile;
    }

    /** Null unless the control plane is polled over HTTP. */
    public Http http() {
        return http;
    }

    /** Null unless the control plane speaks xDS. */
    public Xds xds() {
        return xds;
    }

    /**
     * Where the last good config from the control plane is kept, so that a JVM that starts while the control
     * plane is down runs on it; null: {@code ${java.io.tmpdir}/jmesh-<service>-last-good.yaml}.
     */
    public String cacheFile() {
        return cacheFile;
    }

    @Override
    Object[] fields() {
        return new Object[] {"http", http, "xds", xds, "cacheFile", cacheFile};
    }
}
