package dev.jmesh.instrumentation.jdbc;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.BlockingExchange;
import dev.jmesh.bootstrap.CallDepth;
import dev.jmesh.bootstrap.Databases;
import dev.jmesh.bootstrap.OutboundCall;
import dev.jmesh.bootstrap.Outcome;
import dev.jmesh.bootstrap.jdbc.JdbcBridge;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Turns woven JDBC calls into mesh calls: {@code Driver.connect} into a CONNECT call that the engine may point at
 * another endpoint, each statement execution into one call named by its SQL verb, {@code commit}/{@code rollback}
 * into COMMIT/ROLLBACK, and a pool's {@code getConnection} into a breaker check. The engine decides; this class
 * makes the one attempt the engine asks for, by calling the same method again through its {@code java.sql}
 * interface inside {@link CallDepth} (so the woven method, and any wrapper's or driver's woven method below it,
 * runs untouched: a pool's proxy statement over the driver's statement is one call).
 *
 * <p>Lives in the agent's class loader, whose parent (the platform loader) sees {@code java.sql}: everything
 * used here is JDK API, whatever the driver.
 */
public final class JdbcInterceptor implements JdbcBridge.Interceptor {
    static final String PROTOCOL = "jdbc";
    private static final Map<String, Method> STATEMENT_METHODS = statementMethods();
    private static final ClassValue<Method> DATA_SOURCE_URL = new ClassValue<Method>() {
        @Override
        protected Method computeValue(Class<?> type) {
            for (String getter : new String[] {"getJdbcUrl", "getUrl", "getURL"}) {
                try {
                    Method m = type.getMethod(getter);
                    if (m.getReturnType() == String.class) {
                        return m;
                    }
                } catch (NoSuchMethodException | SecurityException e) {
                    // try the next name
                }
            }
            return null;
        }
    };

    /** What the mesh knows of a connection: its database, its URL's parts, the endpoint it is connected to. */
    static final class ConnectionInfo {
        final String database;
        final JdbcUrl url;
        final String host;
        final int port;

        ConnectionInfo(String database, JdbcUrl url, String host, int port) {
            this.database = database;
            this.url = url;
            this.host = host;
            this.port = port;
        }
    }

    private final WeakIdentityMap<ConnectionInfo> connections = new WeakIdentityMap<ConnectionInfo>();
    private final WeakIdentityMap<SqlStatement> prepared = new WeakIdentityMap<SqlStatement>();

    public static void install() {
        JdbcBridge.install(new JdbcInterceptor());
    }

    // ---- connect --------------------------------------------------------------------------------------

    @Override
    public Outcome connect(Object driverObject, String url, Object info) {
        Driver driver = (Driver) driverObject;
        try {
            if (!driver.acceptsURL(url)) {
                return null; // DriverManager offers every URL to every driver; this one declines it
            }
        } catch (SQLException e) {
            return null;
        }
        JdbcUrl parsed = JdbcUrl.parse(url);
        String database = Databases.databaseOf(url);
        OutboundCall call = new OutboundCall(PROTOCOL, parsed.system, parsed.host, parsed.port, "CONNECT",
                parsed.path(), true).withDatabase(new OutboundCall.Database(parsed.namespace, null, null));
        ConnectExchange exchange = new ConnectExchange(driver, url, parsed, (Properties) info);
        Connection connection;
        try {
            connection = Databases.connect(database, call, exchange);
        } catch (Throwable t) {
            return Outcome.thrown(t);
        }
        if (connection != null) {
            connections.put(connection, new ConnectionInfo(database, parsed, exchange.connectedHost,
                    exchange.connectedPort));
        }
        return Outcome.returned(connection);
    }

    /** One connection attempt to one endpoint: the app's URL with its host list replaced, the app's properties. */
    static final class ConnectExchange extends SqlExchange<Connection> {
        private final Driver driver;
        private final String url;
        private final JdbcUrl parsed;
        private final Properties info;
        String connectedHost;
        int connectedPort;

        ConnectExchange(Driver driver, String url, JdbcUrl parsed, Properties info) {
            this.driver = driver;
            this.url = url;
            this.parsed = parsed;
            this.info = info;
        }

