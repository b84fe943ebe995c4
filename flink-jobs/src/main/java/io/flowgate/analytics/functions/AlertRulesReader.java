package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.AlertRule;
import io.flowgate.analytics.records.AlertRules;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads the enabled rows of {@code latency_alert_rules}. */
public final class AlertRulesReader extends TableSnapshotReader<AlertRules> {

    static final String QUERY = """
            SELECT rule_id, screen, percentile, threshold_ms, error_rate_threshold, window_minutes
              FROM latency_alert_rules
             WHERE enabled
             ORDER BY rule_id""";

    public AlertRulesReader(String jdbcUrl, String user, String password) {
        super(jdbcUrl, user, password);
    }

    @Override
    protected AlertRules read(Connection connection) throws SQLException {
        List<AlertRule> rules = new ArrayList<>();
        try (var st = connection.prepareStatement(QUERY); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                rules.add(new AlertRule(rs.getLong(1), rs.getString(2), rs.getString(3),
                        nullableDouble(rs, 4), nullableDouble(rs, 5), rs.getInt(6)));
            }
        }
        return new AlertRules(System.currentTimeMillis(), rules);
    }

    private static Double nullableDouble(ResultSet rs, int column) throws SQLException {
        double d = rs.getDouble(column);
        return rs.wasNull() ? null : d;
    }
}
