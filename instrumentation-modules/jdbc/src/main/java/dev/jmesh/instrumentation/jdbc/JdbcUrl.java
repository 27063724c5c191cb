package dev.jmesh.instrumentation.jdbc;

import java.util.Locale;

/**
 * The parts of a JDBC URL the mesh needs: {@code db.system}, the first server's host and port, the database
 * name ({@code db.namespace}), and, for the grammars that allow it, the same URL pointed at another endpoint.
 * Nothing else of the URL (user, password, parameters) is ever kept or shown.
 *
 * <p>Endpoints can be rewritten for {@code jdbc:postgresql:}, {@code jdbc:mysql:} and {@code jdbc:mariadb:} URLs
 * ({@code //host[:port][,host2...]/database?params}, also PostgreSQL's {@code jdbc:postgresql:database} short
 * form): the host list is replaced by the one endpoint. Other drivers' URLs are recognised for telemetry
 * ({@code h2}, {@code sqlserver}, {@code oracle}, ...) but connect to the URL's own server.
 */
final class JdbcUrl {
    final String system;
    /** The first server's host ("" for embedded databases such as {@code jdbc:h2:mem:}). */
    final String host;
    /** The first server's port, or -1 when unknown. */
    final int port;
    final String namespace;
    private final String url;
    /** Where the host list starts and ends in {@link #url}; -1 when endpoints cannot be rewritten. */
    private final int hostsStart;
    private final int hostsEnd;
    /** PostgreSQL's short form without {@code //}: a rewrite inserts the authority. */
    private final boolean shortForm;

    private JdbcUrl(String system, String host, int port, String namespace, String url, int hostsStart, int hostsEnd,
                    boolean shortForm) {
        this.system = system;
        this.host = host;
        this.port = port;
        this.namespace = namespace;
        this.url = url;
        this.hostsStart = hostsStart;
        this.hostsEnd = hostsEnd;
        this.shortForm = shortForm;
    }

    static JdbcUrl parse(String url) {
        if (!url.regionMatches(true, 0, "jdbc:", 0, 5)) {
            return new JdbcUrl("other_sql", "", -1, null, url, -1, -1, false);
        }
        int colon = url.indexOf(':', 5);
        String sub = (colon < 0 ? url.substring(5) : url.substring(5, colon)).toLowerCase(Locale.ROOT);
        String rest = colon < 0 ? "" : url.substring(colon + 1);
        int restStart = colon + 1;
        if ("postgresql".equals(sub) || "pgsql".equals(sub)) {
            return hostList("postgresql", 5432, url, rest, restStart, true);
        }
        if ("mysql".equals(sub) || "mariadb".equals(sub)) {
            return hostList(sub, 3306, url, rest, restStart, false);
        }
        if ("h2".equals(sub)) {
            return h2(url, rest);
        }
        if ("sqlserver".equals(sub) || "jtds".equals(sub)) {
            return sqlServer(url, rest);
        }
        return new JdbcUrl(system(sub), "", -1, null, url, -1, -1, false);
    }

    private static String system(String sub) {
        if ("oracle".equals(sub)) {
            return "oracle";
        }
        if ("db2".equals(sub) || "hsqldb".equals(sub) || "derby".equals(sub) || "sqlite".equals(sub)) {
            return sub;
        }
        return "other_sql";
    }

    /** {@code //host[:port][,host[:port]...]/database?...}, or PostgreSQL's {@code database?...}. */
    private static JdbcUrl hostList(String system, int defaultPort, String url, String rest, int restStart,
                                    boolean allowShortForm) {
        if (!rest.startsWith("//")) {
            if (!allowShortForm) {
                return new JdbcUrl(system, "", -1, null, url, -1, -1, false);
            }
            String db = cut(rest, "?;");
            return new JdbcUrl(system, "localhost", defaultPort, db.isEmpty() || db.equals("/") ? null : db, url,
                    restStart, restStart, true);
        }
        int authorityStart = restStart + 2;
        int authorityEnd = indexOfAny(url, "/?", authorityStart);
        if (authorityEnd < 0) {
            authorityEnd = url.length();
        }
        int at = url.lastIndexOf('@', authorityEnd - 1);
        int hostsStart = at >= authorityStart ? at + 1 : authorityStart; // mysql://user:pass@host: skip the credentials
        String hosts = url.substring(hostsStart, authorityEnd);
        int comma = hosts.indexOf(',');
        String first = comma < 0 ? hosts : hosts.substring(0, comma);
        String host = first;
        int port = defaultPort;
        if (first.startsWith("[")) {
            int close = first.indexOf(']');
            host = close < 0 ? first.substring(1) : first.substring(1, close);
            if (close >= 0 && close + 1 < first.length() && first.charAt(close + 1) == ':') {
                port = portOf(first.substring(close + 2), defaultPort);
            }
        } else {
            int portColon = first.lastIndexOf(':');
            if (portColon >= 0) {
                host = first.substring(0, portColon);
                port = portOf(first.substring(portColon + 1), defaultPort);
            }
        }
        if (host.isEmpty()) {
            host = "localhost";
        }
        String db = null;
        if (authorityEnd < url.length() && url.charAt(authorityEnd) == '/') {
            db = cut(url.substring(authorityEnd + 1), "?;");
            if (db.isEmpty()) {
                db = null;
            }
        }
        return new JdbcUrl(system, host, port, db, url, hostsStart, authorityEnd, false);
    }

