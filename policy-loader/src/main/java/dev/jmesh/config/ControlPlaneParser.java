package dev.jmesh.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code controlPlane: { http: { url, interval, tokenFile | tokenEnv, caFile } }} or
 * {@code controlPlane: { xds: { address, nodeId, cluster, metadata } }}, either with an optional
 * {@code cacheFile} (the last good config).
 */
final class ControlPlaneParser {

    static final List<String> KEYS = Fields.keys("http", "xds", "cacheFile");
    static final List<String> HTTP_KEYS = Fields.keys("url", "interval", "tokenFile", "tokenEnv", "caFile");
    static final List<String> XDS_KEYS = Fields.keys("address", "nodeId", "cluster", "metadata");

    private ControlPlaneParser() {
    }

    static ControlPlaneConfig parse(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, KEYS);
        if (f == null) {
            return null;
        }
        String kind = f.oneOf("http", "xds");
        if (kind == null && f.ok()) {
            problems.error(node, node.where() + ": give 'http' (poll a config document) or 'xds' (an xDS server)");
            return null;
        }
        ControlPlaneConfig.Http http = "http".equals(kind) ? f.track(http(f.get("http"), problems)) : null;
        ControlPlaneConfig.Xds xds = "xds".equals(kind) ? f.track(xds(f.get("xds"), problems)) : null;
        String cacheFile = f.string("cacheFile", null);
        return f.ok() ? new ControlPlaneConfig(http, xds, cacheFile) : null;
    }

    private static ControlPlaneConfig.Http http(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, HTTP_KEYS);
        if (f == null) {
            return null;
        }
        Node urlNode = f.require("url");
        String url = urlNode == null ? null : f.track(Values.url(urlNode, problems));
        Duration interval = f.duration("interval", ControlPlaneConfig.Http.DEFAULT_INTERVAL);
        f.oneOf("tokenFile", "tokenEnv");
        String tokenFile = f.string("tokenFile", null);
        String tokenEnv = f.string("tokenEnv", null);
        String caFile = f.string("caFile", null);
        if (url != null && caFile != null && url.regionMatches(true, 0, "http:", 0, 5)) {
            Node at = f.get("caFile");
            problems.warn(at, at.where() + ": has no effect with the plain http:// URL " + url);
        }
        return f.ok() ? new ControlPlaneConfig.Http(url, interval, tokenFile, tokenEnv, caFile) : null;
    }

    private static ControlPlaneConfig.Xds xds(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, XDS_KEYS);
        if (f == null) {
            return null;
        }
        Node addressNode = f.require("address");
        Endpoint address = addressNode == null ? null : f.track(EndpointParser.parse(addressNode, problems));
        String nodeId = f.string("nodeId", null);
        String cluster = f.string("cluster", null);
        Map<String, String> metadata = new LinkedHashMap<String, String>();
        if (f.has("metadata")) {
            Node m = f.get("metadata");
            if (!m.is(Node.Kind.MAP)) {
                problems.error(m, m.where() + ": expected a map of names to values, got " + m.describe());
                f.fail();
            } else {
                for (Map.Entry<String, Node.Entry> e : m.entries().entrySet()) {
                    String value = Values.scalarText(e.getValue().value, problems);
                    if (value == null) {
                        f.fail();
                    } else {
                        metadata.put(e.getKey(), value);
                    }
                }
            }
        }
        return f.ok() ? new ControlPlaneConfig.Xds(address, nodeId, cluster, metadata) : null;
    }
}
