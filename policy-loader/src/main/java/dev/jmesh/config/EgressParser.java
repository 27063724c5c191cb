package dev.jmesh.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** {@code egress: { mode: allow_all | registry_only, allow: ["api.example.com", "*.s3.amazonaws.com:443"] }}. */
final class EgressParser {

    static final List<String> KEYS = Fields.keys("mode", "allow");
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");

    private EgressParser() {
    }

    static EgressConfig parse(Node node, Problems problems) {
        Fields f = Fields.open(node, problems, KEYS);
        if (f == null) {
            return null;
        }
        EgressMode mode = f.choice("mode", EgressMode.BY_NAME, EgressMode.ALLOW_ALL);
        List<String> allow = new ArrayList<String>();
        if (f.has("allow")) {
            Node list = f.get("allow");
            if (!list.is(Node.Kind.LIST)) {
                problems.error(list, list.where() + ": expected a list of host patterns like [api.example.com,"
                        + " \"*.example.com:443\"], got " + list.describe());
                f.fail();
            } else {
                for (Node item : list.items()) {
                    String pattern = hostPattern(item, problems);
                    if (pattern == null) {
                        f.fail();
                    } else if (!allow.contains(pattern)) {
                        allow.add(pattern);
                    }
                }
            }
            if (mode == EgressMode.ALLOW_ALL && f.ok() && !allow.isEmpty()) {
                problems.warn(list, list.where() + ": has no effect with mode allow_all, which lets every host"
                        + " through; set mode: registry_only to allow only these hosts and the mesh's own");
            }
        }
        return f.ok() ? new EgressConfig(mode, allow) : null;
    }

    /** {@code api.example.com}, {@code *.example.com}, {@code 10.0.0.1}, each optionally with {@code :port}. */
    private static String hostPattern(Node n, Problems problems) {
        String text = Values.string(n, problems);
        if (text == null) {
            return null;
        }
        String host = text;
        String port = null;
        int colon = text.lastIndexOf(':');
        if (colon > 0 && text.indexOf(':') == colon) {
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        String bare = host.startsWith("*.") ? host.substring(2) : host;
        boolean ok = !bare.contains("*") && EndpointParser.isHost(bare)
                && (port == null || (PORT.matcher(port).matches() && Integer.parseInt(port) >= 1
                        && Integer.parseInt(port) <= 65535));
        if (!ok) {
            problems.error(n, n.where() + ": '" + text + "' is not a host pattern; write a host name or address,"
                    + " or *.domain, optionally with :port, like api.example.com or \"*.example.com:443\"");
            return null;
        }
        return text;
    }
}
