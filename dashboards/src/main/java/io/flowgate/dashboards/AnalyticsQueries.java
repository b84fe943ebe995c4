package io.flowgate.dashboards;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every read the dashboard makes, one method per chart. Each query is bounded twice: by a time range
 * that ends at the newest row of its table (analytics times are event times, so a recomputed or
 * replayed history still shows), and by a row limit. The columns mean what {@code docs/analytics.md}
 * says; nothing here recomputes analytics, it only selects and groups what the Flink jobs wrote.
 */
final class AnalyticsQueries {

    static final int MAX_FLOWS = 200;
    static final int MAX_COHORTS = 72;
    static final int MAX_SCREENS = 100;
    static final int MAX_LATENCY_SERIES = 50;
    static final int MAX_ALERT_ROWS = 100;
    static final int RECENT_ALERTS = 20;
    static final int TOP_STALE_SCREENS = 10;
    static final int SCORE_BUCKETS = 10;
    // a slow query must not hold a worker while the page asks again a few seconds later
    private static final int QUERY_TIMEOUT_SECONDS = 5;

    private final DataSource dataSource;

    AnalyticsQueries(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    DataSource dataSource() {
        return dataSource;
    }

    record Flow(String flowId, String source) {
    }

    record FunnelScreen(String screen, long reached, long dropped, long completed, double dropRate) {
    }

    /** The Flows (busiest first), the selected Flow's cohorts (newest first) and its screens in that cohort. */
    record Funnel(List<Flow> flows, String flow, List<String> cohorts, String cohort, List<FunnelScreen> screens,
                  String updatedAt) {
    }

    /**
     * @param flow   a flow id, or null for the busiest Flow
     * @param cohort a cohort start, or null for the Flow's newest cohort
     */
    Funnel funnel(String flow, OffsetDateTime cohort) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<Flow> flows = list(c, """
                    SELECT flow_id, min(source) AS source
                      FROM screen_dropoff
                     WHERE cohort_start >= (SELECT max(cohort_start) FROM screen_dropoff) - interval '30 days'
                     GROUP BY flow_id
                     ORDER BY sum(reached) DESC, flow_id
                     LIMIT ?""", rs -> new Flow(rs.getString("flow_id"), rs.getString("source")), MAX_FLOWS);
            String selected = flow != null ? flow : flows.isEmpty() ? null : flows.get(0).flowId();
            if (selected == null) {
                return new Funnel(flows, null, List.of(), null, List.of(), null);
            }
            List<OffsetDateTime> cohortStarts = list(c, """
                    SELECT DISTINCT cohort_start FROM screen_dropoff
                     WHERE flow_id = ?
                     ORDER BY cohort_start DESC
                     LIMIT ?""", rs -> time(rs, "cohort_start"), selected, MAX_COHORTS);
            OffsetDateTime selectedCohort = cohort != null ? cohort : cohortStarts.isEmpty() ? null : cohortStarts.get(0);
            List<String> cohorts = cohortStarts.stream().map(AnalyticsQueries::iso).toList();
            if (selectedCohort == null) {
                return new Funnel(flows, selected, cohorts, null, List.of(), null);
            }
            OffsetDateTime[] updatedAt = {null};
            List<FunnelScreen> screens = list(c, """
                    SELECT screen, reached, dropped, completed, drop_rate, updated_at
                      FROM screen_dropoff
                     WHERE flow_id = ? AND cohort_start = ?
                     ORDER BY reached DESC, screen
                     LIMIT ?""", rs -> {
                OffsetDateTime updated = time(rs, "updated_at");
                if (updatedAt[0] == null || updated.isAfter(updatedAt[0])) {
                    updatedAt[0] = updated;
                }
                return new FunnelScreen(rs.getString("screen"), rs.getLong("reached"), rs.getLong("dropped"),
                        rs.getLong("completed"), rs.getDouble("drop_rate"));
            }, selected, selectedCohort, MAX_SCREENS);
            return new Funnel(flows, selected, cohorts, iso(selectedCohort), screens, iso(updatedAt[0]));
        }
    }

    record LatencySeries(String screen, String action, long requests) {
    }

    record LatencyPoint(String minute, long requests, long errors, double errorRate, double p50Ms, double p90Ms,
                        double p95Ms, double p99Ms, double maxMs) {
    }

    /** The (screen, action) series of the window (busiest first) and the minutes of the selected one. */
    record Latency(int minutes, String from, String to, List<LatencySeries> series, String screen, String action,
                   List<LatencyPoint> points) {
    }

    /**
     * @param screen  with {@code action}: the series to draw; both null for the busiest one. The screen
     *                is empty for requests without one (ping, INIT).
     * @param minutes how far back from the newest minute
     */
    Latency latency(String screen, String action, int minutes) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            OffsetDateTime to = single(c, "SELECT max(minute) AS latest FROM endpoint_latency", rs -> time(rs, "latest"));
            if (to == null) {
                return new Latency(minutes, null, null, List.of(), null, null, List.of());
            }
            // the newest minute and the (minutes - 1) before it
            OffsetDateTime from = to.minusMinutes(minutes);
            List<LatencySeries> series = list(c, """
                    SELECT screen, action, sum(requests) AS requests
                      FROM endpoint_latency
                     WHERE minute > ? AND minute <= ?
                     GROUP BY screen, action
                     ORDER BY sum(requests) DESC, screen, action
                     LIMIT ?""", rs -> new LatencySeries(rs.getString("screen"), rs.getString("action"),
                    rs.getLong("requests")), from, to, MAX_LATENCY_SERIES);
            String selectedScreen = screen;
            String selectedAction = action;
            if (selectedScreen == null || selectedAction == null) {
                if (series.isEmpty()) {
                    return new Latency(minutes, iso(from), iso(to), series, null, null, List.of());
                }
                selectedScreen = series.get(0).screen();
                selectedAction = series.get(0).action();
            }
            List<LatencyPoint> points = list(c, """
                    SELECT minute, requests, errors, error_rate, p50_ms, p90_ms, p95_ms, p99_ms, max_ms
                      FROM endpoint_latency
                     WHERE screen = ? AND action = ? AND minute > ? AND minute <= ?
                     ORDER BY minute""", rs -> new LatencyPoint(iso(time(rs, "minute")), rs.getLong("requests"),
                    rs.getLong("errors"), rs.getDouble("error_rate"), rs.getDouble("p50_ms"), rs.getDouble("p90_ms"),
                    rs.getDouble("p95_ms"), rs.getDouble("p99_ms"), rs.getDouble("max_ms")),
                    selectedScreen, selectedAction, from, to);
            return new Latency(minutes, iso(from), iso(to), series, selectedScreen, selectedAction, points);
        }
    }

    record Alert(String alertId, long ruleId, String screen, String metric, String state, double value,
                 double threshold, String windowStart, String windowEnd, String description) {
    }

    record Rule(long ruleId, String screen, String percentile, Double thresholdMs, Double errorRateThreshold,
                int windowMinutes, boolean enabled, String description) {
    }

    /** Alerts whose latest state is FIRING, the latest transitions, and the thresholds in force. */
    record Alerts(List<Alert> active, List<Alert> recent, List<Rule> rules) {
    }

    Alerts alerts() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            // each condition (rule, metric) fires once and resolves once: its newest row is its state
            List<Alert> active = list(c, """
                    SELECT a.*, r.description
                      FROM (SELECT DISTINCT ON (rule_id, screen, metric) *
                              FROM latency_alerts
                             ORDER BY rule_id, screen, metric, window_end DESC) a
                      LEFT JOIN latency_alert_rules r USING (rule_id)
                     WHERE a.state = 'FIRING'
                     ORDER BY a.window_end DESC, a.alert_id
                     LIMIT ?""", AnalyticsQueries::alert, MAX_ALERT_ROWS);
            List<Alert> recent = list(c, """
                    SELECT a.*, r.description
                      FROM latency_alerts a LEFT JOIN latency_alert_rules r USING (rule_id)
                     ORDER BY a.window_end DESC, a.alert_id
                     LIMIT ?""", AnalyticsQueries::alert, RECENT_ALERTS);
            List<Rule> rules = list(c, """
                    SELECT rule_id, screen, percentile, threshold_ms, error_rate_threshold, window_minutes, enabled,
                           description
                      FROM latency_alert_rules
                     ORDER BY rule_id
                     LIMIT ?""", rs -> new Rule(rs.getLong("rule_id"), rs.getString("screen"),
                    rs.getString("percentile"), (Double) rs.getObject("threshold_ms"),
                    (Double) rs.getObject("error_rate_threshold"), rs.getInt("window_minutes"),
                    rs.getBoolean("enabled"), rs.getString("description")), MAX_ALERT_ROWS);
            return new Alerts(active, recent, rules);
        }
    }

    record StaleBucket(String start, long sessions) {
    }

    record ScreenCount(String screen, long sessions) {
    }

    /** Sessions gone stale per time bucket (every bucket of the range, zeros included) and where they dropped. */
    record Stale(int hours, int bucketMinutes, String from, String to, long total, List<StaleBucket> buckets,
                 List<ScreenCount> byScreen) {
    }

    /** @param hours how far back from the newest stale session */
    Stale stale(int hours) throws SQLException {
        int bucketMinutes = hours <= 6 ? 5 : hours <= 24 ? 15 : hours <= 48 ? 30 : 60;
        try (Connection c = dataSource.getConnection()) {
            OffsetDateTime latest = single(c, "SELECT max(stale_at) AS latest FROM stale_sessions", rs -> time(rs, "latest"));
            if (latest == null) {
                return new Stale(hours, bucketMinutes, null, null, 0, List.of(), List.of());
            }
            long bucketSeconds = bucketMinutes * 60L;
            OffsetDateTime to = bucketStart(latest, bucketSeconds).plusSeconds(bucketSeconds);
            OffsetDateTime from = to.minusHours(hours);
            Map<OffsetDateTime, Long> counts = new LinkedHashMap<>();
            for (OffsetDateTime t = from; t.isBefore(to); t = t.plusSeconds(bucketSeconds)) {
                counts.put(t, 0L);
            }
            long[] total = {0};
            list(c, """
                    SELECT to_timestamp(floor(extract(epoch FROM stale_at) / ?) * ?) AS bucket, count(*) AS sessions
                      FROM stale_sessions
                     WHERE stale_at >= ? AND stale_at < ?
                     GROUP BY 1""", rs -> {
                long sessions = rs.getLong("sessions");
                counts.merge(time(rs, "bucket"), sessions, Long::sum);
                total[0] += sessions;
                return null;
            }, bucketSeconds, bucketSeconds, from, to);
            List<StaleBucket> buckets = new ArrayList<>(counts.size());
            counts.forEach((start, sessions) -> buckets.add(new StaleBucket(iso(start), sessions)));
            List<ScreenCount> byScreen = list(c, """
                    SELECT last_screen, count(*) AS sessions
                      FROM stale_sessions
                     WHERE stale_at >= ? AND stale_at < ?
                     GROUP BY last_screen
                     ORDER BY count(*) DESC, last_screen
                     LIMIT ?""", rs -> new ScreenCount(rs.getString("last_screen"), rs.getLong("sessions")),
                    from, to, TOP_STALE_SCREENS);
            return new Stale(hours, bucketMinutes, iso(from), iso(to), total[0], buckets, byScreen);
        }
    }

    record TierCount(String tier, long users) {
    }

    /** Users per score decile, split by tier: scores {@code from}..{@code to} inclusive. */
    record ScoreBucket(int from, int to, long hot, long warm, long cold) {
    }

    record Leads(long total, List<TierCount> tiers, List<ScoreBucket> buckets, String updatedAt) {
    }

    Leads leads() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            long[][] perBucket = new long[SCORE_BUCKETS][3];
            Map<String, Long> tiers = new LinkedHashMap<>(Map.of("hot", 0L, "warm", 0L, "cold", 0L));
            long[] total = {0};
            list(c, """
                    SELECT least(score / 10, 9) AS bucket, tier, count(*) AS users
                      FROM lead_scores
                     GROUP BY 1, 2""", rs -> {
                int tier = switch (rs.getString("tier")) {
                    case "hot" -> 0;
                    case "warm" -> 1;
                    default -> 2;
                };
                long users = rs.getLong("users");
                perBucket[rs.getInt("bucket")][tier] += users;
                tiers.merge(rs.getString("tier"), users, Long::sum);
                total[0] += users;
                return null;
            });
            String updatedAt = single(c, "SELECT max(updated_at) AS latest FROM lead_scores",
                    rs -> iso(time(rs, "latest")));
            List<ScoreBucket> buckets = new ArrayList<>(SCORE_BUCKETS);
            for (int b = 0; b < SCORE_BUCKETS; b++) {
                buckets.add(new ScoreBucket(b * 10, b == SCORE_BUCKETS - 1 ? 100 : b * 10 + 9,
                        perBucket[b][0], perBucket[b][1], perBucket[b][2]));
            }
            List<TierCount> tierCounts = List.of(new TierCount("hot", tiers.get("hot")),
                    new TierCount("warm", tiers.get("warm")), new TierCount("cold", tiers.get("cold")));
            return new Leads(total[0], tierCounts, buckets, updatedAt);
        }
    }

    record Item(String itemId, long demand, Integer stock, boolean hot, String stockoutAt, String windowEnd) {
    }

    /** The items with the most demand in their current window, and how many items are hot in all. */
    record Inventory(int limit, long hotItems, List<Item> items) {
    }

    Inventory inventory(int limit) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<Item> items = list(c, """
                    SELECT item_id, demand, stock, hot, stockout_at, window_end
                      FROM hot_inventory
                     WHERE demand > 0
                     ORDER BY demand DESC, item_id
                     LIMIT ?""", rs -> new Item(rs.getString("item_id"), rs.getLong("demand"),
                    (Integer) rs.getObject("stock"), rs.getBoolean("hot"), iso(time(rs, "stockout_at")),
                    iso(time(rs, "window_end"))), limit);
            long hot = single(c, "SELECT count(*) AS hot FROM hot_inventory WHERE hot", rs -> rs.getLong("hot"));
            return new Inventory(limit, hot, items);
        }
    }

    private static Alert alert(ResultSet rs) throws SQLException {
        return new Alert(rs.getString("alert_id"), rs.getLong("rule_id"), rs.getString("screen"),
                rs.getString("metric"), rs.getString("state"), rs.getDouble("value"), rs.getDouble("threshold"),
                iso(time(rs, "window_start")), iso(time(rs, "window_end")), rs.getString("description"));
    }

    @FunctionalInterface
    interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    static <T> List<T> list(Connection c, String sql, Row<T> row, Object... parameters) throws SQLException {
        try (PreparedStatement statement = prepare(c, sql, parameters); ResultSet rs = statement.executeQuery()) {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                T value = row.read(rs);
                if (value != null) {
                    rows.add(value);
                }
            }
            return rows;
        }
    }

    private static <T> T single(Connection c, String sql, Row<T> row) throws SQLException {
        try (PreparedStatement statement = prepare(c, sql); ResultSet rs = statement.executeQuery()) {
            return rs.next() ? row.read(rs) : null;
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... parameters) throws SQLException {
        PreparedStatement statement = c.prepareStatement(sql);
        try {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement;
        } catch (SQLException e) {
            statement.close();
            throw e;
        }
    }

    static OffsetDateTime time(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.withOffsetSameInstant(ZoneOffset.UTC);
    }

    private static OffsetDateTime bucketStart(OffsetDateTime time, long bucketSeconds) {
        long epoch = time.toEpochSecond();
        return OffsetDateTime.ofInstant(Instant.ofEpochSecond(Math.floorDiv(epoch, bucketSeconds) * bucketSeconds),
                ZoneOffset.UTC);
    }

    static String iso(OffsetDateTime time) {
        return time == null ? null : time.toInstant().toString();
    }
}
