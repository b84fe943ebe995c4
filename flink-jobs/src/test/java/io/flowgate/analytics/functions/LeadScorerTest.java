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

    @Test
    void userIsRescoredOncePerWatermarkAndForgottenAfterRetention() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, SessionSummary, LeadScoreRow> harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new LeadScorer(LeadScoreModel.defaults(), RETENTION, Long.MAX_VALUE), SessionSummary::userId, Types.STRING);
        harness.open();
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
}