    private static JdbcUrl h2(String url, String rest) {
        String lower = rest.toLowerCase(Locale.ROOT);
        if (lower.startsWith("tcp://") || lower.startsWith("ssl://")) {
            String afterScheme = rest.substring(6);
            int slash = afterScheme.indexOf('/');
            String authority = slash < 0 ? afterScheme : afterScheme.substring(0, slash);
            int portColon = authority.lastIndexOf(':');
            String host = portColon < 0 ? authority : authority.substring(0, portColon);
            int port = portColon < 0 ? 9092 : portOf(authority.substring(portColon + 1), 9092);
            String db = slash < 0 ? null : lastSegment(cut(afterScheme.substring(slash + 1), ";"));
            return new JdbcUrl("h2", host, port, db, url, -1, -1, false);
        }
        String name = cut(rest, ";");
        if (lower.startsWith("mem:") || lower.startsWith("file:")) {
            name = name.substring(name.indexOf(':') + 1);
        }
        return new JdbcUrl("h2", "", -1, name.isEmpty() ? null : lastSegment(name), url, -1, -1, false);
    }

    /** {@code //host[\instance][:port];databaseName=x;...}: only the host, port and database name are read. */
    private static JdbcUrl sqlServer(String url, String rest) {
        String host = "";
        int port = 1433;
        if (rest.startsWith("//")) {
            String authority = cut(rest.substring(2), ";/");
            int portColon = authority.lastIndexOf(':');
            host = portColon < 0 ? authority : authority.substring(0, portColon);
            port = portColon < 0 ? 1433 : portOf(authority.substring(portColon + 1), 1433);
            int backslash = host.indexOf('\\');
            if (backslash >= 0) {
                host = host.substring(0, backslash);
            }
        }
        String db = null;
        for (String part : rest.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                String key = part.substring(0, eq).trim();
                if (key.equalsIgnoreCase("databaseName") || key.equalsIgnoreCase("database")) {
                    db = part.substring(eq + 1).trim();
                }
            }
        }
        return new JdbcUrl("mssql", host, port, db, url, -1, -1, false);
    }

    /** Whether {@link #withEndpoint} can point this URL at another server. */
    boolean rewritable() {
        return hostsStart >= 0;
    }

    /** This URL with its host list replaced by {@code host:port}. */
    String withEndpoint(String endpointHost, int endpointPort) {
        String authority = (endpointHost.indexOf(':') >= 0 ? "[" + endpointHost + "]" : endpointHost) + ":" + endpointPort;
        if (shortForm) {
            return url.substring(0, hostsStart) + "//" + authority + "/" + url.substring(hostsStart);
        }
        return url.substring(0, hostsStart) + authority + url.substring(hostsEnd);
    }

    /** {@code /database}, the call's path in the access log; "" when there is no database name. */
    String path() {
        return namespace == null ? "" : "/" + namespace;
    }

    private static String cut(String s, String stops) {
        int end = indexOfAny(s, stops, 0);
        return end < 0 ? s : s.substring(0, end);
    }

    private static int indexOfAny(String s, String chars, int from) {
        for (int k = from; k < s.length(); k++) {
            if (chars.indexOf(s.charAt(k)) >= 0) {
                return k;
            }
        }
        return -1;
    }

    private static String lastSegment(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return slash < 0 ? path : path.substring(slash + 1);
    }

    private static int portOf(String text, int defaultPort) {
        try {
            return text.isEmpty() ? defaultPort : Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return defaultPort;
        }
    }

    @Override
    public String toString() {
        return system + "://" + host + (port < 0 ? "" : ":" + port) + path(); // never the URL: it may hold a password
    }
}
