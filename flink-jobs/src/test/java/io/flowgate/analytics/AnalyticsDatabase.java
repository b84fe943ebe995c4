package io.flowgate.analytics;

import io.flowgate.embedded.EmbeddedPostgresServer;
import io.flowgate.schema.FlowgateSchema;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A fresh, migrated database on the shared embedded PostgreSQL, and plain reads of the analytics tables. */
final class AnalyticsDatabase {

    final String url;

    private AnalyticsDatabase(String url) {
        this.url = url;
    }

    static AnalyticsDatabase create(String prefix, Map<String, Integer> stock, List<String> extraRuleInserts) throws SQLException {
        EmbeddedPostgresServer pg = EmbeddedPostgresServer.shared();
        AnalyticsDatabase db = new AnalyticsDatabase(pg.newDatabase(prefix));
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(db.url);
        ds.setUser(pg.user());
        FlowgateSchema.migrate(ds);
        try (Connection c = db.connect(); var insert = c.prepareStatement("INSERT INTO inventory (item_id, name, stock) VALUES (?, ?, ?)")) {
            for (var e : stock.entrySet()) {
                insert.setString(1, e.getKey());
                insert.setString(2, "item " + e.getKey());
                insert.setInt(3, e.getValue());
                insert.addBatch();
            }
            insert.executeBatch();
            for (String sql : extraRuleInserts) {
                c.createStatement().execute(sql);
            }
        }
        return db;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, "postgres", "");
    }

    /** Every row of a table, all columns, as "a|b|c" strings in key order; timestamps as UTC instants. */
    List<String> dump(String table, String orderBy) throws SQLException {
        return query("SELECT * FROM " + table + " ORDER BY " + orderBy);
    }

    List<String> query(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = connect(); var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    Object value = rs.getObject(i);
                    row.append(i > 1 ? "|" : "").append(value instanceof Timestamp ts ? ts.toInstant() : value);
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }
}
