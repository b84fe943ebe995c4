package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.LeadScoreRow;
import io.flowgate.analytics.records.SessionSummary;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class LeadScorerTest {

    private static final long T0 = 1_790_000_000_000L;
    private static final Duration RETENTION = Duration.ofDays(30);

    private static SessionSummary summary(String session, long last, boolean completed) {
        return new SessionSummary("u1", session, "lead_form", T0, last, last, 3, completed, false, 0, false, "20000", null, null);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SessionSummary, LeadScoreRow> openHarness() throws Exception {
        var harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new LeadScorer(LeadScoreModel.defaults(), RETENTION, Long.MAX_VALUE), SessionSummary::userId, Types.STRING);
        harness.open();
        return harness;
    }

    @Test
    void userIsRescoredOncePerWatermarkAndForgottenAfterRetention() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, SessionSummary, LeadScoreRow> harness = openHarness();
        harness.processWatermark(T0);
        harness.processElement(summary("s1", T0 + 1_000, false), T0 + 1_000);
        harness.processElement(summary("s1", T0 + 2_000, false), T0 + 2_000);
        harness.processElement(summary("s1", T0 + 3_000, true), T0 + 3_000);
        harness.processWatermark(T0 + 5_000);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(row -> {
            assertThat(row.waId()).isEqualTo("u1");
            assertThat(row.completedSessions()).isEqualTo(1);
            assertThat(row.updatedAt()).isEqualTo(T0 + 3_000);
        });

        harness.processWatermark(T0 + 3_000 + RETENTION.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        harness.close();
    }

    @Test
    void summariesRestoredFromBeforeTheActivityAndStaleTimesExistedStillCount() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, SessionSummary, LeadScoreRow> harness = openHarness();
        // as a savepoint of the previous version restores them: lastActivityAt and staleAt read 0
        harness.processElement(new SessionSummary("u1", "s1", "lead_form", T0, T0 + 1_000, 0, 1, false, true, 0, false,
                "20000", null, null), T0 + 1_000);
        harness.processElement(new SessionSummary("u1", "s2", "lead_form", T0 + 500, T0 + 7_300_000, 0, 1, true,
                false, 0, false, null, null, null), T0 + 7_300_000);
        harness.processWatermark(T0 + 7_400_000);

        assertThat(harness.extractOutputValues()).last().satisfies(row -> {
            assertThat(row.sessions()).isEqualTo(2);
            assertThat(row.updatedAt()).isEqualTo(T0 + 7_300_000);
            // budget (+30), completed (+20), one drop-off (-10); s2 started before s1 went stale: no comeback
            assertThat(row.score()).isEqualTo(40);
        });
        harness.close();
    }
}
