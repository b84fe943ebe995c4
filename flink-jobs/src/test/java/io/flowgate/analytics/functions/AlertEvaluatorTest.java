package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.AlertRule;
import io.flowgate.analytics.records.AlertRules;
import io.flowgate.analytics.records.AlertScopeMinute;
import io.flowgate.analytics.records.LatencyStats;
import io.flowgate.events.LatencyAlert;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AlertEvaluatorTest {

    private static final long T0 = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000;
    private static final AlertRule P90 = new AlertRule(1, "*", "p90", 1000.0, null, 2);
    private static final AlertRule ERRORS = new AlertRule(2, "*", null, null, 0.05, 1);

    private KeyedBroadcastOperatorTestHarness<String, AlertScopeMinute, AlertRules, LatencyAlert> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new AlertEvaluator(Long.MAX_VALUE),
                AlertScopeMinute::scope, Types.STRING, AlertEvaluator.RULES);
        harness.open();
    }

    /** As in the job: the rules stream holds event time back until its first snapshot (ReferenceDataWatermarks). */
    private void loadRules(AlertRule... rules) throws Exception {
        harness.processBroadcastElement(new AlertRules(0, List.of(rules)), T0);
        harness.processBroadcastWatermark(Long.MAX_VALUE);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    /** A minute of 100 requests, {@code slow} of them taking 2 s, {@code errors} of them failing. */
    private void minute(int index, int slow, int errors) throws Exception {
        LatencyStats stats = new LatencyStats();
        for (int i = 0; i < 100; i++) {
            stats.add(i < slow ? 2_000_000 : 50_000, i < errors);
        }
        long start = T0 + index * MINUTE;
        harness.processElement(new AlertScopeMinute("*", start, stats), start + MINUTE - 1);
    }

    private List<String> alerts() {
        return harness.extractOutputValues().stream()
                .map(a -> a.ruleId() + " " + a.metric() + " " + a.state() + " @" + (a.windowEnd().toEpochMilli() - T0) / MINUTE)
                .toList();
    }

    @Test
    void minutesWaitForTheFirstRulesSnapshotInsteadOfBeingEvaluatedAgainstNoRules() throws Exception {
        minute(0, 0, 10);
        harness.processWatermark(T0 + MINUTE);
        assertThat(alerts()).isEmpty();

        loadRules(P90, ERRORS);
        assertThat(alerts()).containsExactly("2 error_rate FIRING @1");
    }

    @Test
    void alertFiresOnceWhenCrossedAndResolvesOnceWhenBackUnder() throws Exception {
        loadRules(P90, ERRORS);
        minute(0, 0, 0);
        minute(1, 30, 0);
        minute(2, 30, 0);
        minute(3, 0, 0);
        minute(4, 0, 0);
        harness.processWatermark(T0 + 5 * MINUTE);

        // p90 over two minutes: 15 % slow at minute 1, 30 % at 2, 15 % at 3, 0 % at 4
        assertThat(alerts()).containsExactly("1 p90 FIRING @2", "1 p90 RESOLVED @5");
        LatencyAlert fired = harness.extractOutputValues().get(0);
        assertThat(fired.value()).isBetween(1980.0, 2020.0);
        assertThat(fired.threshold()).isEqualTo(1000.0);
        assertThat(fired.eventId()).isEqualTo("alert:1:p90:" + (T0 + 2 * MINUTE) + ":FIRING");
    }

    @Test
    void errorRateAlertResolvesWhenTrafficStopsAndStateIsCleared() throws Exception {
        loadRules(P90, ERRORS);
        minute(0, 0, 10);
        harness.processWatermark(T0 + 10 * MINUTE);

        assertThat(alerts()).containsExactly("2 error_rate FIRING @1", "2 error_rate RESOLVED @2");
        assertThat(KeyedStateEntries.of(harness)).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void thresholdChangedByOpsAppliesWithoutRestart() throws Exception {
        loadRules(P90, ERRORS);
        minute(0, 0, 3);
        harness.processWatermark(T0 + MINUTE);
        assertThat(alerts()).isEmpty();

        harness.processBroadcastElement(new AlertRules(1, List.of(new AlertRule(2, "*", null, null, 0.02, 1))), T0);
        minute(1, 0, 3);
        harness.processWatermark(T0 + 2 * MINUTE);
        assertThat(alerts()).containsExactly("2 error_rate FIRING @2");

        // ops disable the rule: the firing alert resolves instead of staying open forever
        harness.processBroadcastElement(new AlertRules(2, List.of()), T0);
        minute(2, 0, 3);
        harness.processWatermark(T0 + 3 * MINUTE);
        assertThat(alerts()).containsExactly("2 error_rate FIRING @2", "2 error_rate RESOLVED @3");
    }

    @Test
    void ruleForOneScreenIgnoresOtherScopes() throws Exception {
        loadRules(new AlertRule(3, "QUOTE", "p99", 500.0, null, 1));
        LatencyStats slow = new LatencyStats().add(2_000_000, false);
        harness.processElement(new AlertScopeMinute("DETAILS", T0, slow), T0 + MINUTE - 1);
        harness.processElement(new AlertScopeMinute("QUOTE", T0, slow.copy()), T0 + MINUTE - 1);
        harness.processWatermark(T0 + MINUTE);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(a -> {
            assertThat(a.screen()).isEqualTo("QUOTE");
            assertThat(a.state()).isEqualTo(LatencyAlert.FIRING);
        });
    }
}
