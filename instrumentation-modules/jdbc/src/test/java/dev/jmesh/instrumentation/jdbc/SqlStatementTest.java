package dev.jmesh.instrumentation.jdbc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

class SqlStatementTest {

    private static void check(String sql, String verb, String table, String sanitised) {
        SqlStatement s = SqlStatement.parse(sql);
        assertEquals(verb, s.verb, "verb of " + sql);
        assertEquals(table, s.table, "table of " + sql);
        assertEquals(sanitised, s.sanitised, "text of " + sql);
    }

    @Test
    void verbsTablesAndLiterals() {
        check("SELECT * FROM orders WHERE id = 42 AND name = 'O''Brien'", "SELECT", "orders",
                "SELECT * FROM orders WHERE id = ? AND name = ?");
        check("select o.id from public.orders o join items i on i.order_id = o.id", "SELECT", "public.orders",
                "select o.id from public.orders o join items i on i.order_id = o.id");
        check("INSERT INTO orders (customer, total) VALUES ('alice', 12.50)", "INSERT", "orders",
                "INSERT INTO orders (customer, total) VALUES (?, ?)");
        check("UPDATE ONLY \"Orders\" SET total = -1 WHERE id IN (1, 2, 3)", "UPDATE", "Orders",
                "UPDATE ONLY \"Orders\" SET total = -? WHERE id IN (?, ?, ?)");
        check("DELETE FROM orders WHERE created < '2024-01-01'", "DELETE", "orders",
                "DELETE FROM orders WHERE created < ?");
        check("MERGE INTO stock s USING incoming i ON s.id = i.id", "MERGE", "stock",
                "MERGE INTO stock s USING incoming i ON s.id = i.id");
        check("{call refresh_totals(?, 7)}", "CALL", "refresh_totals", "call refresh_totals(?, ?)");
        check("SELECT pg_sleep(5)", "SELECT", null, "SELECT pg_sleep(?)");
        check("SELECT extract(year FROM now()) FROM t1", "SELECT", "t1", "SELECT extract(year FROM now()) FROM t1");
        check("WITH recent AS (SELECT * FROM orders WHERE total > 100) SELECT count(*) FROM recent", "SELECT",
                "recent", "WITH recent AS (SELECT * FROM orders WHERE total > ?) SELECT count(*) FROM recent");
        check("create table if not exists t2 (c varchar(64))", "CREATE", null,
                "create table if not exists t2 (c varchar(?))");
    }

    @Test
    void valuesNeverSurvive() {
        SqlStatement s = SqlStatement.parse("SELECT 'secret-1' /* token=secret-2 */, $$secret-3$$, x'5ec2e7',"
                + " $tag$secret-4$tag$ -- secret-5\n FROM users WHERE pw = E'secret\\'6' AND n = 0x1F");
        assertFalse(s.sanitised.contains("secret"), s.sanitised);
        assertFalse(s.sanitised.contains("5ec2e7"), s.sanitised);
        assertFalse(s.sanitised.contains("1F"), s.sanitised);
        assertEquals("users", s.table);
    }

    @Test
    void nothingToTellStaysNull() {
        assertNull(SqlStatement.parse("").verb);
        assertNull(SqlStatement.parse("  ").table);
        assertEquals(SqlStatement.MAX_TEXT + 3, SqlStatement.parse("SELECT " + "a, ".repeat(2000) + "b FROM t")
                .sanitised.length());
    }
}
