package dev.jmesh.instrumentation.jdbc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JdbcUrlTest {

    @Test
    void postgresqlHostListsAreRewrittenToOneEndpoint() {
        JdbcUrl url = JdbcUrl.parse("jdbc:postgresql://orders-db,orders-db-2:5433/shop?user=app&password=s3cret");
        assertEquals("postgresql", url.system);
        assertEquals("orders-db", url.host);
        assertEquals(5432, url.port);
        assertEquals("shop", url.namespace);
        assertTrue(url.rewritable());
        assertEquals("jdbc:postgresql://10.0.0.7:6432/shop?user=app&password=s3cret", url.withEndpoint("10.0.0.7", 6432));
        assertEquals("jdbc:postgresql://[::1]:5432/shop?user=app&password=s3cret", url.withEndpoint("::1", 5432));
        assertFalse(url.toString().contains("s3cret"), url.toString());
    }

    @Test
    void postgresqlShortFormAndIpv6() {
        JdbcUrl shortForm = JdbcUrl.parse("jdbc:postgresql:shop?password=x");
        assertEquals("localhost", shortForm.host);
        assertEquals("shop", shortForm.namespace);
        assertEquals("jdbc:postgresql://db1:5432/shop?password=x", shortForm.withEndpoint("db1", 5432));
        JdbcUrl v6 = JdbcUrl.parse("jdbc:postgresql://[::1]:5433/shop");
        assertEquals("::1", v6.host);
        assertEquals(5433, v6.port);
    }

    @Test
    void mysqlCredentialsInTheAuthorityStayOutOfTheHost() {
        JdbcUrl url = JdbcUrl.parse("jdbc:mysql://app:s3cret@db1:3307/shop");
        assertEquals("mysql", url.system);
        assertEquals("db1", url.host);
        assertEquals(3307, url.port);
        assertEquals("jdbc:mysql://app:s3cret@db2:3306/shop", url.withEndpoint("db2", 3306));
    }

    @Test
    void otherGrammarsAreReadButNotRewritten() {
        JdbcUrl h2 = JdbcUrl.parse("jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1");
        assertEquals("h2", h2.system);
        assertEquals("", h2.host);
        assertEquals("orders", h2.namespace);
        assertFalse(h2.rewritable());
        JdbcUrl tcp = JdbcUrl.parse("jdbc:h2:tcp://dbhost:9093/~/data/orders");
        assertEquals("dbhost", tcp.host);
        assertEquals(9093, tcp.port);
        assertEquals("orders", tcp.namespace);
        JdbcUrl mssql = JdbcUrl.parse("jdbc:sqlserver://sql1:1434;databaseName=shop;password=s3cret");
        assertEquals("mssql", mssql.system);
        assertEquals("sql1", mssql.host);
        assertEquals("shop", mssql.namespace);
        assertFalse(mssql.rewritable());
        assertEquals("other_sql", JdbcUrl.parse("jdbc:weird:thing").system);
        assertNull(JdbcUrl.parse("jdbc:weird:thing").namespace);
    }
}
