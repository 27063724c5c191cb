package dev.jmesh.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One route ({@code routes[]}; Envoy: a route of a virtual host). Routes are tried in order and the first
 * whose {@link #match()} holds wins; its destination is a weighted choice among {@link #to()}, or, when
 * {@code to} is empty, the service whose name is the request's host (or the host itself when no service
 * has that name). Its {@link #timeout()} and {@link #retry()}, when set, replace the service's.
 */
public final class RouteConfig extends ConfigValue {

    private final int index;
    private final String name;
    private final RouteMatch match;
    private final List<WeightedService> to;
    private final Duration timeout;
    private final RetryConfig retry;
    private final FaultConfig fault;
    private final Mode mode;

    RouteConfig(int index, String name, RouteMatch match, List<WeightedService> to, Duration timeout,
            RetryConfig retry, FaultConfig fault, Mode mode) {
        this.index = index;
        this.name = name;
        this.match = match;
        this.to = Collections.unmodifiableList(new ArrayList<WeightedService>(to));
        this.timeout = timeout;
        this.retry = retry;
        this.fault = fault;
        this.mode = mode;
    }

    /** Position in {@code routes}, from 0. */
    public int index() {
        return index;
    }

    /** The route's name, or null when it has none (unique among routes). */
    public String name() {
        return name;
    }

    /** {@code name} when set, else {@code routes[INDEX]}: how messages and logs refer to the route. */
    public String label() {
        return name != null ? name : "routes[" + index + "]";
    }

    /** Never null ({@link RouteMatch#matchesEverything()} when the route has no {@code match}). */
    public RouteMatch match() {
        return match;
    }

    /** Destinations with weights, at least one weight above 0; empty: the service the host names. */
    public List<WeightedService> to() {
        return to;
    }

    /** Overall timeout for calls on this route, replacing the service's; null: the service's. */
    public Duration timeout() {
        return timeout;
    }

    /** Retry policy for calls on this route, replacing the service's; null: the service's. */
    public RetryConfig retry() {
        return retry;
    }

    /** Fault injection, or null for none. */
    public FaultConfig fault() {
        return fault;
    }

    /** The route's {@code mode}: the default for its {@code retry} and {@code fault} blocks, which take it over. */
    public Mode mode() {
        return mode;
    }

    @Override
    Object[] fields() {
        return new Object[] {"index", index, "name", name, "match", match, "to", to.isEmpty() ? null : to,
            "timeout", timeout, "retry", retry, "fault", fault, "mode", mode};
    }
}
