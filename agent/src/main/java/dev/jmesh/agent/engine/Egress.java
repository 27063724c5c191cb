package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.EgressConfig;
import dev.jmesh.config.EgressMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The egress policy for calls to hosts that are not mesh services: {@code allow_all}, or
 * {@code registry_only} with an allow list of host patterns ({@code api.example.com},
 * {@code *.example.com}, an address; each optionally {@code :port}).
 */
final class Egress {
    private final boolean registryOnly;
    private final List<String[]> allowed = new ArrayList<String[]>();

    Egress(EgressConfig config) {
        this.registryOnly = config != null && config.mode() == EgressMode.REGISTRY_ONLY;
        if (config != null) {
            for (String pattern : config.allow()) {
                int colon = pattern.lastIndexOf(':');
                boolean hasPort = colon > 0 && pattern.indexOf(']') < colon && pattern.indexOf(':') == colon;
                allowed.add(new String[] {
                        (hasPort ? pattern.substring(0, colon) : pattern).toLowerCase(Locale.ROOT),
                        hasPort ? pattern.substring(colon + 1) : null});
            }
        }
    }

    boolean allows(OutboundCall call) {
        if (!registryOnly) {
            return true;
        }
        String host = call.host().toLowerCase(Locale.ROOT);
        int port = call.port() >= 0 ? call.port() : ("https".equals(call.scheme()) ? 443 : 80);
        for (String[] pattern : allowed) {
            boolean hostMatches = pattern[0].startsWith("*.")
                    ? host.endsWith(pattern[0].substring(1)) && host.length() > pattern[0].length() - 1
                    : pattern[0].equals(host);
            if (hostMatches && (pattern[1] == null || pattern[1].equals(String.valueOf(port)))) {
                return true;
            }
        }
        return false;
    }
}
