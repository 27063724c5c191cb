package dev.jmesh.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a route matches ({@code routes[].match}); every condition given must hold, and a match without
 * conditions matches every request.
 */
public final class RouteMatch extends ConfigValue {

    static final RouteMatch ANY = new RouteMatch(null, null, Collections.<String>emptySet(),
            Collections.<String, StringMatcher>emptyMap(), Collections.<String, StringMatcher>emptyMap(),
            Collections.<String, StringMatcher>emptyMap());

    private final String host;
    private final StringMatcher path;
    private final Set<String> methods;
    private final Map<String, StringMatcher> headers;
    private final Map<String, StringMatcher> cookies;
    private final Map<String, StringMatcher> queryParameters;

    RouteMatch(String host, StringMatcher path, Set<String> methods, Map<String, StringMatcher> headers,
            Map<String, StringMatcher> cookies, Map<String, StringMatcher> queryParameters) {
        this.host = host;
        this.path = path;
        this.methods = Collections.unmodifiableSet(new LinkedHashSet<String>(methods));
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<String, StringMatcher>(headers));
        this.cookies = Collections.unmodifiableMap(new LinkedHashMap<String, StringMatcher>(cookies));
        this.queryParameters = Collections.unmodifiableMap(new LinkedHashMap<String, StringMatcher>(queryParameters));
    }

    /**
     * The request's host (without port), compared without case: a name ({@code inventory}) or a
     * suffix pattern ({@code *.example.com}); null for any host.
     */
    public String host() {
        return host;
    }

    /** Whether {@code requestHost} (without port) matches {@link #host()}. */
    public boolean matchesHost(String requestHost) {
        if (host == null) {
            return true;
        }
        if (requestHost == null) {
            return false;
        }
        if (host.startsWith("*.")) {
            String suffix = host.substring(1);
            return requestHost.length() > suffix.length()
                    && requestHost.regionMatches(true, requestHost.length() - suffix.length(), suffix, 0, suffix.length());
        }
        return host.equalsIgnoreCase(requestHost);
    }

    /** The path condition (exact, prefix or regex; the query string is not part of the path), or null for any path. */
    public StringMatcher path() {
        return path;
    }

    /** HTTP methods (upper case); empty for any method. */
    public Set<String> methods() {
        return methods;
    }

    /** By header name, as written (header names compare without case). */
    public Map<String, StringMatcher> headers() {
        return headers;
    }

    public Map<String, StringMatcher> cookies() {
        return cookies;
    }

    public Map<String, StringMatcher> queryParameters() {
        return queryParameters;
    }

    /** Whether this match has no conditions, so that it matches every request. */
    public boolean matchesEverything() {
        return host == null && path == null && methods.isEmpty() && headers.isEmpty() && cookies.isEmpty()
                && queryParameters.isEmpty();
    }

    @Override
    Object[] fields() {
        return new Object[] {"host", host, "path", path, "methods", methods.isEmpty() ? null : methods,
            "headers", headers.isEmpty() ? null : headers, "cookies", cookies.isEmpty() ? null : cookies,
            "queryParameters", queryParameters.isEmpty() ? null : queryParameters};
    }
}
