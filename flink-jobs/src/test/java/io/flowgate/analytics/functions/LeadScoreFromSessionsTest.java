package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.LeadScoreRow;
import io.flowgate.analytics.records.ScreenDelta;
import io.flowgate.analytics.records.SessionStep;
import io.flowgate.analytics.records.SessionSummary;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lead score of a user as the job computes it: transitions through the session tracker, its session
 * summaries into the lead scorer, one watermark for both (as in the job, where summaries carry the
 * tracker's timer time). Checks the re-engagement signal and {@code updated_at} against docs/analytics.md.
 */
class LeadScoreFromSessionsTest {

    private static final long T0 = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000;
    private static final Duration STALE_AFTER = Duration.ofMinutes(30);
    private static final Duration SESSION_RETENTION = Duration.ofHours(2);
    private static final Duration LEAD_RETENTION = Duration.ofDays(1);
    private static final String COMEBACK = "came back after dropping off (+10)";

    private KeyedOneInputStreamOperatorTestHarness<String, SessionStep, ScreenDelta> tracker;
    private KeyedOneInputStreamOperatorTestHarness<String, SessionSummary, LeadScoreRow> scorer;
    private int seq;

    @BeforeEach
    void open() throws Exception {
        tracker = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new SessionTracker(STALE_AFTER, SESSION_RETENTION, Long.MAX_VALUE), SessionStep::sessionId, Types.STRING);
        tracker.open();
        scorer = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new LeadScorer(LeadScoreModel.defaults(), LEAD_RETENTION, Long.MAX_VALUE), SessionSummary::userId, Types.STRING);
        scorer.open();
    }

    @AfterEach
    void close() throws Exception {
        tracker.close();
        scorer.close();
    }

    private void step(String session, long startedAt, long time, String screen, String budget, boolean completed) throws Exception {
        SessionStep step = new SessionStep("e" + (seq++), time, "lead_form", session, "u1", startedAt, screen, completed,
                "flow", null, budget, null, null);
        tracker.processElement(step, time);
    }

    private void advance(long watermark) throws Exception {
        tracker.processWatermark(watermark);
        var summaries = tracker.getSideOutput(SessionTracker.SUMMARIES);
        StreamRecord<SessionSummary> summary;
        while (summaries != null && (summary = summaries.poll()) != null) {
            scorer.processElement(summary);
        }
        scorer.processWatermark(watermark);
    }

    private LeadScoreRow latest() {
        var rows = scorer.extractOutputValues();
        return rows.get(rows.size() - 1);
    }

    private void assertAllStateIsClearedAfterRetention(long lastActivity) throws Exception {
        advance(lastActivity + LEAD_RETENTION.toMillis() + SESSION_RETENTION.toMillis() + STALE_AFTER.toMillis() + 2 * 60 * MINUTE);
        assertThat(tracker.numKeyedStateEntries()).isZero();
        assertThat(tracker.numEventTimeTimers()).isZero();
        assertThat(scorer.numKeyedStateEntries()).isZero();
        assertThat(scorer.numEventTimeTimers()).isZero();
    }

    @Test
    void aNewSessionAfterAStaleOneIsAComebackEvenWhenItGoesStaleToo() throws Exception {
        step("s1", T0, T0, "WELCOME", "25000", false);
        advance(T0 + 35 * MINUTE); // s1 went stale at T0 + 30 min
        step("s2", T0 + 40 * MINUTE, T0 + 40 * MINUTE, "WELCOME", null, false);
        advance(T0 + 2 * 60 * MINUTE); // s2 went stale at T0 + 70 min

        LeadScoreRow row = latest();
        assertThat(row.staleSessions()).isEqualTo(2);
        assertThat(row.reasons()).contains(COMEBACK);
        // budget 25000 (+30), two drop-offs (-20), came back (+10)
        assertThat(row.score()).isEqualTo(20);
        assertThat(row.updatedAt()).isEqualTo(T0 + 40 * MINUTE);
        assertAllStateIsClearedAfterRetention(T0 + 40 * MINUTE);
    }

    @Test
    void activityOnAStaleSessionIsAComebackAndMovesUpdatedAt() throws Exception {
        step("s1", T0, T0, "WELCOME", "25000", false);
        advance(T0 + 35 * MINUTE);
        assertThat(latest().updatedAt()).isEqualTo(T0);

        step("s1", T0, T0 + 45 * MINUTE, "DETAILS", null, false);
        advance(T0 + 50 * MINUTE);

        LeadScoreRow row = latest();
        assertThat(row.updatedAt()).isEqualTo(T0 + 45 * MINUTE);
        assertThat(row.reasons()).contains(COMEBACK);
        // budget (+30), one drop-off (-10), came back (+10)
        assertThat(row.score()).isEqualTo(30);
        assertAllStateIsClearedAfterRetention(T0 + 45 * MINUTE);
    }

    @Test
    void aSessionStartedBeforeTheOtherWentStaleIsNoComeback() throws Exception {
        // the user left s1 for s2 at once and completed it; s1 goes stale afterwards, at T0 + 30 min
        step("s1", T0, T0, "WELCOME", "25000", false);
        step("s2", T0 + 5 * MINUTE, T0 + 5 * MINUTE, "WELCOME", null, false);
        step("s2", T0 + 5 * MINUTE, T0 + 6 * MINUTE, "SUCCESS", null, true);
        advance(T0 + 2 * 60 * MINUTE);

        LeadScoreRow row = latest();
        assertThat(row.staleSessions()).isEqualTo(1);
        assertThat(row.completedSessions()).isEqualTo(1);
        assertThat(row.reasons()).doesNotContain(COMEBACK);
        // budget (+30), completed (+20), one drop-off (-10)
        assertThat(row.score()).isEqualTo(40);
        assertThat(row.updatedAt()).isEqualTo(T0 + 6 * MINUTE);
        assertAllStateIsClearedAfterRetention(T0 + 6 * MINUTE);
    }
}
