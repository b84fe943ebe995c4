package io.flowgate.analytics;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.flowgate.analytics.records.EndpointLatencyRow;
import io.flowgate.analytics.records.ExperimentResultRow;
import io.flowgate.analytics.records.ExperimentScreenRow;
import io.flowgate.analytics.records.HotInventoryRow;
import io.flowgate.analytics.records.LeadScoreRow;
import io.flowgate.analytics.records.ScreenDropoffRow;
import io.flowgate.analytics.records.ScreenPathRow;
import io.flowgate.analytics.records.ScreenTimeRow;
import io.flowgate.events.EventJson;
import io.flowgate.events.ExperimentGuardrailBreached;
import io.flowgate.events.LatencyAlert;
import io.flowgate.events.StaleSession;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JDBC upsert sinks: one {@code INSERT … ON CONFLICT (the table's key) DO UPDATE} per table, always
 * writing absolute values, so a row written twice (a replay after a restore, a batch recompute) ends the
 * same. The statements bind columns in the order of the SQL next to them.
 *
 * <p>A streaming job writes {@code screen_dropoff}, {@code screen_dropoff_by_version}, {@code screen_time},
 * {@code screen_paths}, {@code endpoint_latency} and {@code stale_sessions} through
 * a guard ({@link GuardedUpsertSink}): counts never go down and a stale session's row is never rewritten
 * with other values, because within one job's history they never legitimately do (docs/analytics.md). A
 * job that started from scratch by mistake is refused, loudly. A batch recompute is deliberate and writes
 * without the guard, so it can correct rows.
 */
final class TableSinks {

    static final String SCREEN_DROPOFF = """
            INSERT INTO screen_dropoff (flow_id, cohort_start, screen, source, reached, dropped, completed, drop_rate, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (flow_id, cohort_start, screen) DO UPDATE SET
              source = EXCLUDED.source, reached = EXCLUDED.reached, dropped = EXCLUDED.dropped,
              completed = EXCLUDED.completed, drop_rate = EXCLUDED.drop_rate, updated_at = EXCLUDED.updated_at""";

    /** Counts of a cohort's screen only grow: reached, dropped and completed are each counted once per session. */
    static final String SCREEN_DROPOFF_GUARD = """

            WHERE EXCLUDED.reached >= screen_dropoff.reached AND EXCLUDED.dropped >= screen_dropoff.dropped
              AND EXCLUDED.completed >= screen_dropoff.completed""";

    static final String SCREEN_DROPOFF_BY_VERSION = """
            INSERT INTO screen_dropoff_by_version (flow_id, flow_version, cohort_start, screen, source, reached, dropped, completed,
                drop_rate, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (flow_id, flow_version, cohort_start, screen) DO UPDATE SET
              source = EXCLUDED.source, reached = EXCLUDED.reached, dropped = EXCLUDED.dropped,
              completed = EXCLUDED.completed, drop_rate = EXCLUDED.drop_rate, updated_at = EXCLUDED.updated_at""";

    /** The same counts as {@code screen_dropoff}'s, split by Flow version: each only grows. */
    static final String SCREEN_DROPOFF_BY_VERSION_GUARD = """

            WHERE EXCLUDED.reached >= screen_dropoff_by_version.reached AND EXCLUDED.dropped >= screen_dropoff_by_version.dropped
              AND EXCLUDED.completed >= screen_dropoff_by_version.completed""";

    static final String SCREEN_TIME = """
            INSERT INTO screen_time (flow_id, flow_version, screen, views, moved_on, dropped_off, p50_ms, p90_ms,
                p50_moved_on_ms, p90_moved_on_ms, max_moved_on_ms, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (flow_id, flow_version, screen) DO UPDATE SET
              views = EXCLUDED.views, moved_on = EXCLUDED.moved_on, dropped_off = EXCLUDED.dropped_off,
              p50_ms = EXCLUDED.p50_ms, p90_ms = EXCLUDED.p90_ms, p50_moved_on_ms = EXCLUDED.p50_moved_on_ms,
              p90_moved_on_ms = EXCLUDED.p90_moved_on_ms, max_moved_on_ms = EXCLUDED.max_moved_on_ms,
              updated_at = EXCLUDED.updated_at""";

    /** A view is counted once, when the session leaves the screen: both counts only grow. */
    static final String SCREEN_TIME_GUARD = """

            WHERE EXCLUDED.moved_on >= screen_time.moved_on AND EXCLUDED.dropped_off >= screen_time.dropped_off""";

    static final String SCREEN_PATHS = """
            INSERT INTO screen_paths (flow_id, flow_version, from_screen, to_screen, action, transitions, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (flow_id, flow_version, from_screen, to_screen, action) DO UPDATE SET
              transitions = EXCLUDED.transitions, updated_at = EXCLUDED.updated_at""";

    /** A transition is counted once, when it is applied in order: the count only grows. */
    static final String SCREEN_PATHS_GUARD = """

            WHERE EXCLUDED.transitions >= screen_paths.transitions""";

    static final String ENDPOINT_LATENCY = """
            INSERT INTO endpoint_latency (screen, action, minute, requests, errors, error_rate, p50_ms, p90_ms, p95_ms, p99_ms, max_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (screen, action, minute) DO UPDATE SET
              requests = EXCLUDED.requests, errors = EXCLUDED.errors, error_rate = EXCLUDED.error_rate,
              p50_ms = EXCLUDED.p50_ms, p90_ms = EXCLUDED.p90_ms, p95_ms = EXCLUDED.p95_ms,
              p99_ms = EXCLUDED.p99_ms, max_ms = EXCLUDED.max_ms""";

    /** A minute's row is written once, when the watermark passes the minute: a replay writes the same requests. */
    static final String ENDPOINT_LATENCY_GUARD = """

            WHERE EXCLUDED.requests >= endpoint_latency.requests""";

    static final String LEAD_SCORES = """
            INSERT INTO lead_scores (wa_id, score, tier, reasons, sessions, completed_sessions, stale_sessions, updated_at)
            VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?)
            ON CONFLICT (wa_id) DO UPDATE SET
              score = EXCLUDED.score, tier = EXCLUDED.tier, reasons = EXCLUDED.reasons, sessions = EXCLUDED.sessions,
              completed_sessions = EXCLUDED.completed_sessions, stale_sessions = EXCLUDED.stale_sessions,
              updated_at = EXCLUDED.updated_at""";

    static final String HOT_INVENTORY = """
            INSERT INTO hot_inventory (item_id, demand, window_start, window_end, stock, hot, stockout_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (item_id) DO UPDATE SET
              demand = EXCLUDED.demand, window_start = EXCLUDED.window_start, window_end = EXCLUDED.window_end,
              stock = EXCLUDED.stock, hot = EXCLUDED.hot, stockout_at = EXCLUDED.stockout_at,
              updated_at = EXCLUDED.updated_at""";

    static final String STALE_SESSIONS = """
            INSERT INTO stale_sessions (session_id, event_id, flow_id, user_id, source, last_screen, last_event_at, stale_at, session_started_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (session_id) DO UPDATE SET
              event_id = EXCLUDED.event_id, flow_id = EXCLUDED.flow_id, user_id = EXCLUDED.user_id,
              source = EXCLUDED.source, last_screen = EXCLUDED.last_screen, last_event_at = EXCLUDED.last_event_at,
              stale_at = EXCLUDED.stale_at, session_started_at = EXCLUDED.session_started_at""";

    /** A session is flagged stale once, and what it was flagged with does not change: only the same row again. */
    static final String STALE_SESSIONS_GUARD = """

            WHERE (EXCLUDED.flow_id, EXCLUDED.user_id, EXCLUDED.source, EXCLUDED.last_screen, EXCLUDED.last_event_at,
                   EXCLUDED.stale_at, EXCLUDED.session_started_at)
              IS NOT DISTINCT FROM (stale_sessions.flow_id, stale_sessions.user_id, stale_sessions.source,
                   stale_sessions.last_screen, stale_sessions.last_event_at, stale_sessions.stale_at,
                   stale_sessions.session_started_at)""";

    static final String LATENCY_ALERTS = """
            INSERT INTO latency_alerts (alert_id, rule_id, screen, metric, state, value, threshold, window_start, window_end)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (alert_id) DO UPDATE SET
              rule_id = EXCLUDED.rule_id, screen = EXCLUDED.screen, metric = EXCLUDED.metric, state = EXCLUDED.state,
              value = EXCLUDED.value, threshold = EXCLUDED.threshold, window_start = EXCLUDED.window_start,
              window_end = EXCLUDED.window_end""";

    static final String EXPERIMENT_RESULTS = """
            INSERT INTO experiment_results (experiment_id, variant, is_control, sessions, finished, completed, conversions,
              conversion_rate, primary_metric, difference, ci_low, ci_high, p_value, decision, stopped_by, requests, errors,
              error_rate, p90_ms, evaluated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (experiment_id, variant) DO UPDATE SET
              is_control = EXCLUDED.is_control, sessions = EXCLUDED.sessions, finished = EXCLUDED.finished,
              completed = EXCLUDED.completed, conversions = EXCLUDED.conversions,
              conversion_rate = EXCLUDED.conversion_rate, primary_metric = EXCLUDED.primary_metric,
              difference = EXCLUDED.difference, ci_low = EXCLUDED.ci_low, ci_high = EXCLUDED.ci_high,
              p_value = EXCLUDED.p_value, decision = EXCLUDED.decision, stopped_by = EXCLUDED.stopped_by,
              requests = EXCLUDED.requests, errors = EXCLUDED.errors, error_rate = EXCLUDED.error_rate,
              p90_ms = EXCLUDED.p90_ms, evaluated_at = EXCLUDED.evaluated_at""";

    /** An experiment's counts only grow, and its looks only move forward in event time. */
    static final String EXPERIMENT_RESULTS_GUARD = """

            WHERE EXCLUDED.sessions >= experiment_results.sessions AND EXCLUDED.finished >= experiment_results.finished
              AND EXCLUDED.requests >= experiment_results.requests
              AND EXCLUDED.evaluated_at >= experiment_results.evaluated_at""";

    static final String EXPERIMENT_SCREENS = """
            INSERT INTO experiment_screen_dropoff (experiment_id, variant, screen, reached, dropped, completed, drop_rate, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (experiment_id, variant, screen) DO UPDATE SET
              reached = EXCLUDED.reached, dropped = EXCLUDED.dropped, completed = EXCLUDED.completed,
              drop_rate = EXCLUDED.drop_rate, updated_at = EXCLUDED.updated_at""";

    static final String EXPERIMENT_SCREENS_GUARD = """

            WHERE EXCLUDED.reached >= experiment_screen_dropoff.reached
              AND EXCLUDED.dropped >= experiment_screen_dropoff.dropped
              AND EXCLUDED.completed >= experiment_screen_dropoff.completed""";

    /**
     * A variant is stopped once: the first breach stays (routing-api has acted on it). The experiment must
     * exist (the foreign key): a breach of an experiment deleted meanwhile is dropped.
     */
    static final String EXPERIMENT_STOPS = """
            INSERT INTO experiment_guardrail_stops (experiment_id, variant, guardrail, observed, threshold, detail, stopped_at)
            SELECT ?, ?, ?, ?, ?, ?::jsonb, ?
             WHERE EXISTS (SELECT 1 FROM experiments WHERE experiment_id = ?)
            ON CONFLICT (experiment_id, variant) DO NOTHING""";

    private TableSinks() {
    }

    static Sink<ExperimentResultRow> experimentResults(AnalyticsOptions options) {
        return guarded("experiment_results", EXPERIMENT_RESULTS, EXPERIMENT_RESULTS_GUARD,
                TableSinks::bindExperimentResult, r -> r.experimentId() + "|" + r.variant(), options);
    }

    static Sink<ExperimentScreenRow> experimentScreens(AnalyticsOptions options) {
        return guarded("experiment_screen_dropoff", EXPERIMENT_SCREENS, EXPERIMENT_SCREENS_GUARD,
                TableSinks::bindExperimentScreen, r -> r.experimentId() + "|" + r.variant() + "|" + r.screen(), options);
    }

    static Sink<ExperimentGuardrailBreached> experimentStops(AnalyticsOptions options) {
        return jdbc(EXPERIMENT_STOPS, TableSinks::bindExperimentStop, options);
    }

    static Sink<ScreenDropoffRow> screenDropoff(AnalyticsOptions options) {
        return guarded("screen_dropoff", SCREEN_DROPOFF, SCREEN_DROPOFF_GUARD, TableSinks::bindScreenDropoff,
                r -> r.flowId() + "|" + r.cohortStart() + "|" + r.screen(), options);
    }

    static Sink<ScreenDropoffRow> screenDropoffByVersion(AnalyticsOptions options) {
        return guarded("screen_dropoff_by_version", SCREEN_DROPOFF_BY_VERSION, SCREEN_DROPOFF_BY_VERSION_GUARD,
                TableSinks::bindScreenDropoffByVersion,
                r -> r.flowId() + "|" + r.flowVersion() + "|" + r.cohortStart() + "|" + r.screen(), options);
    }

    static Sink<ScreenTimeRow> screenTime(AnalyticsOptions options) {
        return guarded("screen_time", SCREEN_TIME, SCREEN_TIME_GUARD, TableSinks::bindScreenTime,
                r -> r.flowId() + "|" + r.flowVersion() + "|" + r.screen(), options);
    }

    static Sink<ScreenPathRow> screenPaths(AnalyticsOptions options) {
        return guarded("screen_paths", SCREEN_PATHS, SCREEN_PATHS_GUARD, TableSinks::bindScreenPath,
                r -> r.flowId() + "|" + r.flowVersion() + "|" + r.fromScreen() + "|" + r.toScreen() + "|" + r.action(), options);
    }

    static Sink<EndpointLatencyRow> endpointLatency(AnalyticsOptions options) {
        return guarded("endpoint_latency", ENDPOINT_LATENCY, ENDPOINT_LATENCY_GUARD, TableSinks::bindEndpointLatency,
                r -> r.screen() + "|" + r.action() + "|" + r.minute(), options);
    }

    /**
     * Not guarded (scores go down), but through the same multi-row sink: the lead scorer writes a user's row at
     * about every step of their sessions, the bulk of what a streaming job writes (docs/benchmarks.md, change 6).
     * The key is only used to keep the latest row of a user per flush: never logged (an unguarded upsert refuses
     * nothing).
     */
    static Sink<LeadScoreRow> leadScores(AnalyticsOptions options) {
        return new GuardedUpsertSink<>("lead_scores", LEAD_SCORES, false, TableSinks::bindLeadScore, LeadScoreRow::waId,
                options);
    }

    static Sink<HotInventoryRow> hotInventory(AnalyticsOptions options) {
        return jdbc(HOT_INVENTORY, TableSinks::bindHotInventory, options);
    }

    static Sink<StaleSession> staleSessions(AnalyticsOptions options) {
        return guarded("stale_sessions", STALE_SESSIONS, STALE_SESSIONS_GUARD, TableSinks::bindStaleSession,
                StaleSession::sessionId, options);
    }

    static Sink<LatencyAlert> latencyAlerts(AnalyticsOptions options) {
        return jdbc(LATENCY_ALERTS, TableSinks::bindLatencyAlert, options);
    }

    /** The guarded upsert when streaming; the plain one in batch mode (a deliberate recompute may correct rows). */
    private static <T> Sink<T> guarded(String table, String sql, String guard, JdbcStatementBuilder<T> binder,
                                       GuardedUpsertSink.RowKey<T> key, AnalyticsOptions options) {
        return new GuardedUpsertSink<>(table, options.batch() ? sql : sql + guard, !options.batch(), binder, key, options);
    }

    private static <T> Sink<T> jdbc(String sql, JdbcStatementBuilder<T> binder, AnalyticsOptions options) {
        return JdbcSink.<T>builder()
                .withQueryStatement(sql, binder)
                .withExecutionOptions(JdbcExecutionOptions.builder()
                        .withBatchSize(options.sinkBatchSize())
                        .withBatchIntervalMs(options.sinkFlushInterval().toMillis())
                        .withMaxRetries(3)
                        .build())
                .buildAtLeastOnce(new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(options.jdbcUrl())
                        .withDriverName("org.postgresql.Driver")
                        .withUsername(options.jdbcUser())
                        .withPassword(options.jdbcPassword())
                        .build());
    }

    static void bindScreenDropoff(PreparedStatement ps, ScreenDropoffRow r) throws SQLException {
        ps.setString(1, r.flowId());
        bindDropoffFrom(ps, 2, r);
    }

    static void bindScreenDropoffByVersion(PreparedStatement ps, ScreenDropoffRow r) throws SQLException {
        ps.setString(1, r.flowId());
        ps.setInt(2, r.flowVersion());
        bindDropoffFrom(ps, 3, r);
    }

    /** cohort_start, screen, source, reached, dropped, completed, drop_rate, updated_at from parameter {@code first} on. */
    private static void bindDropoffFrom(PreparedStatement ps, int first, ScreenDropoffRow r) throws SQLException {
        ps.setObject(first, time(r.cohortStart()));
        ps.setString(first + 1, r.screen());
        ps.setString(first + 2, r.source());
        ps.setLong(first + 3, r.reached());
        ps.setLong(first + 4, r.dropped());
        ps.setLong(first + 5, r.completed());
        ps.setDouble(first + 6, r.dropRate());
        ps.setObject(first + 7, time(r.updatedAt()));
    }

    static void bindScreenTime(PreparedStatement ps, ScreenTimeRow r) throws SQLException {
        ps.setString(1, r.flowId());
        ps.setInt(2, r.flowVersion());
        ps.setString(3, r.screen());
        ps.setLong(4, r.views());
        ps.setLong(5, r.movedOn());
        ps.setLong(6, r.droppedOff());
        ps.setDouble(7, r.p50Ms());
        ps.setDouble(8, r.p90Ms());
        ps.setDouble(9, r.p50MovedOnMs());
        ps.setDouble(10, r.p90MovedOnMs());
        ps.setDouble(11, r.maxMovedOnMs());
        ps.setObject(12, time(r.updatedAt()));
    }

    static void bindScreenPath(PreparedStatement ps, ScreenPathRow r) throws SQLException {
        ps.setString(1, r.flowId());
        ps.setInt(2, r.flowVersion());
        ps.setString(3, r.fromScreen());
        ps.setString(4, r.toScreen());
        ps.setString(5, r.action());
        ps.setLong(6, r.transitions());
        ps.setObject(7, time(r.updatedAt()));
    }

    static void bindEndpointLatency(PreparedStatement ps, EndpointLatencyRow r) throws SQLException {
        ps.setString(1, r.screen());
        ps.setString(2, r.action());
        ps.setObject(3, time(r.minute()));
        ps.setLong(4, r.requests());
        ps.setLong(5, r.errors());
        ps.setDouble(6, r.requests() == 0 ? 0.0 : (double) r.errors() / r.requests());
        ps.setDouble(7, r.p50Ms());
        ps.setDouble(8, r.p90Ms());
        ps.setDouble(9, r.p95Ms());
        ps.setDouble(10, r.p99Ms());
        ps.setDouble(11, r.maxMs());
    }

    static void bindLeadScore(PreparedStatement ps, LeadScoreRow r) throws SQLException {
        ps.setString(1, r.waId());
        ps.setInt(2, r.score());
        ps.setString(3, r.tier());
        try {
            ps.setString(4, EventJson.mapper().writeValueAsString(r.reasons()));
        } catch (JsonProcessingException e) {
            throw new SQLException("cannot encode the reasons of " + r.waId(), e);
        }
        ps.setInt(5, r.sessions());
        ps.setInt(6, r.completedSessions());
        ps.setInt(7, r.staleSessions());
        ps.setObject(8, time(r.updatedAt()));
    }

    static void bindHotInventory(PreparedStatement ps, HotInventoryRow r) throws SQLException {
        ps.setString(1, r.itemId());
        ps.setLong(2, r.demand());
        ps.setObject(3, time(r.windowStart()));
        ps.setObject(4, time(r.windowEnd()));
        if (r.stock() == null) {
            ps.setNull(5, Types.INTEGER);
        } else {
            ps.setInt(5, r.stock());
        }
        ps.setBoolean(6, r.hot());
        ps.setObject(7, r.stockoutAt() == null ? null : time(r.stockoutAt()), Types.TIMESTAMP_WITH_TIMEZONE);
        ps.setObject(8, time(r.windowEnd()));
    }

    static void bindStaleSession(PreparedStatement ps, StaleSession s) throws SQLException {
        ps.setString(1, s.sessionId());
        ps.setString(2, s.eventId());
        ps.setString(3, s.flowId());
        ps.setString(4, s.userId());
        ps.setString(5, s.source());
        ps.setString(6, s.lastScreen());
        ps.setObject(7, time(s.lastEventTime()));
        ps.setObject(8, time(s.eventTime()));
        ps.setObject(9, time(s.sessionStartedAt()));
    }

    static void bindLatencyAlert(PreparedStatement ps, LatencyAlert a) throws SQLException {
        ps.setString(1, a.eventId());
        ps.setLong(2, a.ruleId());
        ps.setString(3, a.screen());
        ps.setString(4, a.metric());
        ps.setString(5, a.state());
        ps.setDouble(6, a.value());
        ps.setDouble(7, a.threshold());
        ps.setObject(8, time(a.windowStart()));
        ps.setObject(9, time(a.windowEnd()));
    }

    static void bindExperimentResult(PreparedStatement ps, ExperimentResultRow r) throws SQLException {
        ps.setString(1, r.experimentId());
        ps.setString(2, r.variant());
        ps.setBoolean(3, r.control());
        ps.setLong(4, r.sessions());
        ps.setLong(5, r.finished());
        ps.setLong(6, r.completed());
        ps.setLong(7, r.conversions());
        ps.setDouble(8, r.conversionRate());
        ps.setString(9, r.primaryMetric());
        ps.setObject(10, r.difference(), Types.DOUBLE);
        ps.setObject(11, r.ciLow(), Types.DOUBLE);
        ps.setObject(12, r.ciHigh(), Types.DOUBLE);
        ps.setObject(13, r.pValue(), Types.DOUBLE);
        ps.setString(14, r.decision());
        ps.setString(15, r.stoppedBy());
        ps.setLong(16, r.requests());
        ps.setLong(17, r.errors());
        ps.setDouble(18, r.errorRate());
        ps.setDouble(19, r.p90Ms());
        ps.setObject(20, time(r.evaluatedAt()));
    }

    static void bindExperimentScreen(PreparedStatement ps, ExperimentScreenRow r) throws SQLException {
        ps.setString(1, r.experimentId());
        ps.setString(2, r.variant());
        ps.setString(3, r.screen());
        ps.setLong(4, r.reached());
        ps.setLong(5, r.dropped());
        ps.setLong(6, r.completed());
        ps.setDouble(7, r.dropRate());
        ps.setObject(8, time(r.updatedAt()));
    }

    static void bindExperimentStop(PreparedStatement ps, ExperimentGuardrailBreached b) throws SQLException {
        ps.setString(1, b.experimentId());
        ps.setString(2, b.variant());
        ps.setString(3, b.guardrail());
        ps.setDouble(4, b.observed());
        ps.setDouble(5, b.threshold());
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("event_id", b.eventId());
        detail.put("sample_size", b.sampleSize());
        if (b.controlObserved() != null) {
            detail.put("control_observed", b.controlObserved());
        }
        try {
            ps.setString(6, EventJson.mapper().writeValueAsString(detail));
        } catch (JsonProcessingException e) {
            throw new SQLException("cannot encode the detail of " + b.eventId(), e);
        }
        ps.setObject(7, time(b.eventTime()));
        ps.setString(8, b.experimentId());
    }

    private static OffsetDateTime time(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
