package dev.jmesh.agent.engine;

import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.InboundConfig;
import dev.jmesh.config.Mode;
import dev.jmesh.config.RateLimitConfig;
import dev.jmesh.config.RouteMatch;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * The {@code inbound} section of one config, built once: its rate limits as token buckets. The first
 * inbound route whose match fits a request takes it; the route's own limit (a bucket of its own) applies,
 * else the section's. Kept across reloads while the section is unchanged, so buckets keep their state.
 */
final class InboundRuntime {
    private final InboundConfig config;
    private final Limit sectionLimit;
    private final RouteMatch[] matches;
    private final String[] labels;
    private final Limit[] routeLimits;

    InboundRuntime(InboundConfig config, LongSupplier ticker) {
        this.config = config;
        this.sectionLimit = Limit.of(config.rateLimit(), "inbound requests", ticker);
        List<InboundConfig.Route> routes = config.routes();
        this.matches = new RouteMatch[routes.size()];
        this.labels = new String[routes.size()];
        this.routeLimits = new Limit[routes.size()];
        for (int i = 0; i < routes.size(); i++) {
            InboundConfig.Route route = routes.get(i);
            matches[i] = route.match();
            labels[i] = route.label();
            routeLimits[i] = Limit.of(route.rateLimit(), "inbound route '" + route.label() + "'", ticker);
        }
    }

    InboundConfig config() {
        return config;
    }

    /**
     * Takes the request through the route and limit that apply, noting the route and flags in the record.
     *
     * @return the refusal message when the request must be answered 429 without calling the application,
     *         else null
     */
    String admit(OutboundCall request, CallRecord record) {
        Limit limit = sectionLimit;
        for (int i = 0; i < matches.length; i++) {
            if (RouteRuntime.matches(matches[i], request)) {
                record.route(labels[i]);
                if (routeLimits[i] != null) {
                    limit = routeLimits[i];
                }
                break;
            }
        }
        if (limit == null || limit.bucket.tryAcquire()) {
            return null;
        }
        if (limit.shadow) {
            record.flag(ResponseFlags.SHADOW_RATE_LIMITED);
            return null;
        }
        record.flag(ResponseFlags.RATE_LIMITED);
        return limit.message;
    }

    /** One token bucket with its mode and refusal message. */
    private static final class Limit {
        final TokenBucket bucket;
        final boolean shadow;
        final String message;

        private Limit(RateLimitConfig config, String what, LongSupplier ticker) {
            this.bucket = new TokenBucket(config.requestsPerSecond(), config.burst(), ticker);
            this.shadow = config.mode() == Mode.SHADOW;
            this.message = "jmesh: rate limit of " + ServiceRuntime.perSecond(config.requestsPerSecond()) + "/s for "
                    + what + " exceeded\n";
        }

        static Limit of(RateLimitConfig config, String what, LongSupplier ticker) {
            return config == null ? null : new Limit(config, what, ticker);
        }
    }
}
