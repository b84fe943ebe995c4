package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.HotInventoryRow;
import io.flowgate.analytics.records.InventorySnapshot;
import io.flowgate.analytics.records.ItemSelection;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;

/**
 * Demand for each item (keyed by item id) over a sliding event-time window, joined with the item's stock
 * from the broadcast {@code inventory} snapshot, for the {@code hot_inventory} routing table.
 *
 * <p>Demand at a slide boundary B is the number of sessions that selected the item in [B − window, B).
 * Selections are counted in slide-sized buckets and every boundary whose window a selection falls in gets a
 * timer, plus the first boundary after it, so the row also decays: when the last selection leaves the window
 * a row with demand 0 is written and the item's state is cleared. Flink's own sliding windows would never
 * report that zero. The timers are registered as selections arrive, because in BATCH mode Flink ignores
 * timers registered while timers fire.
 *
 * <p>The timer of boundary B is set at B − 1 ms, the last instant its window holds, as Flink's own windows
 * do: the window is complete once the watermark passes that instant, and the window that ends exactly at a
 * bounded run's {@code --to} (whose last instant is the run's {@code endOfTime}) is evaluated too.
 *
 * <p>A row never moves back in time. A selection later than the watermark counts from the first boundary
 * the watermark has not passed yet; the boundaries already reported stay as they were written. If its
 * windows are all behind the watermark it is not counted at all (metric {@code selectionsTooLate}): its
 * item may already have been written with a later {@code window_end} and cleared from state.
 *
 * <p>One row per item and boundary is written (one write per item per slide). Stock comes from the latest
 * inventory snapshot; a stock change shows at the next boundary.
 * Estimated stock-out = B + stock ÷ (demand per window), i.e. if demand continues at the current rate;
 * B itself when the stock is 0. An item is hot when its demand reaches {@code hotDemand}, or when it has
 * demand and is estimated to run out within {@code stockoutHorizon}.
 */
public final class HotInventoryTracker extends KeyedBroadcastProcessFunction<String, ItemSelection, InventorySnapshot, HotInventoryRow> {

    public static final MapStateDescriptor<String, InventorySnapshot> INVENTORY =
            new MapStateDescriptor<>("inventory", Types.STRING, TypeInformation.of(InventorySnapshot.class));
    private static final String CURRENT = "current";

    private final long window;
    private final long slide;
    private final long hotDemand;
    private final long stockoutHorizon;
    private final long endOfTime;

    private transient MapState<Long, Long> buckets;
    private transient ValueState<HotInventoryRow> lastRow;
    private transient Counter tooLate;

    public HotInventoryTracker(Duration window, Duration slide, long hotDemand, Duration stockoutHorizon, long endOfTime) {
        if (window.toMillis() % slide.toMillis() != 0) {
            throw new IllegalArgumentException("the demand window must be a multiple of its slide");
        }
        this.window = window.toMillis();
        this.slide = slide.toMillis();
        this.hotDemand = hotDemand;
        this.stockoutHorizon = stockoutHorizon.toMillis();
        this.endOfTime = endOfTime;
    }

    @Override
    public void open(OpenContext openContext) {
        buckets = getRuntimeContext().getMapState(new MapStateDescriptor<>("buckets", Types.LONG, Types.LONG));
        lastRow = getRuntimeContext().getState(new ValueStateDescriptor<>("last-row", HotInventoryRow.class));
        tooLate = getRuntimeContext().getMetricGroup().counter("selectionsTooLate");
    }

    @Override
    public void processElement(ItemSelection selection, ReadOnlyContext ctx, Collector<HotInventoryRow> out) throws Exception {
        long bucket = Math.floorDiv(selection.eventTime(), slide) * slide;
        long first = Math.max(bucket + slide, firstBoundaryAhead(ctx.timerService().currentWatermark()));
        if (first > bucket + window) {
            // every window holding it was reported already
            tooLate.inc();
            return;
        }
        Long count = buckets.get(bucket);
        buckets.put(bucket, count == null ? 1 : count + 1);
        // the boundaries whose window holds this bucket, and the next one, where it has left
        for (long boundary = first; boundary <= bucket + window + slide && boundary - 1 <= endOfTime; boundary += slide) {
            ctx.timerService().registerEventTimeTimer(boundary - 1);
        }
    }

    /** The first slide boundary whose timer (at boundary − 1) the watermark has not passed. */
    private long firstBoundaryAhead(long watermark) {
        if (watermark == Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        if (watermark >= Long.MAX_VALUE - slide) {
            return Long.MAX_VALUE;
        }
        return (Math.floorDiv(watermark + 1, slide) + 1) * slide;
    }

    @Override
    public void processBroadcastElement(InventorySnapshot snapshot, Context ctx, Collector<HotInventoryRow> out) throws Exception {
        ctx.getBroadcastState(INVENTORY).put(CURRENT, snapshot);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<HotInventoryRow> out) throws Exception {
        // rounding also maps the timers of savepoints taken before timers moved to boundary − 1 to their boundary
        long boundary = Math.floorDiv(timestamp + 1, slide) * slide;
        HotInventoryRow previous = lastRow.value();
        if (previous != null && boundary <= previous.windowEnd()) {
            // already reported: a state restored from before timers moved to boundary − 1 can name a boundary twice
            return;
        }
        if (previous == null && buckets.isEmpty()) {
            // the item's demand already decayed to zero and was cleared; later boundaries have nothing to say
            return;
        }
        long demand = 0;
        Iterator<Map.Entry<Long, Long>> it = buckets.iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Long> e = it.next();
            long start = e.getKey();
            if (start >= boundary - window && start < boundary) {
                demand += e.getValue();
            }
            if (start < boundary + slide - window) {
                it.remove();
            }
        }
        InventorySnapshot inventory = ctx.getBroadcastState(INVENTORY).get(CURRENT);
        Integer stock = inventory == null ? null : inventory.stock().get(ctx.getCurrentKey());
        HotInventoryRow row = row(ctx.getCurrentKey(), demand, boundary, stock);
        out.collect(row);
        if (buckets.isEmpty() && demand == 0) {
            // an iterator leaves an empty map behind in the heap backend: clear() removes the entry itself
            buckets.clear();
            lastRow.clear();
            return;
        }
        lastRow.update(row);
    }

    HotInventoryRow row(String itemId, long demand, long boundary, Integer stock) {
        Long stockoutAt = null;
        if (stock != null && demand > 0) {
            stockoutAt = stock <= 0 ? boundary : boundary + (long) ((double) stock * window / demand);
        }
        boolean hot = demand >= hotDemand || (stockoutAt != null && stockoutAt - boundary <= stockoutHorizon);
        return new HotInventoryRow(itemId, demand, boundary - window, boundary, stock, hot, stockoutAt);
    }

}
