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
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new HotInventoryTracker(WINDOW, Duration.ofMinutes(1), 3, Duration.ofHours(1), Long.MAX_VALUE),
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
}
