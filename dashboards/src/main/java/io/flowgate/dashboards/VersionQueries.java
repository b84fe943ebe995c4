package io.flowgate.dashboards;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static io.flowgate.dashboards.AnalyticsQueries.iso;
import static io.flowgate.dashboards.AnalyticsQueries.list;
import static io.flowgate.dashboards.AnalyticsQueries.time;

/**
 * The reads of the Flow-versions view: a Flow's versions, and for two of them the funnel (summed over the
 * cohorts of the last 30 days of the Flow's data), time on screen and paths, from the tables of
 * docs/analytics.md ({@code screen_dropoff_by_version}, {@code screen_time}, {@code screen_paths}). Bounded
 * like {@link AnalyticsQueries}: by the newest row's time and by row limits.
 */
final class VersionQueries {

    static final int MAX_FLOWS = 200;
    static final int MAX_VERSIONS = 100;
    static final int MAX_SCREENS = 100;
    static final int MAX_PATHS = 500;

    private final DataSource dataSource;

    VersionQueries(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    record FunnelScreen(String screen, long reached, long dropped, long completed, double dropRate) {
    }

    record ScreenTime(String screen, long views, long movedOn, long droppedOff, double p50Ms, double p90Ms,
                      double p50MovedOnMs, double p90MovedOnMs) {
    }

    record Path(String from, String to, String action, long transitions) {
    }

    /** One version of the Flow: its funnel, time on screen and paths. */
    record Version(int version, List<FunnelScreen> funnel, List<ScreenTime> screenTime, List<Path> paths) {
    }

    /**
     * @param versions the Flow's versions seen by the analytics, newest first; version 0 stands for sessions
     *                 without a recorded version
     * @param compared the versions compared, in the order asked (a, then b)
     */
    record Comparison(List<String> flows, String flow, List<Integer> versions, List<Version> compared, String updatedAt) {
    }

    /**
     * @param flow a flow id, or null for the busiest Flow
     * @param a    the first version to compare, or null for the second newest (the newest when there is one)
     * @param b    the second version, or null for the newest
     */
    Comparison compare(String flow, Integer a, Integer b) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<String> flows = list(c, """
                    SELECT flow_id FROM screen_dropoff_by_version
                     WHERE cohort_start >= (SELECT max(cohort_start) FROM screen_dropoff_by_version) - interval '30 days'
                     GROUP BY flow_id
                     ORDER BY sum(reached) DESC, flow_id
                     LIMIT ?""", rs -> rs.getString("flow_id"), MAX_FLOWS);
            String selected = flow != null ? flow : flows.isEmpty() ? null : flows.get(0);
            if (selected == null) {
                return new Comparison(flows, null, List.of(), List.of(), null);
            }
            List<Integer> versions = list(c, """
                    SELECT DISTINCT flow_version FROM screen_dropoff_by_version WHERE flow_id = ?
                     ORDER BY flow_version DESC
                     LIMIT ?""", rs -> rs.getInt("flow_version"), selected, MAX_VERSIONS);
            if (versions.isEmpty()) {
                return new Comparison(flows, selected, versions, List.of(), null);
            }
            int second = b != null ? b : versions.get(0);
            int first = a != null ? a : versions.size() > 1 ? versions.get(1) : versions.get(0);
            List<Version> compared = new ArrayList<>();
            for (int version : first == second ? List.of(first) : List.of(first, second)) {
                compared.add(version(c, selected, version));
            }
            OffsetDateTime updated = list(c, """
                    SELECT max(updated_at) AS updated_at FROM screen_dropoff_by_version WHERE flow_id = ?""",
                    rs -> time(rs, "updated_at"), selected).stream().findFirst().orElse(null);
            return new Comparison(flows, selected, versions, compared, iso(updated));
        }
    }

    private static Version version(Connection c, String flow, int version) throws SQLException {
        List<FunnelScreen> funnel = list(c, """
                SELECT screen, sum(reached) AS reached, sum(dropped) AS dropped, sum(completed) AS completed
                  FROM screen_dropoff_by_version
                 WHERE flow_id = ? AND flow_version = ?
                   AND cohort_start >= (SELECT max(cohort_start) FROM screen_dropoff_by_version WHERE flow_id = ?) - interval '30 days'
                 GROUP BY screen
                 ORDER BY sum(reached) DESC, screen
                 LIMIT ?""", rs -> {
            long reached = rs.getLong("reached");
            long dropped = rs.getLong("dropped");
            return new FunnelScreen(rs.getString("screen"), reached, dropped, rs.getLong("completed"),
                    reached == 0 ? 0.0 : (double) dropped / reached);
        }, flow, version, flow, MAX_SCREENS);
        List<ScreenTime> times = list(c, """
                SELECT screen, views, moved_on, dropped_off, p50_ms, p90_ms, p50_moved_on_ms, p90_moved_on_ms
                  FROM screen_time
                 WHERE flow_id = ? AND flow_version = ?
                 ORDER BY views DESC, screen
                 LIMIT ?""", rs -> new ScreenTime(rs.getString("screen"), rs.getLong("views"), rs.getLong("moved_on"),
                rs.getLong("dropped_off"), rs.getDouble("p50_ms"), rs.getDouble("p90_ms"),
                rs.getDouble("p50_moved_on_ms"), rs.getDouble("p90_moved_on_ms")), flow, version, MAX_SCREENS);
        List<Path> paths = list(c, """
                SELECT from_screen, to_screen, action, transitions
                  FROM screen_paths
                 WHERE flow_id = ? AND flow_version = ?
                 ORDER BY transitions DESC, from_screen, to_screen, action
                 LIMIT ?""", rs -> new Path(rs.getString("from_screen"), rs.getString("to_screen"), rs.getString("action"),
                rs.getLong("transitions")), flow, version, MAX_PATHS);
        return new Version(version, funnel, times, paths);
    }
}
