package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.ScreenDelta;
import io.flowgate.analytics.records.ScreenDropoffRow;
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

class DropoffCounterTest {

    private static final long COHORT = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
    private static final Duration RETENTION = Duration.ofDays(7);

    private KeyedOneInputStreamOperatorTestHarness<String, ScreenDelta, ScreenDropoffRow> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new DropoffCounter(RETENTION, Long.MAX_VALUE), ScreenDelta::rowKey, Types.STRING);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static ScreenDelta delta(int reached, int dropped, int completed) {
        return new ScreenDelta("lead_form", COHORT, "DETAILS", "flow", reached, dropped, completed);
    }

    @Test
    void rowCarriesAbsoluteCountsAndIsWrittenOncePerWatermark() throws Exception {
        harness.processWatermark(COHORT);
        harness.processElement(delta(1, 0, 0), COHORT + 1_000);
        harness.processElement(delta(1, 0, 0), COHORT + 2_000);
        harness.processElement(delta(1, 0, 0), COHORT + 3_000);
        harness.processElement(delta(0, 0, 1), COHORT + 4_000);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processWatermark(COHORT + 5_000);
        harness.processElement(delta(0, 1, 0), COHORT + 9_000);
        harness.processWatermark(COHORT + 10_000);

        assertThat(harness.extractOutputValues()).containsExactly(
                new ScreenDropoffRow("lead_form", COHORT, "DETAILS", "flow", 3, 0, 1, COHORT + 4_000),
                new ScreenDropoffRow("lead_form", COHORT, "DETAILS", "flow", 3, 1, 1, COHORT + 9_000));
        assertThat(harness.extractOutputValues().get(1).dropRate()).isEqualTo(1.0 / 3);
    }

    @Test
    void cohortCountersAreDroppedAfterRetentionAndLaterChangesIgnored() throws Exception {
        harness.processElement(delta(1, 0, 0), COHORT + 1_000);
        harness.processWatermark(COHORT + RETENTION.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();

        harness.processElement(delta(0, 1, 0), COHORT + RETENTION.toMillis());
        harness.processWatermark(Long.MAX_VALUE);
        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aRollingUpCounterPassesOnWhatChangedSinceItsLastWriteOncePerWatermark() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, ScreenDelta, ScreenDropoffRow> byVersion =
                     ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                             DropoffCounter.rollingUp(RETENTION, Long.MAX_VALUE), ScreenDelta::versionRowKey, Types.STRING)) {
            byVersion.open();
            byVersion.processWatermark(COHORT);
            byVersion.processElement(new ScreenDelta("lead_form", COHORT, "DETAILS", "flow", 1, 0, 0, 3), COHORT + 1_000);
            byVersion.processElement(new ScreenDelta("lead_form", COHORT, "DETAILS", "flow", 1, 0, 0, 3), COHORT + 3_000);
            byVersion.processElement(new ScreenDelta("lead_form", COHORT, "DETAILS", "flow", 0, 0, 1, 3), COHORT + 2_000);
            byVersion.processWatermark(COHORT + 5_000);
            byVersion.processWatermark(COHORT + 6_000);
            byVersion.processElement(new ScreenDelta("lead_form", COHORT, "DETAILS", "flow", 0, 1, 0, 3), COHORT + 9_000);
            byVersion.processWatermark(COHORT + 10_000);

            assertThat(byVersion.getSideOutput(DropoffCounter.ROLL_UP)).extracting(StreamRecord::getValue).containsExactly(
                    new ScreenDelta("lead_form", COHORT, "DETAILS", "flow", 2, 0, 1, 3, COHORT + 3_000),
                    new ScreenDelta("lead_form", COHORT, "DETAILS", "flow", 0, 1, 0, 3, COHORT + 9_000));

            // the coarser counter sums them into the same row as the sessions' deltas themselves would give
            for (StreamRecord<ScreenDelta> change : byVersion.getSideOutput(DropoffCounter.ROLL_UP)) {
                harness.processElement(change);
            }
            harness.processWatermark(COHORT + 20_000);
            assertThat(harness.extractOutputValues()).containsExactly(
                    new ScreenDropoffRow("lead_form", COHORT, "DETAILS", "flow", 2, 1, 1, COHORT + 9_000, 3));
        }
    }
}
