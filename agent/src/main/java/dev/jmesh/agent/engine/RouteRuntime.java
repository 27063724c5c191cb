package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.RequestHeaders;
import dev.jmesh.config.FaultConfig;
import dev.jmesh.config.RouteConfig;
import dev.jmesh.config.RouteMatch;
import dev.jmesh.config.StringMatcher;
import dev.jmesh.config.WeightedService;

import java.io.UnsupportedEncodingException;
import java.net.URLDecoder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One route of a snapshot: its match, where it sends a call (a weighted split across services, or the
 * service the host names), and the route's own timeout, retry and fault, built once.
 */
public final class RouteRuntime {
    private final RouteConfig config;
    private final ServiceRuntime[] targets;
    private final int[] cumulativeWeights;
    /** With no {@code to}: the host's own service, with this route's overrides, by service name. */
    private final Map<String, ServiceRuntime> byHost;

    RouteRuntime(RouteConfig config, Map<String, ServiceRuntime> services) {
        this.config = config;
        List<WeightedService> to = config.to();
        this.targets = new ServiceRuntime[to.size()];
        this.cumulativeWeights = new int[to.size()];
        int total = 0;
        for (int i = 0; i < to.size(); i++) {
            targets[i] = services.get(to.get(i).service()).forRoute(config.timeout(), config.retry());
            total += to.get(i).weight();
            cumulativeWeights[i] = total;
        }
        this.byHost = new HashMap<String, ServiceRuntime>();
        if (to.isEmpty()) {
            for (Map.Entry<String, ServiceRuntime> service : services.entrySet()) {
                byHost.put(service.getKey(), service.getValue().forRoute(config.timeout(), config.retry()));
            }
        }
    }

    String label() {
        return config.label();
    }

    FaultConfig fault() {
        return config.fault();
    }

    /** The service this call goes to (a weighted draw across {@code to}), or null when there is none. */
    ServiceRuntime destination(OutboundCall call) {
        if (targets.length == 0) {
            return byHost.get(call.host());
        }
        if (targets.length == 1) {
            return targets[0];
        }
        int draw = ThreadLocalRandom.current().nextInt(cumulativeWeights[cumulativeWeights.length - 1]);
        for (int i = 0; i < targets.length; i++) {
            if (draw < cumulativeWeights[i]) {
                return targets[i];
            }
        }
        return targets[targets.length - 1];
    }

    boolean matches(OutboundCall call) {
        return matches(config.match(), call);
    }

    /** The one implementation of route matching, shared with {@code explain}. */
    public static boolean matches(RouteMatch match, OutboundCall call) {
        if (!match.matchesHost(call.host())) {
            return false;
        }
        if (match.path() != null && !match.path().matches(call.path())) {
            return false;
        }
        if (!match.methods().isEmpty() && !match.methods().contains(call.method())) {
            return false;
        }
        RequestHeaders headers = call.headers();
        for (Map.Entry<String, StringMatcher> header : match.headers().entrySet()) {
            if (!header.getValue().matches(headers.get(header.getKey()))) {
                return false;
            }
        }
        if (!match.cookies().isEmpty()) {
            String cookieHeader = headers.get("cookie");
            for (Map.Entry<String, StringMatcher> cookie : match.cookies().entrySet()) {
                if (!cookie.getValue().matches(cookie(cookieHeader, cookie.getKey()))) {
                    return false;
                }
            }
        }
        for (Map.Entry<String, StringMatcher> parameter : match.queryParameters().entrySet()) {
            if (!parameter.getValue().matches(queryParameter(call.query(), parameter.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The first value of parameter {@code name} in a raw query string, percent-decoded ("" for a parameter
     * without '='), or null when it is absent or the query cannot be decoded.
     */
    static String queryParameter(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        try {
            for (String pair : rawQuery.split("&")) {
                int equals = pair.indexOf('=');
                String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), "UTF-8");
                if (key.equals(name)) {
                    return equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), "UTF-8");
                }
            }
        } catch (IllegalArgumentException | UnsupportedEncodingException malformed) {
            return null; // the route does not match a query it cannot read
        }
        return null;
    }

    /** The value of cookie {@code name} in a {@code Cookie} request header, or null. */
    static String cookie(String cookieHeader, String name) {
        if (cookieHeader == null) {
            return null;
        }
        for (String pair : cookieHeader.split(";")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).trim().equals(name)) {
                return pair.substring(equals + 1).trim();
            }
        }
        return null;
    }
}
