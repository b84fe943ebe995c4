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

    /**
     * A routing experiment as routing-api's admin API stores it ({@code flows}, {@code experiments},
     * {@code experiment_variants} of V16), running, weights 1 each.
     *
     * @param maxP90LatencyMs the latency guardrail, null for the job's default
     * @param maxErrorRate    the error-rate guardrail, null for the job's default
     * @param variants        the control first, then the treatments
     */
    record Experiment(String id, String flowId, String entryScreen, Double maxP90LatencyMs, Double maxErrorRate,
                      List<String> variants) {

        List<String> inserts() {
            StringBuilder values = new StringBuilder();
            for (int i = 0; i < variants.size(); i++) {
                values.append(i > 0 ? ", " : "").append("('").append(id).append("', '").append(variants.get(i))
                        .append("', ").append(i == 0).append(", 1)");
            }
            return List.of(
                    "INSERT INTO flows (flow_id, flow_json, entry_screen) VALUES ('" + flowId + "', '{}', '" + entryScreen + "')",
                    "INSERT INTO experiments (experiment_id, flow_id, status, primary_metric, alpha, max_p90_latency_ms, max_error_rate) "
                            + "VALUES ('" + id + "', '" + flowId + "', 'running', 'completion', 0.05, " + maxP90LatencyMs + ", "
                            + maxErrorRate + ")",
                    "INSERT INTO experiment_variants (experiment_id, variant, is_control, weight) VALUES " + values);
        }
    }

    /** A database with the shared {@link Scenario}'s experiment defined ({@link Scenario#EXPERIMENT}). */
    static AnalyticsDatabase create(String prefix, Map<String, Integer> stock, List<String> extraRuleInserts) throws SQLException {
        return create(prefix, stock, extraRuleInserts, Scenario.EXPERIMENT);
    }

    /** A database with the given experiment defined, or none when it is null. */
    static AnalyticsDatabase create(String prefix, Map<String, Integer> stock, List<String> extraRuleInserts,
                                    Experiment experiment) throws SQLException {
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
            List<String> inserts = new ArrayList<>(extraRuleInserts);
            if (experiment != null) {
                inserts.addAll(experiment.inserts());
            }
            for (String sql : inserts) {
                try (var st = c.createStatement()) {
                    st.execute(sql);
                }
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