        @Override
        public Connection attempt(String host, int port, int timeoutMillis) throws Exception {
            String target = url;
            if (!(host.equals(parsed.host) && port == parsed.port)) {
                if (parsed.rewritable()) {
                    target = parsed.withEndpoint(host, port);
                } else {
                    AgentLog.warnOnce("jdbc-no-rewrite:" + parsed.system, "endpoints of a " + parsed.system
                            + " database cannot be applied: jmesh rewrites postgresql, mysql and mariadb JDBC URLs"
                            + " only; connections go to the URL's own server");
                    host = parsed.host;
                    port = parsed.port;
                }
            }
            Properties properties = withConnectTimeout(info, timeoutMillis);
            CallDepth.enter();
            try {
                Connection connection = driver.connect(target, properties);
                connectedHost = host;
                connectedPort = port;
                return connection;
            } catch (Throwable t) {
                lastFailure = t;
                throw t;
            } finally {
                CallDepth.exit();
            }
        }

        /** A copy of the app's properties with the driver's connect timeout, unless the app set a tighter one. */
        private Properties withConnectTimeout(Properties appProperties, int timeoutMillis) {
            if (timeoutMillis <= 0) {
                return appProperties;
            }
            String key;
            long value;
            if ("postgresql".equals(parsed.system)) {
                key = "connectTimeout"; // seconds
                value = (timeoutMillis + 999) / 1000;
            } else if ("mysql".equals(parsed.system) || "mariadb".equals(parsed.system)) {
                key = "connectTimeout"; // milliseconds
                value = timeoutMillis;
            } else {
                return appProperties;
            }
            Properties copy = new Properties();
            if (appProperties != null) {
                for (String name : appProperties.stringPropertyNames()) {
                    copy.setProperty(name, appProperties.getProperty(name));
                }
            }
            String own = copy.getProperty(key);
            try {
                if (own != null && Long.parseLong(own.trim()) > 0 && Long.parseLong(own.trim()) <= value) {
                    return appProperties;
                }
            } catch (NumberFormatException e) {
                // the driver will judge the app's value; ours replaces it
            }
            copy.setProperty(key, Long.toString(value));
            return copy;
        }

        @Override
        public void discard(Connection connection) {
            try {
                connection.close();
            } catch (Throwable ignored) {
                // released as well as it can be
            }
        }
    }

    // ---- pools ----------------------------------------------------------------------------------------

