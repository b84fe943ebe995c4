package io.flowgate.dashboards;

import io.flowgate.embedded.EmbeddedPostgresServer;
import io.flowgate.schema.FlowgateSchema;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Analytics tables as the Flink jobs leave them after a morning of traffic on the device-repair Flow
 * and a chat machine, in a fresh migrated database. The numbers obey the tables' semantics
 * (drop_rate = dropped / reached, error_rate = errors / requests, tiers from the score thresholds), and
 * a few ids carry markup, because the dashboard must show them as text.
 */
final class AnalyticsFixtures {

    /** The newest minute of endpoint latency; every other time is placed relative to it. */
    static final OffsetDateTime LATEST_MINUTE = OffsetDateTime.of(2026, 11, 2, 11, 59, 0, 0, ZoneOffset.UTC);
    static final OffsetDateTime NEWEST_COHORT = OffsetDateTime.of(2026, 11, 2, 11, 0, 0, 0, ZoneOffset.UTC);
    static final OffsetDateTime OLDER_COHORT = NEWEST_COHORT.minusHours(1);

    static final String FLOW = "device_repair";
    static final String CHAT = "lead_qualification";
    static final String HOSTILE_FLOW = "<img src=x onerror=\"window.__xss='flow'\">";
    static final String HOSTILE_SCREEN = "<b onmouseover=\"window.__xss='screen'\">BOLD</b>";
    static final String HOSTILE_ITEM = "\"><script>window.__xss='item'</script>";

    /** (screen, reached, dropped, completed) of the newest device_repair cohort, busiest screen first. */
    static final List<Object[]> NEWEST_FUNNEL = List.of(
            new Object[] {"WELCOME", 120, 18, 70},
            new Object[] {"CONFIRM", 72, 2, 70},
            new Object[] {"STANDARD_SCHEDULE", 64, 9, 48},
            new Object[] {"EXPRESS_SCHEDULE", 30, 3, 22},
            new Object[] {"NOTIFY_ME", 8, 1, 0});

    static final int LATENCY_MINUTES = 60;
    /** The busiest endpoint series: WELCOME data_exchange, 40 requests a minute. */
    static final String BUSY_SCREEN = "WELCOME";
    static final String BUSY_ACTION = "data_exchange";
    static final int SPIKE_MINUTE_INDEX = 46;

    static final int STALE_SESSIONS = 30;
    static final int LEADS = 200;
    static final int ITEMS = 12;

    private AnalyticsFixtures() {
    }

