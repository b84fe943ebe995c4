package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.ScreenExit;
import io.flowgate.analytics.records.ScreenExits;
import io.flowgate.analytics.records.ScreenPathRow;
import io.flowgate.analytics.records.ScreenTimeRow;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ScreenExitCounterTest {

    private static final Duration STALE_AFTER = Duration.ofMinutes(30);
    private static final long T0 = 1_700_000_000_000L;

    private KeyedOneInputStreamOperatorTestHarness<String, ScreenExits, ScreenTimeRow> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new ScreenExitCounter(STALE_AFTER), ScreenExits::screenKey, Types.STRING);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void moveOn(String to, String action, long shownSeconds, long at) throws Exception {
        harness.processElement(ScreenExitCounter.single(new ScreenExit("shop", 3, "ITEM", to, action, false, shownSeconds * 1000, at)), at);
    }

    private void dropOff(long at) throws Exception {
        harness.processElement(ScreenExitCounter.single(new ScreenExit("shop", 3, "ITEM", "", "", true, STALE_AFTER.toMillis(), at)), at);
    }

    private ScreenTimeRow lastRow() {
        List<ScreenTimeRow> rows = harness.extractOutputValues();
        return rows.get(rows.size() - 1);
    }

    @Test
    void percentilesOverAllViewsPutTheDropOffsAboveEveryMovedOnView() throws Exception {
        for (int s = 1; s <= 9; s++) {
            moveOn(s % 3 == 0 ? "CATALOG" : "CONFIRM", s % 3 == 0 ? "BACK" : "data_exchange", s, T0 + s);
        }
        dropOff(T0 + 100);
        harness.processWatermark(T0 + 200);

        ScreenTimeRow row = lastRow();
        assertThat(List.of(row.views(), row.movedOn(), row.droppedOff(), row.updatedAt())).containsExactly(10L, 9L, 1L, T0 + 100);
        // ranks 5 and 9 of 10 are moved-on views (5 s, 9 s); of the 9 moved-on views, ranks 5 and 9
        assertThat(row.p50Ms()).isCloseTo(5_000, within(50.0));
        assertThat(row.p90Ms()).isCloseTo(9_000, within(90.0));
        assertThat(row.p50MovedOnMs()).isCloseTo(5_000, within(50.0));
        assertThat(row.p90MovedOnMs()).isCloseTo(9_000, within(90.0));
        assertThat(row.maxMovedOnMs()).isEqualTo(9_000);
        assertThat(harness.getSideOutput(ScreenExitCounter.PATHS)).extracting(StreamRecord::getValue).containsExactlyInAnyOrder(
                new ScreenPathRow("shop", 3, "ITEM", "CONFIRM", "data_exchange", 6, T0 + 8),
                new ScreenPathRow("shop", 3, "ITEM", "CATALOG", "BACK", 3, T0 + 9));

        // a second drop-off: rank 10 of 11 is one, so p90 is the stale-after time exactly
        dropOff(T0 + 300);
        harness.processWatermark(T0 + 400);
        assertThat(lastRow().p90Ms()).isEqualTo(STALE_AFTER.toMillis());
        assertThat(lastRow().p90MovedOnMs()).isCloseTo(9_000, within(90.0));
    }
}
