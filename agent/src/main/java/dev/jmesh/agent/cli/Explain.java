package dev.jmesh.agent.cli;

import dev.jmesh.agent.engine.RouteRuntime;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.config.AwsPolicy;
import dev.jmesh.config.CircuitBreakerConfig;
import dev.jmesh.config.EgressMode;
import dev.jmesh.config.RateLimitConfig;
import dev.jmesh.config.OutlierDetectionConfig;
import dev.jmesh.config.Mode;
import dev.jmesh.config.HealthCheckConfig;
import dev.jmesh.config.FaultConfig;
import dev.jmesh.config.ConfigException;
import dev.jmesh.config.ConfigInput;
import dev.jmesh.config.ConfigLoader;
import dev.jmesh.config.DatabaseConfig;
import dev.jmesh.config.StatementPolicy;
import dev.jmesh.config.Endpoint;
import dev.jmesh.config.LoadResult;
import dev.jmesh.config.Problem;
import dev.jmesh.config.RetryConfig;
import dev.jmesh.config.RetryOn;
import dev.jmesh.config.RouteConfig;
import dev.jmesh.config.ServiceConfig;
import dev.jmesh.config.WeightedService;
import dev.jmesh.instrumentation.Http;

import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code explain FILE TARGET}: what the mesh would do with a call to TARGET under the config in FILE
 * (plus the {@code -Djmesh.*} / {@code JMESH_*} overrides of the CLI's own JVM, as the agent would see
 * them): which service it goes to, its endpoints, and every policy with its effective value and where
 * that value came from.
 */
final class Explain {
    private final LoadResult result;
    private final PrintStream out;

    private Explain(LoadResult result, PrintStream out) {
        this.result = result;
        this.out = out;
    }

