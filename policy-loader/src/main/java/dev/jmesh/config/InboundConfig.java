package dev.jmesh.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code inbound} section: what the mesh does with requests this application's own servers receive
 * (the JDK {@code HttpServer}, servlet containers). Today: local rate limits, answered with 429 and the
 * flag {@code RL} before the application's handler runs (Envoy: the local_ratelimit HTTP filter, with
 * per-route overrides).
 */
public final class InboundConfig extends ConfigValue {

    static final InboundConfig DEFAULT = new InboundConfig(null, Collections.<Route>emptyList());

    private final RateLimitConfig rateLimit;
    private final List<Route> routes;

    InboundConfig(RateLimitConfig rateLimit, List<Route> routes) {
        this.rateLimit = rateLimit;
        this.routes = Collections.unmodifiableList(new ArrayList<Route>(routes));
    }

    /** The limit for requests that no route with a limit of its own takes, or null for none. */
    public RateLimitConfig rateLimit() {
        return rateLimit;
    }

    /** In the order written: the first whose match fits a request takes it. */
    public List<Route> routes() {
        return routes;
    }

    @Override
    Object[] fields() {
        return new Object[] {"rateLimit", rateLimit, "routes", routes.isEmpty() ? null : routes};
    }

    /** {@code inbound.routes[]}: requests that {@link #match()} fits get {@link #rateLimit()}. */
    public static final class Route extends ConfigValue {
        private final int index;
        private final String name;
        private final RouteMatch match;
        private final RateLimitConfig rateLimit;

        Route(int index, String name, RouteMatch match, RateLimitConfig rateLimit) {
            this.index = index;
            this.name = name;
            this.match = match;
            this.rateLimit = rateLimit;
        }

        /** The route's name, or null. */
        public String name() {
            return name;
        }

        /** For the access log: the name, or {@code inbound.routes[i]}. */
        public String label() {
            return name != null ? name : "inbound.routes[" + index + "]";
        }

        /** Same conditions as an outbound route's match; {@code host} is the Host the client addressed. */
        public RouteMatch match() {
            return match;
        }

        /** This route's own limit (a bucket of its own), or null: the section's limit applies. */
        public RateLimitConfig rateLimit() {
            return rateLimit;
        }

        @Override
        Object[] fields() {
            return new Object[] {"index", index, "name", name, "match", match, "rateLimit", rateLimit};
        }
    }
}
