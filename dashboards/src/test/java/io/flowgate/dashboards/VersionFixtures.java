package io.flowgate.dashboards;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

import static io.flowgate.dashboards.AnalyticsFixtures.FLOW;
import static io.flowgate.dashboards.AnalyticsFixtures.HOSTILE_SCREEN;
import static io.flowgate.dashboards.AnalyticsFixtures.NEWEST_COHORT;
import static io.flowgate.dashboards.AnalyticsFixtures.OLDER_COHORT;

/**
 * The Flow-version tables (screen_dropoff_by_version, screen_time, screen_paths) as the job leaves them for the
 * device-repair Flow on two versions: version 2 moved the price question and loses fewer users on CHOOSE.
 * Version 1 has a screen named with markup, which the Sankey must show as text.
 */
final class VersionFixtures {

    static final int OLD = 1;
    static final int NEW = 2;

    /** Per version: screen, reached, dropped, completed (the newest cohort; the older one adds half). */
    static final List<Object[]> FUNNEL_V1 = List.of(
            new Object[] {"WELCOME", 100, 20, 40}, new Object[] {"CHOOSE", 80, 25, 40}, new Object[] {"CONFIRM", 55, 15, 40});
    static final List<Object[]> FUNNEL_V2 = List.of(
            new Object[] {"WELCOME", 120, 10, 90}, new Object[] {"CHOOSE", 110, 10, 90}, new Object[] {"CONFIRM", 100, 10, 90});

    /** version, from, to, action, transitions */
    static final List<Object[]> PATHS = List.of(
            new Object[] {OLD, "", "WELCOME", "INIT", 150}, new Object[] {OLD, "WELCOME", "CHOOSE", "data_exchange", 130},
            new Object[] {OLD, "CHOOSE", "WELCOME", "BACK", 12}, new Object[] {OLD, "CHOOSE", "CONFIRM", "data_exchange", 90},
            new Object[] {OLD, "CHOOSE", HOSTILE_SCREEN, "data_exchange", 4},
            new Object[] {OLD, "CONFIRM", "SUCCESS", "data_exchange", 60},
            new Object[] {NEW, "", "WELCOME", "INIT", 180}, new Object[] {NEW, "WELCOME", "CHOOSE", "data_exchange", 170},
            new Object[] {NEW, "CHOOSE", "WELCOME", "BACK", 9}, new Object[] {NEW, "CHOOSE", "CONFIRM", "data_exchange", 155},
            new Object[] {NEW, "CONFIRM", "SUCCESS", "data_exchange", 135});

    /** version, screen, moved on, dropped off, p50 ms, p90 ms (all views), p50 ms, p90 ms (views that moved on) */
    static final List<Object[]> TIMES = List.of(
            new Object[] {OLD, "WELCOME", 142, 8, 8_200.0, 24_500.0, 8_000.0, 21_000.0},
            new Object[] {OLD, "CHOOSE", 106, 11, 41_300.0, 187_000.0, 40_100.0, 160_000.0},
            new Object[] {OLD, "CONFIRM", 60, 5, 6_100.0, 15_800.0, 6_000.0, 15_000.0},
            new Object[] {NEW, "WELCOME", 179, 4, 7_000.0, 18_200.0, 6_900.0, 18_000.0},
            new Object[] {NEW, "CHOOSE", 164, 6, 22_000.0, 71_500.0, 21_700.0, 70_000.0},
            new Object[] {NEW, "CONFIRM", 135, 5, 5_000.0, 12_400.0, 4_900.0, 12_000.0});

    private VersionFixtures() {
    }

    static void insert(Connection c) throws SQLException {
        try (PreparedStatement funnel = c.prepareStatement("""
                INSERT INTO screen_dropoff_by_version (flow_id, flow_version, cohort_start, screen, source, reached, dropped,
                    completed, drop_rate, updated_at)
                VALUES (?, ?, ?, ?, 'flow', ?, ?, ?, ?, ?)""")) {
            for (int version : List.of(OLD, NEW)) {
                for (Object[] row : version == OLD ? FUNNEL_V1 : FUNNEL_V2) {
                    for (int half : List.of(1, 2)) {
                        int reached = (int) row[1] / half;
                        int dropped = (int) row[2] / half;
                        funnel.setString(1, FLOW);
                        funnel.setInt(2, version);
                        funnel.setObject(3, half == 1 ? NEWEST_COHORT : OLDER_COHORT);
                        funnel.setString(4, (String) row[0]);
                        funnel.setInt(5, reached);
                        funnel.setInt(6, dropped);
                        funnel.setInt(7, (int) row[3] / half);
                        funnel.setDouble(8, (double) dropped / reached);
                        funnel.setObject(9, NEWEST_COHORT.plusMinutes(50));
                        funnel.addBatch();
                    }
                }
            }
            funnel.executeBatch();
        }
        try (PreparedStatement paths = c.prepareStatement("""
                INSERT INTO screen_paths (flow_id, flow_version, from_screen, to_screen, action, transitions, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
            for (Object[] row : PATHS) {
                paths.setString(1, FLOW);
                paths.setInt(2, (int) row[0]);
                paths.setString(3, (String) row[1]);
                paths.setString(4, (String) row[2]);
                paths.setString(5, (String) row[3]);
                paths.setInt(6, (int) row[4]);
                paths.setObject(7, NEWEST_COHORT.plusMinutes(50));
                paths.addBatch();
            }
            paths.executeBatch();
        }
        try (PreparedStatement times = c.prepareStatement("""
                INSERT INTO screen_time (flow_id, flow_version, screen, views, moved_on, dropped_off, p50_ms, p90_ms,
                    p50_moved_on_ms, p90_moved_on_ms, max_moved_on_ms, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            for (Object[] row : TIMES) {
                times.setString(1, FLOW);
                times.setInt(2, (int) row[0]);
                times.setString(3, (String) row[1]);
                times.setInt(4, (int) row[2] + (int) row[3]);
                times.setInt(5, (int) row[2]);
                times.setInt(6, (int) row[3]);
                for (int i = 4; i < 8; i++) {
                    times.setDouble(i + 3, (double) row[i]);
                }
                times.setDouble(11, (double) row[7] * 2);
                times.setObject(12, NEWEST_COHORT.plusMinutes(50));
                times.addBatch();
            }
            times.executeBatch();
        }
    }
}
