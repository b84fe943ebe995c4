package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.ScreenDelta;
import io.flowgate.analytics.records.ScreenDropoffRow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Sums the session tracker's deltas into the absolute counts of one {@code screen_dropoff} row (keyed by
 * flow, cohort and screen) or one {@code screen_dropoff_by_version} row (keyed by flow, Flow version, cohort and
 * screen: the same operator, keyed finer). It decides nothing about a session: its cohort hour is
 * {@link SessionTracker#cohortHour}, and whether it reached, completed or dropped at a screen is decided by
 * {@link SessionTracker} (a drop when it goes stale). Absolute counts make the JDBC upsert idempotent: replaying after a restore
 * writes the same values again.
 *
 * <p>A row is written at most once per watermark advance (an event-time timer just past the current
 * watermark), however many sessions moved: the table stays fresh within a watermark interval while the
 * database sees one write per changed row instead of one per transition. A batch run writes each row once.
 *
 * <p>A cohort's counters are dropped {@code cohortRetention} after the cohort's hour; changes that arrive
 * for a cohort that old are ignored (metric {@code deltasTooLate}) rather than restarting its counts at zero.
 */
public final class DropoffCounter extends KeyedProcessFunction<String, ScreenDelta, ScreenDropoffRow> {

    private final long cohortRetention;
    private final long endOfTime;

    private transient ValueState<ScreenDropoffRow> row;
    private transient ValueState<Boolean> dirty;
    private transient Counter tooLate;

    public DropoffCounter(Duration cohortRetention, long endOfTime) {
        this.cohortRetention = cohortRetention.toMillis();
        this.endOfTime = endOfTime;
    }

    @Override
    public void open(OpenContext openContext) {
        row = getRuntimeContext().getState(new ValueStateDescriptor<>("row", ScreenDropoffRow.class));
        dirty = getRuntimeContext().getState(new ValueStateDescriptor<>("dirty", Types.BOOLEAN));
        tooLate = getRuntimeContext().getMetricGroup().counter("deltasTooLate");
    }

    @Override
    public void processElement(ScreenDelta delta, Context ctx, Collector<ScreenDropoffRow> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        long expiry = delta.cohortStart() + cohortRetention;
        if (watermark >= expiry) {
            tooLate.inc();
            return;
        }
        long time = ctx.timestamp() == null ? delta.cohortStart() : ctx.timestamp();
        ScreenDropoffRow current = row.value();
        if (current == null) {
            current = new ScreenDropoffRow(delta.flowId(), delta.cohortStart(), delta.screen(), delta.source(), 0, 0, 0, time,
                    delta.flowVersion());
            if (expiry <= endOfTime) {
                ctx.timerService().registerEventTimeTimer(expiry);
            }
        }
        row.update(new ScreenDropoffRow(current.flowId(), current.cohortStart(), current.screen(), current.source(),
                current.reached() + delta.reached(), current.dropped() + delta.dropped(),
                current.completed() + delta.completed(), Math.max(current.updatedAt(), time), current.flowVersion()));
        if (dirty.value() == null) {
            dirty.update(true);
            ctx.timerService().registerEventTimeTimer(Coalescing.nextWatermarkTick(watermark));
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ScreenDropoffRow> out) throws Exception {
        if (dirty.value() != null) {
            out.collect(row.value());
            dirty.clear();
        }
        ScreenDropoffRow current = row.value();
        if (current != null && timestamp >= current.cohortStart() + cohortRetention) {
            row.clear();
        }
    }
}
