package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.ItemSelection;
import io.flowgate.analytics.records.ScreenDelta;
import io.flowgate.analytics.records.ScreenExit;
import io.flowgate.analytics.records.SessionStep;
import io.flowgate.analytics.records.SessionSummary;
import io.flowgate.events.StaleSession;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class SessionTrackerTest {

    private static final long T0 = Instant.parse("2026-11-20T10:15:00Z").toEpochMilli();
    private static final long COHORT = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
    private static final Duration STALE_AFTER = Duration.ofMinutes(30);
    private static final Duration RETENTION = Duration.ofHours(2);
    private static final long SECOND = 1000;
    private static final long MINUTE = 60 * SECOND;
    /** By then every cleanup candidate (hourly grid) of a session finished at the given time has fired. */
    private static long afterRetention(long finishedAt) {
        return finishedAt + STALE_AFTER.toMillis() + RETENTION.toMillis() + Duration.ofHours(1).toMillis();
    }

    private KeyedOneInputStreamOperatorTestHarness<String, SessionStep, ScreenDelta> harness;

    @BeforeEach
    void open() throws Exception {
        harness = harness(Long.MAX_VALUE);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SessionStep, ScreenDelta> harness(long endOfTime) throws Exception {
        var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new SessionTracker(STALE_AFTER, RETENTION, endOfTime), SessionStep::sessionId, Types.STRING);
        h.open();
        return h;
    }

    static SessionStep step(String session, String eventId, long time, String screen) {
        return new SessionStep(eventId, time, "lead_form", session, "user-" + session, T0, screen, false, "flow",
                null, null, null, null);
    }

    static SessionStep completion(String session, String eventId, long time) {
        return new SessionStep(eventId, time, "lead_form", session, "user-" + session, T0, "SUCCESS", true, "flow",
                null, null, null, null);
    }

    private void send(SessionStep step) throws Exception {
        harness.processElement(step, step.eventTime());
    }

    private List<ScreenDelta> deltas() {
        return harness.extractOutputValues();
    }

    private List<StaleSession> staleEvents() {
        var side = harness.getSideOutput(SessionTracker.STALE_SESSIONS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    private static ScreenDelta reached(String screen) {
        return new ScreenDelta("lead_form", COHORT, screen, "flow", 1, 0, 0);
    }

    private static ScreenDelta completed(String screen) {
        return new ScreenDelta("lead_form", COHORT, screen, "flow", 0, 0, 1);
    }

    private static ScreenDelta dropped(String screen) {
        return new ScreenDelta("lead_form", COHORT, screen, "flow", 0, 1, 0);
    }

    private List<ScreenExit> exits() {
        var side = harness.getSideOutput(SessionTracker.SCREEN_EXITS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    private static SessionStep versioned(String eventId, long time, String screen, String action, boolean completed) {
        return new SessionStep(eventId, time, "lead_form", "s1", "user-s1", T0, screen, completed, "flow",
                null, null, null, null, 2, action, null, null);
    }

    @Test
    void eachScreenIsLeftOnceInEventTimeOrderWithItsTimeShownAndVersion() throws Exception {
        // arrival order differs from event time; a duplicate; BACK; then completion, and nothing after it
        send(versioned("e2", T0 + 5 * SECOND, "DETAILS", "data_exchange", false));
        send(versioned("e1", T0, "WELCOME", "INIT", false));
        send(versioned("e2", T0 + 5 * SECOND, "DETAILS", "data_exchange", false));
        send(versioned("e3", T0 + 9 * SECOND, "WELCOME", "BACK", false));
        send(versioned("e4", T0 + 30 * SECOND, "DETAILS", "data_exchange", false));
        send(versioned("e5", T0 + 31 * SECOND, "SUCCESS", "data_exchange", true));
        send(versioned("e6", T0 + 40 * SECOND, "DETAILS", "data_exchange", false));
        harness.processWatermark(T0 + MINUTE);

        assertThat(exits()).containsExactly(
                new ScreenExit("lead_form", 2, "", "WELCOME", "INIT", false, -1, T0),
                new ScreenExit("lead_form", 2, "WELCOME", "DETAILS", "data_exchange", false, 5 * SECOND, T0 + 5 * SECOND),
                new ScreenExit("lead_form", 2, "DETAILS", "WELCOME", "BACK", false, 4 * SECOND, T0 + 9 * SECOND),
                new ScreenExit("lead_form", 2, "WELCOME", "DETAILS", "data_exchange", false, 21 * SECOND, T0 + 30 * SECOND),
                new ScreenExit("lead_form", 2, "DETAILS", "SUCCESS", "data_exchange", false, SECOND, T0 + 31 * SECOND));
        assertThat(deltas()).allSatisfy(d -> assertThat(d.flowVersion()).isEqualTo(2));
    }

    @Test
    void aSessionGoingStaleLeavesItsLastScreenByDroppingOff() throws Exception {
        send(versioned("e1", T0, "WELCOME", "INIT", false));
        send(versioned("e2", T0 + 5 * SECOND, "DETAILS", "data_exchange", false));
        harness.processWatermark(T0 + 5 * SECOND + STALE_AFTER.toMillis());
        // coming back after the flag is no view and no path
        send(versioned("e3", T0 + 50 * MINUTE, "BUDGET", "data_exchange", false));
        harness.processWatermark(T0 + 51 * MINUTE);

        assertThat(exits()).extracting(ScreenExit::screen, ScreenExit::toScreen, ScreenExit::droppedOff, ScreenExit::shownMillis)
                .containsExactly(tuple("", "WELCOME", false, -1L), tuple("WELCOME", "DETAILS", false, 5 * SECOND),
                        tuple("DETAILS", "", true, STALE_AFTER.toMillis()));
    }

    @Test
    void duplicatedTransitionsCountEachScreenOnce() throws Exception {
        send(step("s1", "e1", T0, "WELCOME"));
        send(step("s1", "e2", T0 + 5 * SECOND, "DETAILS"));
        send(step("s1", "e2", T0 + 5 * SECOND, "DETAILS"));
        // BACK to a screen already reached: activity, but not a second reach
        send(step("s1", "e3", T0 + 9 * SECOND, "WELCOME"));
        harness.processWatermark(T0 + MINUTE);

        assertThat(deltas()).containsExactly(reached("WELCOME"), reached("DETAILS"));
    }

    @Test
    void transitionsAreAppliedInEventTimeOrderWhateverTheirArrivalOrder() throws Exception {
        send(step("s1", "e2", T0 + 5 * SECOND, "DETAILS"));
        send(step("s1", "e1", T0, "WELCOME"));
        harness.processWatermark(T0 + 10 * SECOND);
        harness.processWatermark(T0 + 5 * SECOND + STALE_AFTER.toMillis());

        assertThat(deltas()).containsExactly(reached("WELCOME"), reached("DETAILS"), dropped("DETAILS"));
        assertThat(staleEvents()).singleElement().satisfies(s -> {
            assertThat(s.lastScreen()).isEqualTo("DETAILS");
            assertThat(s.eventTime()).isEqualTo(Instant.ofEpochMilli(T0 + 5 * SECOND + STALE_AFTER.toMillis()));
        });
    }

    @Test
    void completedSessionCountsCompletionOnEveryReachedScreenAndLeavesNoStateBehind() throws Exception {
        send(step("s1", "e1", T0, "WELCOME"));
        send(step("s1", "e2", T0 + 5 * SECOND, "DETAILS"));
        send(completion("s1", "e3", T0 + 9 * SECOND));
        harness.processWatermark(T0 + MINUTE);

        assertThat(deltas()).containsExactly(reached("WELCOME"), reached("DETAILS"), completed("WELCOME"), completed("DETAILS"));
        assertThat(harness.numEventTimeTimers()).as("no stale timer left, only the cleanup timer").isEqualTo(1);

        harness.processWatermark(afterRetention(T0 + 9 * SECOND));
        assertThat(staleEvents()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void staleSessionIsFlaggedOnce() throws Exception {
        send(step("s1", "e1", T0, "WELCOME"));
        send(step("s1", "e2", T0 + 5 * SECOND, "DETAILS"));
        long staleAt = T0 + 5 * SECOND + STALE_AFTER.toMillis();
        harness.processWatermark(staleAt - 1);
        assertThat(staleEvents()).isEmpty();

        harness.processWatermark(staleAt);
        harness.processWatermark(staleAt + 10 * MINUTE);

        assertThat(staleEvents()).singleElement().isEqualTo(new StaleSession("stale:s1", Instant.ofEpochMilli(staleAt),
                "lead_form", "s1", "user-s1", "DETAILS", Instant.ofEpochMilli(T0 + 5 * SECOND), Instant.ofEpochMilli(T0), "flow"));
        assertThat(deltas()).containsExactly(reached("WELCOME"), reached("DETAILS"), dropped("DETAILS"));

        harness.processWatermark(afterRetention(staleAt));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void activityAfterTheFlagMarksReengagementButLeavesTheFunnelFinal() throws Exception {
        send(step("s1", "e1", T0, "WELCOME"));
        long staleAt = T0 + STALE_AFTER.toMillis();
        harness.processWatermark(staleAt);
        SessionStep comeback = new SessionStep("e2", staleAt + 5 * MINUTE, "lead_form", "s1", "user-s1", T0, "DETAILS",
                false, "flow", "sku-7", "20000", null, null);
        send(comeback);
        send(completion("s1", "e3", staleAt + 6 * MINUTE));
        harness.processWatermark(staleAt + 10 * MINUTE);

        assertThat(deltas()).containsExactly(reached("WELCOME"), dropped("WELCOME"));
        assertThat(staleEvents()).hasSize(1);
        List<SessionSummary> summaries = harness.getSideOutput(SessionTracker.SUMMARIES).stream().map(StreamRecord::getValue).toList();
        assertThat(summaries.get(summaries.size() - 1)).satisfies(s -> {
            assertThat(s.stale()).isTrue();
            assertThat(s.reengaged()).isTrue();
            assertThat(s.completed()).isFalse();
            assertThat(s.budget()).isEqualTo("20000");
        });
        assertThat(harness.getSideOutput(SessionTracker.ITEM_SELECTIONS)).extracting(StreamRecord::getValue)
                .containsExactly(new ItemSelection("sku-7", "s1", staleAt + 5 * MINUTE));
    }

    @Test
    void aTransitionAfterAGapOfStaleAfterFindsTheSessionAlreadyStale() throws Exception {
        // in batch mode every transition of a key arrives before any timer fires: the gap itself must flag it
        send(step("s1", "e1", T0, "WELCOME"));
        send(step("s1", "e2", T0 + STALE_AFTER.toMillis() + MINUTE, "DETAILS"));
        harness.processWatermark(Long.MAX_VALUE);

        assertThat(deltas()).containsExactly(reached("WELCOME"), dropped("WELCOME"));
        assertThat(staleEvents()).singleElement().extracting(StaleSession::eventTime)
                .isEqualTo(Instant.ofEpochMilli(T0 + STALE_AFTER.toMillis()));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void lateTransitionStillCountsAsReachedButDoesNotMoveTheLastScreen() throws Exception {
        send(step("s1", "e1", T0, "WELCOME"));
        send(step("s1", "e3", T0 + 20 * SECOND, "QUOTE"));
        harness.processWatermark(T0 + MINUTE);
        // behind the watermark already
        send(step("s1", "e2", T0 + 10 * SECOND, "DETAILS"));
        harness.processWatermark(T0 + 20 * SECOND + STALE_AFTER.toMillis());

        assertThat(deltas()).containsExactly(reached("WELCOME"), reached("QUOTE"), reached("DETAILS"), dropped("QUOTE"));
    }

    @Test
    void completionArrivingBeforeEarlierScreensStillCountsThemCompleted() throws Exception {
        send(completion("s1", "e3", T0 + 9 * SECOND));
        send(step("s1", "e1", T0, "WELCOME"));
        send(step("s1", "e2", T0 + 5 * SECOND, "DETAILS"));
        harness.processWatermark(T0 + MINUTE);

        assertThat(deltas()).containsExactly(reached("WELCOME"), reached("DETAILS"), completed("WELCOME"), completed("DETAILS"));
    }

    @Test
    void aBoundedRunDoesNotCallSessionsStaleThatWereActiveAtItsEnd() throws Exception {
        harness.close();
        long endOfTime = T0 + 10 * MINUTE;
        harness = harness(endOfTime);
        send(step("s1", "e1", T0, "WELCOME"));
        harness.processWatermark(Long.MAX_VALUE);

        assertThat(deltas()).containsExactly(reached("WELCOME"));
        assertThat(staleEvents()).isEmpty();
    }

    @Test
    void eachItemCountsOncePerSessionAsDemand() throws Exception {
        SessionStep pick = new SessionStep("e1", T0, "shop", "s1", "u1", T0, "ITEM", false, "flow", "sku-1", null, null, null);
        SessionStep again = new SessionStep("e2", T0 + SECOND, "shop", "s1", "u1", T0, "CONFIRM", false, "flow", "sku-1", null, null, null);
        send(pick);
        send(pick);
        send(again);
        harness.processWatermark(T0 + MINUTE);

        assertThat(harness.getSideOutput(SessionTracker.ITEM_SELECTIONS)).extracting(StreamRecord::getValue)
                .containsExactly(new ItemSelection("sku-1", "s1", T0));
    }

    private List<SessionSummary> summaries() {
        var side = harness.getSideOutput(SessionTracker.SUMMARIES);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void oneSummaryPerSessionAndWatermarkAdvanceTheLatest() throws Exception {
        send(step("s1", "e1", T0, "WELCOME"));
        send(step("s1", "e2", T0 + 5 * SECOND, "DETAILS"));
        send(step("s1", "e3", T0 + 9 * SECOND, "BUDGET"));
        send(step("s1", "e4", T0 + 2 * MINUTE, "QUOTE"));
        harness.processWatermark(T0 + MINUTE);
        // the three transitions before the watermark leave one summary, after the last of them
        assertThat(summaries()).extracting(SessionSummary::screensReached, SessionSummary::lastEventTime)
                .containsExactly(tuple(3, T0 + 9 * SECOND));

        send(completion("s1", "e5", T0 + 3 * MINUTE));
        harness.processWatermark(T0 + 4 * MINUTE);
        assertThat(summaries()).extracting(SessionSummary::screensReached, SessionSummary::completed)
                .containsExactly(tuple(3, false), tuple(4, true));
    }

    @Test
    void aSessionThatGoesStaleInTheSameAdvanceLeavesOneSummaryTheStaleOne() throws Exception {
        // batch mode: every timer of the key fires at the end, with the watermark at its maximum
        send(step("s1", "e1", T0, "WELCOME"));
        send(step("s1", "e2", T0 + 5 * SECOND, "DETAILS"));
        harness.processWatermark(Long.MAX_VALUE);

        assertThat(summaries()).singleElement().satisfies(s -> {
            assertThat(s.stale()).isTrue();
            assertThat(s.staleAt()).isEqualTo(T0 + 5 * SECOND + STALE_AFTER.toMillis());
            assertThat(s.screensReached()).isEqualTo(2);
        });
    }

    @Test
    void sessionsAreTrackedIndependently() throws Exception {
        send(step("a", "a1", T0, "WELCOME"));
        send(step("b", "b1", T0 + SECOND, "WELCOME"));
        send(completion("b", "b2", T0 + 2 * SECOND));
        harness.processWatermark(afterRetention(T0 + STALE_AFTER.toMillis()));

        assertThat(deltas()).filteredOn(d -> d.dropped() == 1).containsExactly(dropped("WELCOME"));
        assertThat(deltas()).filteredOn(d -> d.completed() == 1).containsExactly(completed("WELCOME"));
        assertThat(staleEvents()).extracting(StaleSession::sessionId).containsExactly("a");
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }
}
