package dev.jmesh.demo.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * An ordinary JDBC application, unaware of jmesh: each iteration takes a connection (a new one from
 * {@code DriverManager}, or one from a HikariCP pool), inserts an order and reads it back in a transaction, and
 * prints one line: {@code ok <i> port=<server port>}, or {@code connect-error <i> <exception>} /
 * {@code query-error <i> <exception>}.
 *
 * <pre>
 * java -jar jdbc-app.jar --url jdbc:postgresql://orders-db/shop --user shop --password s3cret
 *      [--pool hikari] [--iterations 100] [--interval-ms 100] [--stop-file PATH] [--slow]
 *      [--statement SQL]... [--in-transaction]
 * </pre>
 * {@code --slow} first runs {@code SELECT pg_sleep(5)} once and prints {@code slow-ok} or {@code slow-error <exception>}.
 * Each {@code --statement} then runs once, in order, on one connection ({@code Statement.execute}; all of them in
 * one transaction with {@code --in-transaction}) and prints {@code statement-ok <n>} or
 * {@code statement-error <n> <exception>}; {@code sleep:<ms>} pauses instead of running SQL.
 * The loop ends after {@code --iterations}, or as soon as {@code --stop-file} exists.
 */
public final class JdbcApp {
    private JdbcApp() {
    }

    public static void main(String[] args) throws Exception {
        String url = null;
        String user = null;
        String password = null;
        String pool = "none";
        int iterations = 10;
        long intervalMillis = 100;
        Path stopFile = null;
        boolean slow = false;
        List<String> statements = new ArrayList<>();
        boolean inTransaction = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url": url = args[++i]; break;
                case "--user": user = args[++i]; break;
                case "--password": password = args[++i]; break;
                case "--pool": pool = args[++i]; break;
                case "--iterations": iterations = Integer.parseInt(args[++i]); break;
                case "--interval-ms": intervalMillis = Long.parseLong(args[++i]); break;
                case "--stop-file": stopFile = Paths.get(args[++i]); break;
                case "--slow": slow = true; break;
                case "--statement": statements.add(args[++i]); break;
                case "--in-transaction": inTransaction = true; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (url == null) {
            throw new IllegalArgumentException("--url is required");
        }
        boolean postgres = url.startsWith("jdbc:postgresql:");
        HikariDataSource dataSource = null;
        if ("hikari".equals(pool)) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setUsername(user);
            config.setPassword(password);
            config.setMaximumPoolSize(2);
            config.setConnectionTimeout(15000);
            config.setInitializationFailTimeout(-1); // start even if the database is down
            dataSource = new HikariDataSource(config);
        }
        if (slow) {
            try (Connection c = connect(dataSource, url, user, password); Statement s = c.createStatement()) {
                s.executeQuery(postgres ? "SELECT pg_sleep(5)" : "SELECT 1").close();
                System.out.println("slow-ok");
            } catch (SQLException e) {
                System.out.println("slow-error " + e.getClass().getName() + ": " + e.getMessage());
            }
        }
        if (!statements.isEmpty()) {
            runStatements(connect(dataSource, url, user, password), statements, inTransaction);
        }
        for (int i = 1; i <= iterations; i++) {
            if (stopFile != null && Files.exists(stopFile)) {
                break;
            }
            Connection connection;
            try {
                connection = connect(dataSource, url, user, password);
            } catch (SQLException e) {
                System.out.println("connect-error " + i + " " + e.getClass().getName() + ": " + e.getMessage());
                Thread.sleep(intervalMillis);
                continue;
            }
            try (Connection c = connection) {
                System.out.println("ok " + i + " port=" + work(c, i, postgres));
            } catch (SQLException e) {
                System.out.println("query-error " + i + " " + e.getClass().getName() + ": " + e.getMessage());
            }
            Thread.sleep(intervalMillis);
        }
        if (dataSource != null) {
            dataSource.close();
        }
        System.out.println("done");
    }

    private static void runStatements(Connection connection, List<String> statements, boolean inTransaction)
            throws SQLException, InterruptedException {
        try (Connection c = connection) {
            c.setAutoCommit(!inTransaction);
            for (int n = 1; n <= statements.size(); n++) {
                String sql = statements.get(n - 1);
                if (sql.startsWith("sleep:")) {
                    Thread.sleep(Long.parseLong(sql.substring("sleep:".length())));
                    continue;
                }
                try (Statement s = c.createStatement()) {
                    s.execute(sql);
                    System.out.println("statement-ok " + n);
                } catch (SQLException e) {
                    System.out.println("statement-error " + n + " " + e.getClass().getName() + ": "
                            + e.getMessage().replaceAll("\\s*\\n\\s*", " ") + " [" + e.getSQLState() + "]");
                }
            }
            if (inTransaction) {
                c.rollback();
            }
        }
    }

    private static Connection connect(HikariDataSource dataSource, String url, String user, String password)
            throws SQLException {
        return dataSource != null ? dataSource.getConnection() : DriverManager.getConnection(url, user, password);
    }

    /** One order in a transaction; returns the server port (PostgreSQL) so the output shows which server served it. */
    private static String work(Connection c, int i, boolean postgres) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS orders (id SERIAL PRIMARY KEY, customer VARCHAR(64), total INT)");
        }
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO orders (customer, total) VALUES (?, ?)")) {
            insert.setString(1, "customer-" + i);
            insert.setInt(2, i);
            insert.executeUpdate();
        }
        c.commit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM orders WHERE customer = 'alice-" + i
                     + "' OR total > 1000000")) {
            rs.next();
        }
        if (!postgres) {
            return "-";
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT inet_server_port()")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