    @Override
    public Outcome dataSourceConnection(Object dataSource) {
        Method getter = DATA_SOURCE_URL.get(dataSource.getClass());
        if (getter == null) {
            return null;
        }
        String url;
        try {
            url = (String) getter.invoke(dataSource);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
        String database = url == null ? null : Databases.databaseOf(url);
        if (database == null) {
            return null;
        }
        JdbcUrl parsed = JdbcUrl.parse(url);
        OutboundCall call = new OutboundCall(PROTOCOL, parsed.system, parsed.host, parsed.port, "CONNECT",
                parsed.path(), true).withDatabase(new OutboundCall.Database(parsed.namespace, null, null));
        Exception refused = Databases.refuseConnection(database, call, new SqlExchange<Connection>() {
            @Override
            public Connection attempt(String host, int port, int timeoutMillis) {
                throw new UnsupportedOperationException("a pool's getConnection is only admitted or refused");
            }
        });
        return refused == null ? null : Outcome.thrown(refused);
    }

    // ---- statements -----------------------------------------------------------------------------------

    @Override
    public void prepared(Object statement, String sql) {
        prepared.put(statement, SqlStatement.of(sql));
    }

    @Override
    public Outcome execute(Object statementObject, String method, Object[] arguments) {
        Method target = STATEMENT_METHODS.get(method);
        if (target == null || !target.getDeclaringClass().isInstance(statementObject)) {
            return null;
        }
        Statement statement = (Statement) statementObject;
        Connection connection;
        ConnectionInfo info;
        try {
            connection = statement.getConnection();
            info = infoOf(connection);
        } catch (SQLException closed) {
            return null; // the driver reports the closed statement itself
        }
        if (info == null) {
            return null;
        }
        SqlStatement sql = arguments != null && arguments.length > 0 && arguments[0] instanceof String
                ? SqlStatement.of((String) arguments[0])
                : prepared.get(statement);
        String operation;
        if (sql != null && sql.verb != null) {
            operation = sql.verb;
        } else {
            operation = target.getName().startsWith("executeLargeBatch") || target.getName().equals("executeBatch")
                    ? "BATCH" : "EXECUTE";
        }
        boolean readOutsideTransaction = "SELECT".equals(operation) && autoCommit(connection);
        OutboundCall call = new OutboundCall(PROTOCOL, info.url.system, info.host, info.port, operation,
                info.url.path(), readOutsideTransaction).withDatabase(new OutboundCall.Database(info.url.namespace,
                sql == null ? null : sql.table, sql == null ? null : sql.sanitised));
        try {
            return Outcome.returned(Databases.execute(info.database, call,
                    new StatementExchange(statement, target, arguments)));
        } catch (Throwable t) {
            return Outcome.thrown(t);
        }
    }

    /** Whether each statement commits on its own; false when unknown (then nothing is ever retried). */
    private static boolean autoCommit(Connection connection) {
        CallDepth.enter(); // a pool's proxy may ask the driver
        try {
            return connection.getAutoCommit();
        } catch (Throwable t) {
            return false;
        } finally {
            CallDepth.exit();
        }
    }

    /**
     * Runs the statement once, with the mesh's query timeout unless the app set a tighter one: whole seconds
     * through {@code Statement.setQueryTimeout}, the driver's own mechanism; anything finer through
     * {@link StatementCanceller}, which calls {@code Statement.cancel()} at the deadline.
     */
    static final class StatementExchange extends SqlExchange<Object> {
        private final Statement statement;
        private final Method method;
        private final Object[] arguments;

        StatementExchange(Statement statement, Method method, Object[] arguments) {
            this.statement = statement;
            this.method = method;
            this.arguments = arguments;
        }

        @Override
        public Object attempt(String host, int port, int timeoutMillis) throws Exception {
            int appTimeout = 0;
            boolean ours = false;
            StatementCanceller.Deadline deadline = null;
            if (timeoutMillis > 0) {
                try {
                    appTimeout = statement.getQueryTimeout();
                    if (appTimeout == 0 || appTimeout * 1000L > timeoutMillis) {
                        if (timeoutMillis % 1000 == 0) {
                            statement.setQueryTimeout(timeoutMillis / 1000);
                            ours = true;
                        } else {
                            deadline = StatementCanceller.schedule(statement, timeoutMillis);
                        }
                    }
                } catch (SQLException e) {
                    // the driver cannot tell or set one: the statement runs without the mesh's timeout
                }
            }
            CallDepth.enter();
            Object result;
            try {
                result = method.invoke(statement, arguments);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                lastFailure = cause;
                boolean cancelledByTimer = deadline != null && deadline.finish();
                deadline = null;
                if (cause instanceof SQLTimeoutException) {
                    throw (SQLTimeoutException) cause; // the driver's own (H2's on cancel, any driver's timeout)
                }
                if (cancelledByTimer && cause instanceof SQLException) {
                    throw timeoutException("jmesh: the statement ran longer than the queryTimeout of "
                            + timeoutMillis + "ms and jmesh cancelled it (Statement.cancel)");
                }
                if (ours && isCancelled(cause)) {
                    throw timeoutException("jmesh: the statement ran longer than the queryTimeout of "
                            + timeoutMillis + "ms and the driver cancelled it (Statement.setQueryTimeout)");
                }
                throw JdbcInterceptor.<Exception>sneaky(cause);
            } finally {
                CallDepth.exit();
                if (deadline != null) {
                    deadline.finish(); // in time, or the timer fired as the statement returned: its result stands
                }
                if (ours) {
                    try {
                        statement.setQueryTimeout(appTimeout); // the app sees its own setting again
                    } catch (Throwable ignored) {
                        // closed meanwhile: nothing to restore
                    }
                }
            }
            return result;
        }

        /** PostgreSQL (and others) report a cancelled statement as SQLState 57014, query_canceled. */
        private static boolean isCancelled(Throwable t) {
            return t instanceof SQLException && "57014".equals(((SQLException) t).getSQLState());
        }
    }

    // ---- transactions ---------------------------------------------------------------------------------

    @Override
    public Outcome endTransaction(Object connectionObject, final String method) {
        final Connection connection = (Connection) connectionObject;
        ConnectionInfo info = infoOf(connection);
        if (info == null) {
            return null;
        }
        final boolean commit = "commit".equals(method);
        OutboundCall call = new OutboundCall(PROTOCOL, info.url.system, info.host, info.port,
                commit ? "COMMIT" : "ROLLBACK", info.url.path(), false)
                .withDatabase(new OutboundCall.Database(info.url.namespace, null, null));
        try {
            Databases.execute(info.database, call, new SqlExchange<Object>() {
                @Override
                public Object attempt(String host, int port, int timeoutMillis) throws Exception {
                    CallDepth.enter();
                    try {
                        if (commit) {
                            connection.commit();
                        } else {
                            connection.rollback();
                        }
                        return null;
                    } catch (Throwable t) {
                        lastFailure = t;
                        throw t;
                    } finally {
                        CallDepth.exit();
                    }
                }
            });
            return Outcome.returned(null);
        } catch (Throwable t) {
            return Outcome.thrown(t);
        }
    }

    // ---- shared ---------------------------------------------------------------------------------------

    /**
     * What is known of a connection: registered when the mesh opened it; for a pool's proxy, the connection it
     * wraps ({@code unwrap}); else read once from its metadata's URL. Null when nothing can be learnt.
     */
    private ConnectionInfo infoOf(Connection connection) {
        if (connection == null) {
            return null;
        }
        ConnectionInfo info = connections.get(connection);
        if (info != null) {
            return info;
        }
        CallDepth.enter(); // whatever the driver does to answer must not become a mesh call
        try {
            try {
                Connection inner = connection.unwrap(Connection.class);
                if (inner != null && inner != connection) {
                    info = connections.get(inner);
                }
            } catch (Throwable notAWrapper) {
                // fall back to the metadata
            }
            if (info == null) {
                String url = connection.getMetaData().getURL();
                if (url == null) {
                    return null;
                }
                JdbcUrl parsed = JdbcUrl.parse(url);
                info = new ConnectionInfo(Databases.databaseOf(url), parsed, parsed.host, parsed.port);
            }
        } catch (Throwable t) {
            return null;
        } finally {
            CallDepth.exit();
        }
        connections.put(connection, info);
        return info;
    }

    /** The JDBC failures an engine decision turns into. */
    abstract static class SqlExchange<R> implements BlockingExchange<R> {
        /** The driver's last failure, the cause of a timeout the mesh reports. */
        Throwable lastFailure;

        @Override
        public int statusOf(R response) {
            return -1;
        }

        @Override
        public void discard(R response) {
        }

        @Override
        public Exception timeoutException(String message) {
            return new SQLTimeoutException(message, "57014", lastFailure);
        }

        @Override
        public Exception rejectedException(String message) {
            return new SQLTransientConnectionException(message, "08001");
        }
    }

    /** The execute methods of Statement, PreparedStatement and CallableStatement by name and descriptor. */
    private static Map<String, Method> statementMethods() {
        Map<String, Method> methods = new HashMap<String, Method>();
        for (Class<?> type : new Class<?>[] {Statement.class, PreparedStatement.class, CallableStatement.class}) {
            for (Method m : type.getMethods()) {
                if (JdbcModule.EXECUTE_METHODS.contains(m.getName())) {
                    methods.put(m.getName() + descriptor(m), m);
                }
            }
        }
        return Collections.unmodifiableMap(methods);
    }

    static String descriptor(Method m) {
        StringBuilder d = new StringBuilder("(");
        for (Class<?> p : m.getParameterTypes()) {
            d.append(descriptor(p));
        }
        return d.append(')').append(descriptor(m.getReturnType())).toString();
    }

    private static String descriptor(Class<?> type) {
        if (type.isArray()) {
            return type.getName().replace('.', '/');
        }
        if (type.isPrimitive()) {
            if (type == void.class) {
                return "V";
            }
            if (type == boolean.class) {
                return "Z";
            }
            if (type == long.class) {
                return "J";
            }
            return String.valueOf(Character.toUpperCase(type.getName().charAt(0))); // int, byte, char, short, ...
        }
        return "L" + type.getName().replace('.', '/') + ";";
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