    static int run(String file, String target, PrintStream out, PrintStream err) {
        if (target.regionMatches(true, 0, "aws:", 0, 4)) {
            String call = target.substring(4);
            int dot = call.indexOf('.');
            if (dot <= 0 || dot == call.length() - 1) {
                err.println("jmesh: '" + target + "' is not an AWS SDK call; try aws:S3.GetObject");
                return 2;
            }
            LoadResult result = load(file, err);
            if (result == null) {
                return 1;
            }
            new Explain(result, out).explainAws(call.substring(0, dot), call.substring(dot + 1));
            return 0;
        }
        if (target.regionMatches(true, 0, "jdbc:", 0, 5)) {
            LoadResult result = load(file, err);
            if (result == null) {
                return 1;
            }
            new Explain(result, out).explainDatabase(target);
            return 0;
        }
        URI uri;
        try {
            uri = new URI(target);
        } catch (URISyntaxException e) {
            err.println("jmesh: '" + target + "' is not a URL (" + e.getReason() + "); try http://inventory/items/1");
            return 2;
        }
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            err.println("jmesh: '" + target + "' is not an http:// or https:// URL with a host");
            return 2;
        }
        LoadResult result = load(file, err);
        if (result == null) {
            return 1;
        }
        new Explain(result, out).explain(uri);
        return 0;
    }

    /** The config as the agent would see it, or null after printing its problems. */
    private static LoadResult load(String file, PrintStream err) {
        try {
            return ConfigLoader.load(ConfigInput.builder()
                    .file(Paths.get(file))
                    .systemProperties(systemProperties())
                    .environment(System.getenv())
                    .build());
        } catch (ConfigException e) {
            for (Problem problem : e.problems()) {
                err.println(problem);
            }
            return null;
        }
    }

    /**
     * A JDBC URL: the first {@code databases} entry whose {@code match} fits, and its policies. The URL itself is
     * not echoed (it may hold a password).
     */
    private void explainDatabase(String jdbcUrl) {
        DatabaseConfig database = null;
        for (DatabaseConfig candidate : result.config().databases().values()) {
            if (candidate.matches(jdbcUrl)) {
                database = candidate;
                break;
            }
        }
        if (database == null) {
            row("database", "none: no databases entry matches; connections and statements run as the application"
                    + " makes them (still logged, protocol jdbc)");
            return;
        }
        String at = "databases." + database.name() + ".";
        line("database", database.name() + " (first match: \"" + database.match() + "\")", at + "match");
        List<String> endpoints = new ArrayList<String>();
        for (Endpoint endpoint : database.endpoints()) {
            endpoints.add(endpoint.toString());
        }
        line("endpoints", endpoints.isEmpty() ? "the URL's own server"
                : String.join(", ", endpoints) + " (healthy first; the next on a connect failure)", at + "endpoints");
        line("connectTimeout", database.connectTimeout() == null ? "the driver's" : duration(database.connectTimeout()),
                at + "connectTimeout");
        RetryConfig retry = database.retry();
        line("retry", retry == null ? "none: one pass over the endpoints" : retry.maxAttempts()
                + " passes over the endpoints, back-off " + duration(retry.backoffBase()) + " doubling to "
                + duration(retry.backoffMax()) + (retry.mode() == Mode.SHADOW ? "; shadow" : "")
                + "; connections only (statements: see statements[].retry)", at + "retry.maxAttempts");
        CircuitBreakerConfig breaker = database.circuitBreaker();
        line("circuitBreaker", breaker == null ? "none" : "opens at " + Math.round(breaker.failureRateThreshold() * 100)
                + "% failed connects and statements (connection failures, timeouts) over " + duration(breaker.window())
                + ", min " + breaker.minimumCalls() + " calls, open " + duration(breaker.openDuration())
                + (breaker.mode() == Mode.SHADOW ? "; shadow: records, never rejects" : ""),
                at + "circuitBreaker.failureRateThreshold");
        if (breaker != null && breaker.slowCallRateThreshold() != null) {
            line("slow calls", "opens at " + Math.round(breaker.slowCallRateThreshold() * 100)
                    + "% connects and statements slower than " + duration(breaker.slowCallDuration()),
                    at + "circuitBreaker.slowCallRateThreshold");
        }
        line("queryTimeout", database.queryTimeout() == null ? "none" : duration(database.queryTimeout()),
                at + "queryTimeout");
        for (int i = 0; i < database.statements().size(); i++) {
            StatementPolicy policy = database.statements().get(i);
            RetryConfig reads = policy.retry();
            line("statements[" + i + "]", (policy.verb() == null ? "any verb" : policy.verb()) + " on "
                    + (policy.table() == null ? "any table" : policy.table()) + ": "
                    + (policy.queryTimeout() == null ? "" : "queryTimeout " + duration(policy.queryTimeout())
                            + (reads == null ? "" : ", "))
                    + (reads == null ? "" : "reads outside a transaction retried on transient SQLStates, "
                            + reads.maxAttempts() + " attempts")
                    + (policy.mode() == Mode.SHADOW ? " (shadow: flags only)" : ""),
                    at + "statements[" + i + (policy.queryTimeout() == null ? "].retry" : "].queryTimeout"));
        }
    }

    /** An AWS SDK call: each policy from aws.Service.Operation when it sets it, else from aws.Service. */
    private void explainAws(String service, String operation) {
        AwsPolicy byOperation = result.config().aws().get(service + "." + operation);
        AwsPolicy byService = result.config().aws().get(service);
        row("call", service + "." + operation + " (AWS SDK v2; one record per SDK call, protocol aws)");
        if (byOperation == null && byService == null) {
            row("policies", "none: no aws entry for " + service + "." + operation + " or " + service
                    + "; the call runs as the SDK makes it (still logged)");
            return;
        }
        String timeoutAt = awsKey(byOperation != null && byOperation.timeout() != null, service, operation);
        Duration timeout = timeoutAt == null ? null : result.config().aws().get(timeoutAt).timeout();
        line("timeout", timeout == null ? "the SDK's (apiCallTimeout)" : duration(timeout)
                + " for the whole call, the SDK's retries included (ApiCallTimeoutException)",
                "aws." + (timeoutAt == null ? service : timeoutAt) + ".timeout");
        String retryAt = awsKey(byOperation != null && byOperation.retry() != null, service, operation);
        RetryConfig retry = retryAt == null ? null : result.config().aws().get(retryAt).retry();
        line("retry", retry == null ? "none by the mesh: the SDK's own retry policy only" : retry.maxAttempts()
                + " SDK calls at most, back-off " + duration(retry.backoffBase()) + " doubling to "
                + duration(retry.backoffMax()) + (retry.mode() == Mode.SHADOW ? "; shadow" : ""),
                "aws." + (retryAt == null ? service : retryAt) + ".retry.maxAttempts");
        String breakerAt = awsKey(byOperation != null && byOperation.circuitBreaker() != null, service, operation);
        CircuitBreakerConfig breaker = breakerAt == null ? null : result.config().aws().get(breakerAt).circuitBreaker();
        line("circuitBreaker", breaker == null ? "none" : "aws." + breakerAt + "'s: opens at "
                + Math.round(breaker.failureRateThreshold() * 100) + "% failed calls (timeouts, no answer, 5xx, 429)"
                + " over " + duration(breaker.window()) + ", min " + breaker.minimumCalls() + " calls, open "
                + duration(breaker.openDuration()) + (breaker.mode() == Mode.SHADOW ? "; shadow" : ""),
                "aws." + (breakerAt == null ? service : breakerAt) + ".circuitBreaker.failureRateThreshold");
        String limitAt = awsKey(byOperation != null && byOperation.rateLimit() != null, service, operation);
        RateLimitConfig limit = limitAt == null ? null : result.config().aws().get(limitAt).rateLimit();
        line("rateLimit", limit == null ? "none" : "aws." + limitAt + "'s: " + limit.requestsPerSecond()
                + "/s, burst " + limit.burst() + (limit.mode() == Mode.SHADOW ? "; shadow" : ""),
                "aws." + (limitAt == null ? service : limitAt) + ".rateLimit.requestsPerSecond");
    }

    /** The aws key that sets a policy: the operation's when {@code byOperation}, else the service's if it has one. */
    private String awsKey(boolean byOperation, String service, String operation) {
        if (byOperation) {
            return service + "." + operation;
        }
        AwsPolicy byService = result.config().aws().get(service);
        return byService == null ? null : service;
    }

    private static Map<String, String> systemProperties() {
        Map<String, String> properties = new HashMap<String, String>();
        for (String name : System.getProperties().stringPropertyNames()) {
            properties.put(name, System.getProperty(name));
        }
        return properties;
    }

    private void explain(URI uri) {
        int port = uri.getPort() >= 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80);
        row("target", uri.toString());
        OutboundCall call = new OutboundCall("http", uri.getScheme(), uri.getHost(), uri.getPort(), "GET",
                Http.pathOf(uri.getRawPath()), true).withQuery(uri.getRawQuery());
        RouteConfig route = null;
        for (RouteConfig candidate : result.config().routes()) {
            if (RouteRuntime.matches(candidate.match(), call)) {
                route = candidate;
                break;
            }
        }
        if (route != null) {
            row("route", route.label() + " (first match, for a GET without headers)");
            if (!route.to().isEmpty()) {
                List<String> split = new ArrayList<String>();
                for (WeightedService to : route.to()) {
                    split.add(to.service() + " weight " + to.weight());
                }
                row("destinations", String.join(", ", split));
                for (WeightedService to : route.to()) {
                    explainService(result.config().service(to.service()), route);
                }
                return;
            }
        }
        // A request whose host (without port) equals a service name goes to that service.
        ServiceConfig service = result.config().service(uri.getHost());
        if (service == null) {
            row("service", "none: '" + uri.getHost() + "' is not the name of a service");
            boolean registryOnly = result.config().egress() != null
                    && result.config().egress().mode() == EgressMode.REGISTRY_ONLY;
            row("destination", uri.getHost() + ":" + port + (registryOnly
                    ? ": denied unless egress.allow lists it (egress.mode registry_only, flag NR)"
                    : " as the application asked, untouched (still logged)"));
            return;
        }
        explainService(service, route);
    }

    /** A destination service under {@code route} (null when no route took the call): endpoints and policies. */
    private void explainService(ServiceConfig service, RouteConfig route) {
        String at = "services." + service.name() + ".";
        row("service", service.name() + (route == null ? " (the host is this service's name)" : ""));
        List<String> endpoints = new ArrayList<String>();
        for (Endpoint endpoint : service.endpoints()) {
            endpoints.add(endpoint.weight() == 1 ? endpoint.toString() : endpoint + " (weight " + endpoint.weight() + ")");
        }
        line(service.dns() == null ? "endpoints" : "endpoints (dns)", String.join(", ", endpoints)
                + (service.dns() == null ? "" : ", every address, re-resolved every "
                + duration(service.dns().refreshInterval())), at + "endpoints");
        line("loadBalancer", service.loadBalancer().configName(), at + "loadBalancer");
        String routeAt = route == null ? null : "routes[" + route.index() + "].";
        if (route != null && route.timeout() != null) {
            line("timeout", duration(route.timeout()) + " (the route's)", routeAt + "timeout");
        } else {
            line("timeout", service.timeout() == null ? "none" : duration(service.timeout()), at + "timeout");
        }

        RetryConfig retry = service.retry();
        if (route != null && route.retry() != null) {
            retry = route.retry();
            at = routeAt;
            row("retry", "the route's");
        }
        if (retry == null) {
            line("retry", "none: one attempt per call", at + "retry");
        } else {
            line("retry.maxAttempts", String.valueOf(retry.maxAttempts()), at + "retry.maxAttempts");
            line("retry.perTryTimeout", retry.perTryTimeout() == null ? "none" : duration(retry.perTryTimeout()),
                    at + "retry.perTryTimeout");
            line("retry.backoff", duration(retry.backoffBase()) + " doubling to " + duration(retry.backoffMax())
                    + ", full jitter", at + "retry.backoff.base");
            List<String> on = new ArrayList<String>();
            for (RetryOn condition : retry.retryOn()) {
                on.add(condition.configName());
            }
            for (Integer status : retry.retriableStatusCodes()) {
                on.add(String.valueOf(status));
            }
            String methods = retry.methods().equals(RetryConfig.DEFAULT_METHODS) ? "idempotent methods"
                    : String.join("/", retry.methods());
            line("retry.retryOn", String.join(", ", on) + "; " + methods + " with a replayable body of at most "
                    + retry.maxReplayBodyBytes() + " bytes only" + (retry.honorRetryAfter() ? "; honours Retry-After" : ""),
                    at + "retry.retryOn");
        }

        at = "services." + service.name() + ".";
        CircuitBreakerConfig breaker = service.circuitBreaker();
        if (breaker == null) {
            line("circuitBreaker", "none", at + "circuitBreaker");
        } else {
            line("circuitBreaker", "opens at " + Math.round(breaker.failureRateThreshold() * 100)
                    + "% failed calls", at + "circuitBreaker.failureRateThreshold");
            line("  minimumCalls", String.valueOf(breaker.minimumCalls()), at + "circuitBreaker.minimumCalls");
            line("  window", duration(breaker.window()), at + "circuitBreaker.window");
            line("  openDuration", duration(breaker.openDuration()), at + "circuitBreaker.openDuration");
            line("  halfOpenCalls", String.valueOf(breaker.halfOpenCalls()), at + "circuitBreaker.halfOpenCalls");
        }
        if (breaker != null && breaker.mode() == Mode.SHADOW) {
            row("  mode", "shadow: records, never rejects");
        }

        OutlierDetectionConfig outliers = service.outlierDetection();
        if (outliers == null) {
            line("outlierDetection", "none", at + "outlierDetection");
        } else {
            line("outlierDetection", "eject after " + outliers.consecutive5xx() + " consecutive 5xx or "
                    + outliers.consecutiveConnectFailures() + " connect failures, for "
                    + duration(outliers.baseEjectionTime()) + " x times ejected (max " + duration(outliers.maxEjectionTime())
                    + "), at most " + Math.round(outliers.maxEjectionPercent() * 100) + "% of endpoints"
                    + (outliers.mode() == Mode.SHADOW ? "; shadow" : ""), at + "outlierDetection.consecutive5xx");
        }
        HealthCheckConfig health = service.healthCheck();
        if (health == null) {
            line("healthCheck", "none", at + "healthCheck");
        } else {
            line("healthCheck", "GET " + health.path() + " every " + duration(health.interval()) + ", timeout "
                    + duration(health.timeout()), at + "healthCheck.path");
        }
        RateLimitConfig rateLimit = service.rateLimit();
        if (rateLimit == null) {
            line("rateLimit", "none", at + "rateLimit");
        } else {
            line("rateLimit", rateLimit.requestsPerSecond() + "/s, burst " + rateLimit.burst()
                    + (rateLimit.mode() == Mode.SHADOW ? "; shadow" : ""), at + "rateLimit.requestsPerSecond");
        }
        line("maxConcurrentRequests", service.maxConcurrentRequests() == null ? "none"
                : String.valueOf(service.maxConcurrentRequests()), at + "maxConcurrentRequests");
        if (route != null && route.fault() != null) {
            FaultConfig fault = route.fault();
            row("fault", (fault.delay() == null ? "" : "delay " + duration(fault.delay().duration()) + " for "
                    + Math.round(fault.delay().percent() * 100) + "% ")
                    + (fault.abort() == null ? "" : "abort (" + fault.abort().status() + ") for "
                    + Math.round(fault.abort().percent() * 100) + "% ")
                    + (fault.header() == null ? "" : "of calls with header " + fault.header() + " ")
                    + (fault.mode() == Mode.SHADOW ? "(shadow)" : "").trim());
        }
    }

    /** One policy value and where it came from. */
    private void line(String name, String value, String path) {
        String origin = result.originOf(path);
        out.println(String.format(Locale.ROOT, "%-22s %-44s %s", name, value,
                origin == null ? "" : "(" + origin + ")").replaceAll("\\s+$", ""));
    }

    private void row(String name, String value) {
        out.println(String.format(Locale.ROOT, "%-22s %s", name, value));
    }

    /** 250ms, 2s, 1m: the shortest exact form, as a user would write it. */
    static String duration(Duration d) {
        long millis = d.toMillis();
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
