package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.HotInventoryRow;
import io.flowgate.analytics.records.InventorySnapshot;
import io.flowgate.analytics.records.ItemSelection;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HotInventoryTrackerTest {

    private static final long T0 = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000;
    private static final Duration WINDOW = Duration.ofMinutes(10);

    private KeyedBroadcastOperatorTestHarness<String, ItemSelection, InventorySnapshot, HotInventoryRow> harness;

    @BeforeEach
    void open() throws Exception {
        open(Long.MAX_VALUE);
    }

    /** A tracker for a run whose event time ends at {@code endOfTime} (AnalyticsOptions.endOfTime()). */
    private void open(long endOfTime) throws Exception {
        if (harness != null) {
            harness.close();
        }
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new HotInventoryTracker(WINDOW, Duration.ofMinutes(1), 3, Duration.ofHours(1), endOfTime),
                ItemSelection::itemId, Types.STRING, HotInventoryTracker.INVENTORY);
        harness.open();
        // as in the job once the inventory table was read: the snapshot stream no longer holds event time back
        harness.processBroadcastWatermark(Long.MAX_VALUE);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void select(String item, String session, long time) throws Exception {
        harness.processElement(new ItemSelection(item, session, time), time);
    }

    @Test
    void demandSlidesWithTheWindowAndDecaysToZeroLeavingNoState() throws Exception {
        harness.processBroadcastElement(new InventorySnapshot(0, Map.of("sku-1", 100)), T0);
        select("sku-1", "s1", T0 + 10_000);
        select("sku-1", "s2", T0 + 20_000);
        select("sku-1", "s3", T0 + 3 * MINUTE + 5_000);

        harness.processWatermark(T0 + MINUTE);
        assertThat(harness.extractOutputValues()).last()
                .isEqualTo(new HotInventoryRow("sku-1", 2, T0 + MINUTE - WINDOW.toMillis(), T0 + MINUTE, 100, false,
                        T0 + MINUTE + 50 * WINDOW.toMillis()));

        harness.processWatermark(T0 + 4 * MINUTE);
        assertThat(harness.extractOutputValues()).last().satisfies(row -> {
            assertThat(row.demand()).isEqualTo(3);
            assertThat(row.hot()).isTrue();
        });

        // the first two selections leave the window at T0 + 11 min, the third at T0 + 14 min
        harness.processWatermark(T0 + 11 * MINUTE);
        assertThat(harness.extractOutputValues()).last().extracting(HotInventoryRow::demand).isEqualTo(1L);
        harness.processWatermark(T0 + 30 * MINUTE);
        assertThat(harness.extractOutputValues()).last().satisfies(row -> {
            assertThat(row.demand()).isZero();
            assertThat(row.windowEnd()).isEqualTo(T0 + 14 * MINUTE);
            assertThat(row.hot()).isFalse();
            assertThat(row.stockoutAt()).isNull();
        });
        assertThat(KeyedStateEntries.of(harness)).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void itemOutOfStockWithDemandIsHotAndAlreadyOut() throws Exception {
        harness.processBroadcastElement(new InventorySnapshot(0, Map.of("sku-2", 0)), T0);
        select("sku-2", "s1", T0 + 1_000);
        harness.processWatermark(T0 + MINUTE);

        assertThat(harness.extractOutputValues()).singleElement()
                .isEqualTo(new HotInventoryRow("sku-2", 1, T0 + MINUTE - WINDOW.toMillis(), T0 + MINUTE, 0, true, T0 + MINUTE));
    }

    @Test
    void itemUnknownToTheInventoryHasNoStockFigure() throws Exception {
        harness.processBroadcastElement(new InventorySnapshot(0, Map.of()), T0);
        select("sku-9", "s1", T0 + 1_000);
        harness.processWatermark(T0 + MINUTE);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(row -> {
            assertThat(row.stock()).isNull();
            assertThat(row.stockoutAt()).isNull();
            assertThat(row.hot()).isFalse();
        });
    }

    @Test
    void theWindowEndingExactlyAtTheEndOfABoundedRunIsEvaluated() throws Exception {
        long to = T0 + 10 * MINUTE;
        open(to - 1); // --to is exclusive: the run's last instant is to - 1 ms
        harness.processBroadcastElement(new InventorySnapshot(0, Map.of("sku-1", 100)), T0);
        select("sku-1", "s1", T0 + 5 * MINUTE + 1_000);
        select("sku-1", "s2", to - 1);

        harness.processWatermark(Long.MAX_VALUE); // the end of the bounded input

        // [to - window, to) holds both selections; nothing after --to is decided
        assertThat(harness.extractOutputValues()).last().satisfies(row -> {
            assertThat(row.windowEnd()).isEqualTo(to);
            assertThat(row.demand()).isEqualTo(2);
        });
        assertThat(harness.extractOutputValues()).extracting(HotInventoryRow::windowEnd).allMatch(end -> end <= to);
    }

    @Test
    void aSelectionLaterThanTheWatermarkNeverMovesTheRowBack() throws Exception {
        harness.processBroadcastElement(new InventorySnapshot(0, Map.of("sku-1", 100)), T0);
        select("sku-1", "s1", T0 + 10_000);
        harness.processWatermark(T0 + 5 * MINUTE);
        // late, but its window is still open at the boundaries ahead: it counts from T0 + 6 min on
        select("sku-1", "s2", T0 + 2 * MINUTE);
        harness.processWatermark(T0 + 6 * MINUTE);
        assertThat(harness.extractOutputValues()).last().satisfies(row -> {
            assertThat(row.windowEnd()).isEqualTo(T0 + 6 * MINUTE);
            assertThat(row.demand()).isEqualTo(2);
        });

        // the item decays (both selections have left the window at T0 + 13 min) and leaves state
        harness.processWatermark(T0 + 30 * MINUTE);
        assertThat(harness.extractOutputValues()).last().satisfies(row -> {
            assertThat(row.windowEnd()).isEqualTo(T0 + 13 * MINUTE);
            assertThat(row.demand()).isZero();
        });
        // a selection whose windows have all been reported: the row stays where it is
        select("sku-1", "s3", T0 + 2 * MINUTE + 30_000);
        harness.processWatermark(T0 + 40 * MINUTE);

        assertThat(harness.extractOutputValues()).extracting(HotInventoryRow::windowEnd).isSorted().doesNotHaveDuplicates();
        assertThat(harness.extractOutputValues()).last().extracting(HotInventoryRow::windowEnd).isEqualTo(T0 + 13 * MINUTE);
        assertThat(KeyedStateEntries.of(harness)).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }
}
