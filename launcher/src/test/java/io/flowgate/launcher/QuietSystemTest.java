package io.flowgate.launcher;

import io.flowgate.simulator.flow.OneFlowSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fresh embedded stack on a quiet system, used the way a new user tries it (issue 16): one Flow session
 * at a time, a few seconds apart, nothing else happening. Every session must show in the funnel within the
 * liveness bound, go stale (it was abandoned after INIT) within {@code stale-after} + 10 s of wall-clock
 * time, and a latency alert rule they breach must fire within its window + 10 s. Nothing but routing-api's
 * heartbeats moves event time here.
 */
class QuietSystemTest {

    private static final String FLOW = "device_repair";
    private static final Duration STALE_AFTER = Duration.ofSeconds(15);
    private static final Duration LIVENESS = Duration.ofSeconds(10);
    private static final int SESSIONS = 5;

    @TempDir
    Path home;

    @Test
    void singleSessionsOnAQuietSystemAreCountedFlaggedStaleAndAlertedWithinTheLivenessBound() throws Exception {
        Map<String, String> env = TestStack.environment(home, STALE_AFTER.toSeconds() + "s");
        try (EmbeddedFlowgate flowgate = EmbeddedFlowgate.start(env::get);
             Connection db = DriverManager.getConnection(flowgate.dbUrl(), "postgres", "")) {
            // any request with a latency breaches it; the job re-reads the rules every 10 s
            long ruleId = insertBreachedRule(db);
            Thread.sleep(11_000);

            OneFlowSession client = new OneFlowSession(flowgate.routingApi(), flowgate.publicKey(),
                    flowgate.adminToken(), flowgate.appSecret());
            List<String> sessions = new ArrayList<>();
            List<Long> openedAt = new ArrayList<>();
            List<String> outcomes = new ArrayList<>();
            long firstRequest = System.currentTimeMillis();
            for (int i = 0; i < SESSIONS; i++) {
                long opened = System.currentTimeMillis();
                sessions.add(client.open("1555000000" + i, FLOW));
                openedAt.add(opened);
                long reached = awaitValue(() -> welcomeReached(db), i + 1, opened + LIVENESS.toMillis());
                outcomes.add("session " + (i + 1) + ": WELCOME reached " + reached + " after "
                        + (System.currentTimeMillis() - opened) + " ms");
                Thread.sleep(3_000);
            }
            for (int i = 0; i < SESSIONS; i++) {
                String session = sessions.get(i);
                long deadline = openedAt.get(i) + STALE_AFTER.toMillis() + LIVENESS.toMillis();
                boolean stale = awaitTrue(() -> staleSessions(db).contains(session), deadline);
                outcomes.add("session " + (i + 1) + (stale ? ": stale after " : ": not stale after ")
                        + (System.currentTimeMillis() - openedAt.get(i)) + " ms");
            }
            long lastDeadline = openedAt.get(SESSIONS - 1) + STALE_AFTER.toMillis() + LIVENESS.toMillis();
            long dropped = awaitValue(() -> welcomeDropped(db), SESSIONS, lastDeadline);
            System.out.println(String.join("\n", outcomes));

            for (int i = 0; i < SESSIONS; i++) {
                assertThat(outcomes.get(i)).as("counted within %s on a quiet system (issue 16)", LIVENESS)
                        .startsWith("session " + (i + 1) + ": WELCOME reached " + (i + 1) + " ");
                assertThat(outcomes.get(SESSIONS + i)).as("flagged stale within stale-after + %s", LIVENESS)
                        .startsWith("session " + (i + 1) + ": stale");
            }
            assertThat(dropped).as("every session dropped at WELCOME").isEqualTo(SESSIONS);

            long alertDeadline = firstRequest + Duration.ofMinutes(1).plus(LIVENESS).toMillis();
            boolean fired = awaitTrue(() -> firing(db, ruleId), alertDeadline);
            assertThat(fired).as("the breached 1-minute rule fired within its window + %s", LIVENESS).isTrue();
        }
    }

    private static long insertBreachedRule(Connection db) throws Exception {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("""
                INSERT INTO latency_alert_rules (screen, percentile, threshold_ms, window_minutes, description)
                VALUES ('*', 'p50', 0.001, 1, 'quiet-system test: breached by any request') RETURNING rule_id""")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long welcomeReached(Connection db) throws Exception {
        return sum(db, "SELECT coalesce(sum(reached), 0) FROM screen_dropoff WHERE flow_id = '" + FLOW + "' AND screen = 'WELCOME'");
    }

    private static long welcomeDropped(Connection db) throws Exception {
        return sum(db, "SELECT coalesce(sum(dropped), 0) FROM screen_dropoff WHERE flow_id = '" + FLOW + "' AND screen = 'WELCOME'");
    }

    private static long sum(Connection db, String sql) throws Exception {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Set<String> staleSessions(Connection db) throws Exception {
        Set<String> ids = new TreeSet<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT session_id FROM stale_sessions")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private static boolean firing(Connection db, long ruleId) throws Exception {
        return sum(db, "SELECT count(*) FROM latency_alerts WHERE state = 'FIRING' AND rule_id = " + ruleId) > 0;
    }

    interface Probe<T> {
        T read() throws Exception;
    }

    /** Polls until the value is reached or the wall-clock deadline passes; returns the last value read. */
    private static long awaitValue(Probe<Long> probe, long expected, long deadlineMillis) throws Exception {
        long value = probe.read();
        while (value != expected && System.currentTimeMillis() < deadlineMillis) {
            Thread.sleep(100);
            value = probe.read();
        }
        return value;
    }

    private static boolean awaitTrue(Probe<Boolean> probe, long deadlineMillis) throws Exception {
        boolean value = probe.read();
        while (!value && System.currentTimeMillis() < deadlineMillis) {
            Thread.sleep(100);
            value = probe.read();
        }
        return value;
    }
}
