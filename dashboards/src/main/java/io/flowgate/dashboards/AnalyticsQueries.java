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

    static final int MAX_EXPERIMENTS = 50;
    static final int MAX_VARIANTS = 20;
    static final int MAX_EXPERIMENT_SCREENS = 500;

    /** @param flowId the experiment's Flow, or its chat machine for an experiment on a chat machine */
    record ExperimentSummary(String experimentId, String flowId, String status, String primaryMetric, Double alpha) {
    }

    /** A variant's {@code experiment_results} row and, when it was stopped, its guardrail stop. */
    record ExperimentVariant(String variant, boolean control, long sessions, long finished, long completed,
                             long conversions, double conversionRate, String primaryMetric, Double difference,
                             Double ciLow, Double ciHigh, Double pValue, String decision, long requests,
                             double errorRate, double p90Ms, String evaluatedAt, String stoppedBy, Double stopObserved,
                             Double stopThreshold, String stoppedAt) {
    }

    record ExperimentScreen(String variant, String screen, long reached, long dropped, long completed, double dropRate) {
    }

    /** The experiments the job has results for (latest first), and the selected one's variants and screens. */
    record Experiments(List<ExperimentSummary> experiments, String experiment, List<ExperimentVariant> variants,
                       List<ExperimentScreen> screens) {
    }

    /** @param experiment an experiment id, or null for the one evaluated last */
    Experiments experiments(String experiment) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<ExperimentSummary> experiments = list(c, """
                    SELECT r.experiment_id, coalesce(e.flow_id, e.machine_id) AS flow_id, e.status, e.primary_metric, e.alpha
                      FROM (SELECT experiment_id, max(evaluated_at) AS last FROM experiment_results GROUP BY experiment_id) r
                      LEFT JOIN experiments e ON e.experiment_id = r.experiment_id
                     ORDER BY r.last DESC, r.experiment_id
                     LIMIT ?""", rs -> new ExperimentSummary(rs.getString("experiment_id"), rs.getString("flow_id"),
                    rs.getString("status"), rs.getString("primary_metric"), (Double) rs.getObject("alpha")), MAX_EXPERIMENTS);
            String selected = experiment != null ? experiment : experiments.isEmpty() ? null : experiments.get(0).experimentId();
            if (selected == null) {
                return new Experiments(experiments, null, List.of(), List.of());
            }
            List<ExperimentVariant> variants = list(c, """
                    SELECT r.*, s.guardrail, s.observed, s.threshold, s.stopped_at
                      FROM experiment_results r
                      LEFT JOIN experiment_guardrail_stops s ON s.experiment_id = r.experiment_id AND s.variant = r.variant
                     WHERE r.experiment_id = ?
                     ORDER BY r.is_control DESC, r.variant
                     LIMIT ?""", rs -> new ExperimentVariant(rs.getString("variant"), rs.getBoolean("is_control"),
                    rs.getLong("sessions"), rs.getLong("finished"), rs.getLong("completed"), rs.getLong("conversions"),
                    rs.getDouble("conversion_rate"), rs.getString("primary_metric"), (Double) rs.getObject("difference"),
                    (Double) rs.getObject("ci_low"), (Double) rs.getObject("ci_high"), (Double) rs.getObject("p_value"),
                    rs.getString("decision"), rs.getLong("requests"), rs.getDouble("error_rate"), rs.getDouble("p90_ms"),
                    iso(time(rs, "evaluated_at")), rs.getString("guardrail"), (Double) rs.getObject("observed"),
                    (Double) rs.getObject("threshold"), iso(time(rs, "stopped_at"))), selected, MAX_VARIANTS);
            List<ExperimentScreen> screens = list(c, """
                    SELECT variant, screen, reached, dropped, completed, drop_rate
                      FROM experiment_screen_dropoff
                     WHERE experiment_id = ?
                     ORDER BY variant, reached DESC, screen
                     LIMIT ?""", rs -> new ExperimentScreen(rs.getString("variant"), rs.getString("screen"),
                    rs.getLong("reached"), rs.getLong("dropped"), rs.getLong("completed"), rs.getDouble("drop_rate")),
                    selected, MAX_EXPERIMENT_SCREENS);
            return new Experiments(experiments, selected, variants, screens);
        }
    }

    record MetaFlow(String metaFlowId, String flowId, String status, String since) {
    }

    /**
     * One figure Meta reported (a webhook alert or a metrics API point) beside Flowgate's own figures for
     * the same window, and the differences (Meta minus Flowgate: the network and TLS time Meta sees).
     */
    record MetaPoint(String observedAt, String windowStart, String windowEnd, String source, String kind,
                     String granularity, String alertState, String oldStatus, String newStatus,
                     Double metaP50Ms, Double metaP90Ms, Double metaErrorRate, Double metaAvailability,
                     Long metaRequests, Double metricValue, Double threshold,
                     Long flowgateRequests, Double flowgateP50Ms, Double flowgateP90Ms, Double flowgateErrorRate,
                     Double p50DifferenceMs, Double p90DifferenceMs) {
    }

    /** The Flows Meta reported on (newest first), and the selected one's figures, oldest first. */
    record MetaHealth(List<MetaFlow> flows, String flow, String flowId, String status, List<MetaPoint> points) {
    }

    /** The Flows Meta throttles or blocks now: shown on the page until they recover. */
    record MetaStatus(List<MetaFlow> degraded) {
    }

    static final int MAX_META_POINTS = 200;

    /**
     * Each Meta Flow's status now: {@code meta_flows.meta_status} when the Flow is known there, else the
     * newest {@code FLOW_STATUS_CHANGE} Meta sent about it; {@code since} is when Meta reported it.
     */
    private static final String META_STATUS = """
            WITH latest AS (
                SELECT DISTINCT ON (meta_flow_id) meta_flow_id, flow_id, new_status, observed_at
                  FROM meta_flow_health
                 WHERE kind = 'FLOW_STATUS_CHANGE' AND new_status IS NOT NULL
                 ORDER BY meta_flow_id, observed_at DESC, id DESC),
            status AS (
                SELECT meta_flow_id, coalesce(m.flow_id, l.flow_id) AS flow_id,
                       coalesce(m.meta_status, l.new_status) AS status, l.observed_at AS since
                  FROM meta_flows m FULL JOIN latest l USING (meta_flow_id))
            """;

    MetaStatus metaStatus() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return new MetaStatus(list(c, META_STATUS + """
                    SELECT * FROM status WHERE status IN ('THROTTLED', 'BLOCKED')
                     ORDER BY status, since DESC NULLS LAST, meta_flow_id
                     LIMIT ?""", AnalyticsQueries::metaFlow, MAX_FLOWS));
        }
    }

    /**
     * @param flow Meta's or Flowgate's id of a Flow, or null for the Flow Meta reported on last.
     *             Flowgate's own figures are those of the whole endpoint ({@code endpoint_latency} has no
     *             Flow): requests, the request-weighted mean of the minutes' p50 and p90 (percentiles do
     *             not add up, so this approximates the window's), and the error rate in percent.
     */
    MetaHealth metaHealth(String flow) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<MetaFlow> flows = list(c, META_STATUS + """
                    SELECT h.meta_flow_id, coalesce(s.flow_id, max(h.flow_id)) AS flow_id, s.status,
                           max(h.observed_at) AS since
                      FROM meta_flow_health h LEFT JOIN status s USING (meta_flow_id)
                     GROUP BY h.meta_flow_id, s.flow_id, s.status
                     ORDER BY max(h.observed_at) DESC, h.meta_flow_id
                     LIMIT ?""", AnalyticsQueries::metaFlow, MAX_FLOWS);
            MetaFlow selected = flow == null ? (flows.isEmpty() ? null : flows.get(0))
                    : flows.stream().filter(f -> flow.equals(f.metaFlowId()) || flow.equals(f.flowId())).findFirst()
                            .orElse(new MetaFlow(flow, null, null, null));
            if (selected == null) {
                return new MetaHealth(flows, null, null, null, List.of());
            }
            List<MetaPoint> points = list(c, """
                    SELECT * FROM (
                        SELECT h.*, f.requests AS fg_requests, f.p50 AS fg_p50, f.p90 AS fg_p90, f.error_rate AS fg_error_rate
                          FROM (SELECT observed_at, source, kind, granularity, alert_state, old_status, new_status, p50_ms,
                                       p90_ms, error_rate, availability, requests, metric_value, threshold, id,
                                       CASE WHEN source = 'metrics_api' THEN observed_at
                                            ELSE observed_at - make_interval(mins => CASE kind
                                                WHEN 'ENDPOINT_AVAILABILITY' THEN 10 WHEN 'CLIENT_ERROR_RATE' THEN 60
                                                ELSE 30 END) END AS window_start,
                                       CASE WHEN source = 'metrics_api' THEN observed_at + CASE granularity
                                                WHEN 'HOUR' THEN interval '1 hour' WHEN 'DAY' THEN interval '1 day'
                                                ELSE interval '0' END
                                            ELSE observed_at END AS window_end
                                  FROM meta_flow_health
                                 WHERE meta_flow_id = ?
                                 ORDER BY observed_at DESC, id DESC
                                 LIMIT ?) h
                          LEFT JOIN LATERAL (
                                SELECT sum(requests) AS requests,
                                       sum(p50_ms * requests) / nullif(sum(requests), 0) AS p50,
                                       sum(p90_ms * requests) / nullif(sum(requests), 0) AS p90,
                                       100.0 * sum(errors) / nullif(sum(requests), 0) AS error_rate
                                  FROM endpoint_latency
                                 WHERE minute >= h.window_start AND minute < h.window_end) f ON true) p
                     ORDER BY observed_at, id""", AnalyticsQueries::metaPoint, selected.metaFlowId(), MAX_META_POINTS);
            return new MetaHealth(flows, selected.metaFlowId(), selected.flowId(), selected.status(), points);
        }
    }

    private static MetaFlow metaFlow(ResultSet rs) throws SQLException {
        return new MetaFlow(rs.getString("meta_flow_id"), rs.getString("flow_id"), rs.getString("status"),
                iso(time(rs, "since")));
    }

    private static MetaPoint metaPoint(ResultSet rs) throws SQLException {
        Double metaP50 = decimal(rs, "p50_ms");
        Double metaP90 = decimal(rs, "p90_ms");
        Long fgRequests = whole(rs, "fg_requests");
        Double fgP50 = decimal(rs, "fg_p50");
        Double fgP90 = decimal(rs, "fg_p90");
        return new MetaPoint(iso(time(rs, "observed_at")), iso(time(rs, "window_start")), iso(time(rs, "window_end")),
                rs.getString("source"), rs.getString("kind"), rs.getString("granularity"), rs.getString("alert_state"),
                rs.getString("old_status"), rs.getString("new_status"), metaP50, metaP90, decimal(rs, "error_rate"),
                decimal(rs, "availability"), whole(rs, "requests"), decimal(rs, "metric_value"),
                decimal(rs, "threshold"), fgRequests, fgP50, fgP90, decimal(rs, "fg_error_rate"),
                metaP50 == null || fgP50 == null ? null : metaP50 - fgP50,
                metaP90 == null || fgP90 == null ? null : metaP90 - fgP90);
    }

    private static Long whole(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static Double decimal(ResultSet rs, String column) throws SQLException {
        double value = rs.getDouble(column);
        return rs.wasNull() ? null : value;
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