    /** A new database on the shared embedded server with every migration applied. */
    static DataSource migratedDatabase(String prefix) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        EmbeddedPostgresServer server = EmbeddedPostgresServer.shared();
        dataSource.setUrl(server.newDatabase(prefix));
        dataSource.setUser(server.user());
        dataSource.setPassword(server.password());
        FlowgateSchema.migrate(dataSource);
        return dataSource;
    }

    static void insertAll(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            insertFunnels(c);
            insertLatency(c);
            insertAlerts(c);
            insertStaleSessions(c);
            insertLeads(c, 0, LEADS);
            insertInventory(c);
            insertExperiments(c);
            insertMetaHealth(c);
            VersionFixtures.insert(c);
            c.commit();
        }
    }

    static final String EXPERIMENT = "quote-copy";

    /**
     * One experiment on {@link #FLOW}: the control, a winning treatment {@code b} and a treatment {@code slow}
     * stopped by the p90 latency guardrail, with their funnels.
     */
    static void insertExperiments(Connection c) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("INSERT INTO flows (flow_id, flow_json, entry_screen) VALUES ('" + FLOW + "', '{}', 'WELCOME')");
            st.execute("INSERT INTO experiments (experiment_id, flow_id, status) VALUES ('" + EXPERIMENT + "', '" + FLOW + "', 'running')");
            st.execute("INSERT INTO experiment_variants (experiment_id, variant, is_control, weight) VALUES "
                    + "('" + EXPERIMENT + "', 'control', true, 1), ('" + EXPERIMENT + "', 'b', false, 1), ('" + EXPERIMENT + "', 'slow', false, 1)");
            st.execute("INSERT INTO experiment_guardrail_stops (experiment_id, variant, guardrail, observed, threshold, stopped_at) "
                    + "VALUES ('" + EXPERIMENT + "', 'slow', 'p90_latency', 2140, 1000, '2026-11-02T10:12:00Z')");
            st.execute("""
                    INSERT INTO experiment_results (experiment_id, variant, is_control, sessions, finished, completed, conversions,
                      conversion_rate, primary_metric, difference, ci_low, ci_high, p_value, decision, stopped_by, requests,
                      errors, error_rate, p90_ms, evaluated_at) VALUES
                    ('quote-copy', 'control', true, 1600, 1500, 465, 465, 0.31, 'completion', NULL, NULL, NULL, NULL, 'control', NULL, 6000, 60, 0.01, 180.5, '2026-11-02T11:59:00Z'),
                    ('quote-copy', 'b', false, 1580, 1490, 596, 596, 0.4, 'completion', 0.09, 0.031, 0.142, 0.0004, 'winner', NULL, 6100, 55, 0.009, 175.0, '2026-11-02T11:59:00Z'),
                    ('quote-copy', 'slow', false, 210, 200, 58, 58, 0.29, 'completion', -0.02, NULL, NULL, NULL, 'stopped_guardrail', 'p90_latency', 800, 8, 0.01, 2140.0, '2026-11-02T11:59:00Z')""");
            st.execute("""
                    INSERT INTO experiment_screen_dropoff (experiment_id, variant, screen, reached, dropped, completed, drop_rate, updated_at)
                    SELECT 'quote-copy', v.variant, s.screen, (v.finished * s.share)::bigint, 0, 0, 0, '2026-11-02T11:59:00Z'
                      FROM (VALUES ('control', 1500), ('b', 1490), ('slow', 200)) v (variant, finished),
                           (VALUES ('WELCOME', 1.0), ('DETAILS', 0.8), ('QUOTE', 0.56)) s (screen, share)""");
        }
    }

    /** p90 of the busy series in minute {@code i} (0 = an hour before the newest minute), with one slow minute. */
    static double busyP90(int i) {
        return i == SPIKE_MINUTE_INDEX ? 1240.0 : 95.0 + (i % 7) * 4;
    }

    static OffsetDateTime minute(int i) {
        return LATEST_MINUTE.minusMinutes(LATENCY_MINUTES - 1 - i);
    }

    private static void insertFunnels(Connection c) throws SQLException {
        String sql = """
                INSERT INTO screen_dropoff (flow_id, cohort_start, screen, source, reached, dropped, completed, drop_rate, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""";
        try (PreparedStatement insert = c.prepareStatement(sql)) {
            for (Object[] row : NEWEST_FUNNEL) {
                funnelRow(insert, FLOW, NEWEST_COHORT, "flow", (String) row[0], (int) row[1], (int) row[2], (int) row[3]);
                // the hour before: fewer sessions, all of them finished by now
                funnelRow(insert, FLOW, OLDER_COHORT, "flow", (String) row[0], (int) row[1] / 2, (int) row[2] / 2 + 1,
                        (int) row[3] / 2);
            }
            funnelRow(insert, CHAT, NEWEST_COHORT, "chat", "ASK_BUDGET", 40, 6, 21);
            funnelRow(insert, CHAT, NEWEST_COHORT, "chat", "ASK_TIMELINE", 31, 4, 21);
            funnelRow(insert, CHAT, NEWEST_COHORT, "chat", "QUALIFIED", 21, 0, 21);
            funnelRow(insert, HOSTILE_FLOW, NEWEST_COHORT, "flow", HOSTILE_SCREEN, 3, 1, 0);
            insert.executeBatch();
        }
    }

    private static void funnelRow(PreparedStatement insert, String flow, OffsetDateTime cohort, String source,
                                  String screen, int reached, int dropped, int completed) throws SQLException {
        insert.setString(1, flow);
        insert.setObject(2, cohort);
        insert.setString(3, screen);
        insert.setString(4, source);
        insert.setInt(5, reached);
        insert.setInt(6, dropped);
        insert.setInt(7, completed);
        insert.setDouble(8, reached == 0 ? 0 : (double) dropped / reached);
        insert.setObject(9, cohort.plusMinutes(52));
        insert.addBatch();
    }

    private static void insertLatency(Connection c) throws SQLException {
        String sql = """
                INSERT INTO endpoint_latency (screen, action, minute, requests, errors, error_rate, p50_ms, p90_ms, p95_ms, p99_ms, max_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
        try (PreparedStatement insert = c.prepareStatement(sql)) {
            for (int i = 0; i < LATENCY_MINUTES; i++) {
                double p90 = busyP90(i);
                int errors = i % 10 == 3 ? 2 : 0;
                latencyRow(insert, BUSY_SCREEN, BUSY_ACTION, minute(i), 40, errors, 38.0 + i % 5, p90, p90 * 1.3,
                        p90 * 2.1, p90 * 3);
                latencyRow(insert, "", "INIT", minute(i), 12, 0, 22.0, 41.0, 48.0, 70.0, 95.0);
                if (i % 2 == 0) {
                    latencyRow(insert, "", "ping", minute(i), 1, 0, 1.2, 1.2, 1.2, 1.2, 1.2);
                }
                latencyRow(insert, "STANDARD_SCHEDULE", "data_exchange", minute(i), 18, i == 50 ? 1 : 0, 45.0, 110.0,
                        150.0, 260.0, 300.0);
            }
            insert.executeBatch();
        }
    }

    private static void latencyRow(PreparedStatement insert, String screen, String action, OffsetDateTime minute,
                                   int requests, int errors, double p50, double p90, double p95, double p99, double max)
            throws SQLException {
        insert.setString(1, screen);
        insert.setString(2, action);
        insert.setObject(3, minute);
        insert.setInt(4, requests);
        insert.setInt(5, errors);
        insert.setDouble(6, (double) errors / requests);
        insert.setDouble(7, p50);
        insert.setDouble(8, p90);
        insert.setDouble(9, p95);
        insert.setDouble(10, p99);
        insert.setDouble(11, max);
        insert.addBatch();
    }

    /** Meta's example Flow id (Flows Webhooks page), linked to {@link #FLOW} and throttled by Meta. */
    static final String META_FLOW = "691244242662581";
    /** Another Flow Meta reported on, unknown to meta_flows. */
    static final String OTHER_META_FLOW = "12345678";
    /** When Meta sent its alerts: the end of the newest minute, so Meta's 30-minute window is minutes 30..59. */
    static final OffsetDateTime META_REPORTED = LATEST_MINUTE.plusMinutes(1);

    /**
     * Meta's history of two Flows, with Meta's documented figures (Flows Webhooks page: p50 500, p90 8000,
     * 34 requests, threshold 7000; error rate 14.28 over threshold 10): latency and error-rate alerts, a
     * status change to THROTTLED, and one metrics API point.
     */
    private static void insertMetaHealth(Connection c) throws SQLException {
        c.createStatement().execute("INSERT INTO meta_flows (flow_id, meta_flow_id, meta_status) VALUES ('" + FLOW + "', '"
                + META_FLOW + "', 'THROTTLED')");
        String sql = """
                INSERT INTO meta_flow_health (meta_flow_id, flow_id, source, kind, observed_at, alert_state, p50_ms, p90_ms,
                    error_rate, availability, requests, threshold, old_status, new_status, granularity, payload, dedup_key)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}'::jsonb, ?)""";
        try (PreparedStatement insert = c.prepareStatement(sql)) {
            metaRow(insert, META_FLOW, FLOW, "webhook", "FLOW_STATUS_CHANGE", META_REPORTED.minusMinutes(20), null,
                    null, null, null, null, null, null, "PUBLISHED", "THROTTLED", null);
            metaRow(insert, META_FLOW, FLOW, "metrics_api", "ENDPOINT_AVAILABILITY", minute(0), null,
                    null, null, null, 99.5, null, null, null, null, "HOUR");
            metaRow(insert, META_FLOW, FLOW, "webhook", "ENDPOINT_LATENCY", META_REPORTED, "ACTIVATED",
                    500.0, 8000.0, null, null, 34L, 7000.0, null, null, null);
            metaRow(insert, META_FLOW, FLOW, "webhook", "ENDPOINT_ERROR_RATE", META_REPORTED, "ACTIVATED",
                    null, null, 14.28, null, null, 10.0, null, null, null);
            metaRow(insert, OTHER_META_FLOW, null, "webhook", "ENDPOINT_AVAILABILITY", META_REPORTED.minusHours(3), "ACTIVATED",
                    null, null, null, 75.0, null, 90.0, null, null, null);
            insert.executeBatch();
        }
    }

    private static void metaRow(PreparedStatement insert, String metaFlowId, String flowId, String source, String kind,
                                OffsetDateTime at, String alertState, Double p50, Double p90, Double errorRate,
                                Double availability, Long requests, Double threshold, String oldStatus, String newStatus,
                                String granularity) throws SQLException {
        Object[] values = {metaFlowId, flowId, source, kind, at, alertState, p50, p90, errorRate, availability, requests,
                threshold, oldStatus, newStatus, granularity, metaFlowId + ":" + kind + ":" + at};
        for (int i = 0; i < values.length; i++) {
            insert.setObject(i + 1, values[i]);
        }
        insert.addBatch();
    }

    /**
     * Flowgate's own p90 over minutes {@code first}..{@code last} of the fixture: the request-weighted mean
     * of every series' minute p90, as the Meta panel compares it.
     */
    static double flowgateP90(int first, int last) {
        double weighted = 0;
        long requests = 0;
        for (int i = first; i <= last; i++) {
            weighted += 40 * busyP90(i) + 12 * 41.0 + 18 * 110.0 + (i % 2 == 0 ? 1.2 : 0);
            requests += 40 + 12 + 18 + (i % 2 == 0 ? 1 : 0);
        }
        return weighted / requests;
    }

    /** Rule 1 (p90 > 1 s, from the migration) fires in the spike minute; rule 2 (errors > 5 %) fired and resolved. */
    private static void insertAlerts(Connection c) throws SQLException {
        String sql = """
                INSERT INTO latency_alerts (alert_id, rule_id, screen, metric, state, value, threshold, window_start, window_end)
                VALUES (?, ?, '*', ?, ?, ?, ?, ?, ?)""";
        try (PreparedStatement insert = c.prepareStatement(sql)) {
            alertRow(insert, 2, "error_rate", "FIRING", 0.071, 0.05, minute(20));
            alertRow(insert, 2, "error_rate", "RESOLVED", 0.012, 0.05, minute(27));
            alertRow(insert, 1, "p90", "FIRING", 1240.0, 1000.0, minute(SPIKE_MINUTE_INDEX));
            insert.executeBatch();
        }
    }

    private static void alertRow(PreparedStatement insert, long rule, String metric, String state, double value,
                                 double threshold, OffsetDateTime minute) throws SQLException {
        OffsetDateTime windowEnd = minute.plusMinutes(1);
        insert.setString(1, "alert:" + rule + ":" + metric + ":" + windowEnd.toInstant().toEpochMilli() + ":" + state);
        insert.setLong(2, rule);
        insert.setString(3, metric);
        insert.setString(4, state);
        insert.setDouble(5, value);
        insert.setDouble(6, threshold);
        insert.setObject(7, windowEnd.minusMinutes(5));
        insert.setObject(8, windowEnd);
        insert.addBatch();
    }

    /** Where the stale sessions dropped: WELCOME 18, STANDARD_SCHEDULE 9, EXPRESS_SCHEDULE 3. */
    static String staleScreen(int i) {
        return i < 18 ? "WELCOME" : i < 27 ? "STANDARD_SCHEDULE" : "EXPRESS_SCHEDULE";
    }

    /** Session {@code i} went stale (i * 7) minutes before the newest minute: all within the last 4 hours. */
    static OffsetDateTime staleAt(int i) {
        return LATEST_MINUTE.minusMinutes(i * 7L);
    }

    private static void insertStaleSessions(Connection c) throws SQLException {
        String sql = """
                INSERT INTO stale_sessions (session_id, event_id, flow_id, user_id, source, last_screen, last_event_at, stale_at, session_started_at)
                VALUES (?, ?, ?, ?, 'flow', ?, ?, ?, ?)""";
        try (PreparedStatement insert = c.prepareStatement(sql)) {
            for (int i = 0; i < STALE_SESSIONS; i++) {
                OffsetDateTime staleAt = staleAt(i);
                insert.setString(1, "s-" + i);
                insert.setString(2, "stale:s-" + i);
                insert.setString(3, FLOW);
                insert.setString(4, "1555000" + String.format("%04d", i));
                insert.setString(5, staleScreen(i));
                insert.setObject(6, staleAt.minusMinutes(30));
                insert.setObject(7, staleAt);
                insert.setObject(8, staleAt.minusMinutes(34));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** Lead {@code i}'s score: spread over 0–100 by a fixed permutation. */
    static int score(int i) {
        return (i * 37) % 101;
    }

    static String tier(int score) {
        return score >= 70 ? "hot" : score >= 40 ? "warm" : "cold";
    }

    static void insertLeads(Connection c, int first, int count) throws SQLException {
        String sql = """
                INSERT INTO lead_scores (wa_id, score, tier, reasons, sessions, completed_sessions, stale_sessions, updated_at)
                VALUES (?, ?, ?, '["completed 1 session(s) (+20)"]'::jsonb, 1, ?, ?, ?)""";
        try (PreparedStatement insert = c.prepareStatement(sql)) {
            for (int i = first; i < first + count; i++) {
                int score = score(i);
                insert.setString(1, "1666" + String.format("%07d", i));
                insert.setInt(2, score);
                insert.setString(3, tier(score));
                insert.setInt(4, score >= 40 ? 1 : 0);
                insert.setInt(5, score < 40 ? 1 : 0);
                insert.setObject(6, LATEST_MINUTE.minusMinutes(i % 90));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** Item {@code i}'s demand in the window: item 0 the most wanted. */
    static int demand(int i) {
        return 40 - i * 3;
    }

    static String itemId(int i) {
        return i == 5 ? HOSTILE_ITEM : "item-" + String.format("%02d", i);
    }

    /** Hot: demand of 25 or more, or out of stock with demand (item 9). */
    static boolean hot(int i) {
        return demand(i) >= 25 || i == 9;
    }

    static Integer stock(int i) {
        return i == 9 ? Integer.valueOf(0) : i == 11 ? null : 5 + i * 2;
    }

    private static void insertInventory(Connection c) throws SQLException {
        String sql = """
                INSERT INTO hot_inventory (item_id, demand, window_start, window_end, stock, hot, stockout_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""";
        OffsetDateTime windowEnd = LATEST_MINUTE.plusMinutes(1);
        try (PreparedStatement insert = c.prepareStatement(sql)) {
            for (int i = 0; i < ITEMS; i++) {
                insert.setString(1, itemId(i));
                insert.setInt(2, demand(i));
                insert.setObject(3, windowEnd.minusHours(1));
                insert.setObject(4, windowEnd);
                insert.setObject(5, stock(i));
                insert.setBoolean(6, hot(i));
                insert.setObject(7, stock(i) == null ? null : windowEnd.plusMinutes(60L * stock(i) / demand(i)));
                insert.setObject(8, windowEnd);
                insert.addBatch();
            }
            // an item whose demand left the window: not among the hottest
            insert.setString(1, "item-gone");
            insert.setInt(2, 0);
            insert.setObject(3, windowEnd.minusHours(1));
            insert.setObject(4, windowEnd);
            insert.setObject(5, 3);
            insert.setBoolean(6, false);
            insert.setObject(7, null);
            insert.setObject(8, windowEnd);
            insert.addBatch();
            insert.executeBatch();
        }
    }
}
