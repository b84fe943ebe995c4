package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.ExperimentDefinition;
import io.flowgate.analytics.records.ExperimentDefinitions;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads every experiment and its variants, with the guardrail limits in force: the experiment's own, else
 * the enabled all-screen latency alert rules' (the lowest p90 threshold, the lowest error-rate threshold),
 * else {@link #DEFAULT_P90_MS} and {@link #DEFAULT_ERROR_RATE} (docs/experiments.md, "Guardrails").
 */
public final class ExperimentsReader extends TableSnapshotReader<ExperimentDefinitions> {

    /** Meta's health limit for an endpoint's p90 latency, when no alert rule says otherwise. */
    public static final double DEFAULT_P90_MS = 1000.0;
    public static final double DEFAULT_ERROR_RATE = 0.05;

    static final String EXPERIMENTS = """
            SELECT e.experiment_id, coalesce(e.flow_id, e.machine_id), e.status, e.primary_metric, e.alpha, e.max_p90_latency_ms,
                   e.max_error_rate, v.variant, v.is_control
              FROM experiments e JOIN experiment_variants v ON v.experiment_id = e.experiment_id
             ORDER BY e.experiment_id, v.variant""";
    static final String ALERT_LIMITS = """
            SELECT min(threshold_ms) FILTER (WHERE percentile = 'p90'), min(error_rate_threshold)
              FROM latency_alert_rules
             WHERE enabled AND screen = '*'""";

    public ExperimentsReader(String jdbcUrl, String user, String password) {
        super(jdbcUrl, user, password);
    }

    @Override
    protected ExperimentDefinitions read(Connection connection) throws SQLException {
        double p90 = DEFAULT_P90_MS;
        double errorRate = DEFAULT_ERROR_RATE;
        try (var st = connection.prepareStatement(ALERT_LIMITS); ResultSet rs = st.executeQuery()) {
            if (rs.next()) {
                p90 = orElse(rs, 1, p90);
                errorRate = orElse(rs, 2, errorRate);
            }
        }
        Map<String, ExperimentDefinition> experiments = new LinkedHashMap<>();
        Map<String, List<String>> variants = new HashMap<>();
        try (var st = connection.prepareStatement(EXPERIMENTS); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                String id = rs.getString(1);
                List<String> names = variants.computeIfAbsent(id, k -> new ArrayList<>());
                names.add(rs.getString(8));
                ExperimentDefinition known = experiments.get(id);
                String control = rs.getBoolean(9) ? rs.getString(8) : known == null ? null : known.control();
                experiments.put(id, new ExperimentDefinition(id, rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getDouble(5), orElse(rs, 6, p90), orElse(rs, 7, errorRate), control, names));
            }
        }
        // an experiment without a control cannot be compared: the monitor then only counts it
        experiments.values().removeIf(d -> d.control() == null);
        return new ExperimentDefinitions(System.currentTimeMillis(), experiments);
    }

    private static double orElse(ResultSet rs, int column, double fallback) throws SQLException {
        double d = rs.getDouble(column);
        return rs.wasNull() ? fallback : d;
    }
}
