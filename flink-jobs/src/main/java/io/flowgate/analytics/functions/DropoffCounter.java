package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.ScreenDelta;
import io.flowgate.analytics.records.ScreenDropoffRow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

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
 *
 * <p>{@link #rollingUp} makes the finer counter feed the coarser one: with each write of its row it emits on
 * {@link #ROLL_UP} the sum of the deltas counted since its previous write (one {@link ScreenDelta} carrying the
 * latest change's time), so {@code screen_dropoff}'s counter gets one record per changed version row and
 * watermark advance instead of every session's delta a second time. Sums of sums are the same sums; a delta too
 * late for a cohort is dropped here already, by the same rule. (State written before the roll-up existed has no
 * pending sum: its deltas went to the coarser counter directly, so nothing is missing.)
 *
 * <p>The session tracker's deltas reach the finer counter combined ({@link #combiner}: a {@link LocalCombiner}
 * chained to the tracker sums them per version row until the next watermark or checkpoint barrier), as one delta per
 * row with its latest change's time set, the same form as a roll-up: the counter adds a sum as it adds each delta it
 * sums, and a delta too late for its cohort is so for the whole sum (one cohort per row).
 */
public final class DropoffCounter extends KeyedProcessFunction<String, ScreenDelta, ScreenDropoffRow> {

    /** What a {@link #rollingUp} counter passes on to the coarser row's counter. */
    public static final OutputTag<ScreenDelta> ROLL_UP =
            new OutputTag<>("screen-dropoff-roll-up", TypeInformation.of(ScreenDelta.class));

    private final long cohortRetention;
    private final long endOfTime;
    private final boolean rollUp;

    private transient ValueState<ScreenDropoffRow> row;
    private transient ValueState<Boolean> dirty;
    private transient ValueState<ScreenDelta> unsent;
    private transient Counter tooLate;

    public DropoffCounter(Duration cohortRetention, long endOfTime) {
        this(cohortRetention, endOfTime, false);
    }

    private DropoffCounter(Duration cohortRetention, long endOfTime, boolean rollUp) {
        this.cohortRetention = cohortRetention.toMillis();
        this.endOfTime = endOfTime;
        this.rollUp = rollUp;
    }

    /** A counter that also emits its changes on {@link #ROLL_UP}, for a counter keyed coarser. */
    public static DropoffCounter rollingUp(Duration cohortRetention, long endOfTime) {
        return new DropoffCounter(cohortRetention, endOfTime, true);
    }

    @Override
    public void open(OpenContext openContext) {
        row = getRuntimeContext().getState(new ValueStateDescriptor<>("row", ScreenDropoffRow.class));
        dirty = getRuntimeContext().getState(new ValueStateDescriptor<>("dirty", Types.BOOLEAN));
        if (rollUp) {
            unsent = getRuntimeContext().getState(new ValueStateDescriptor<>("unsent", ScreenDelta.class));
        }
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
        long time = timeOf(delta, ctx.timestamp());
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
        if (rollUp) {
            ScreenDelta before = unsent.value();
            unsent.update(before == null
                    ? new ScreenDelta(current.flowId(), current.cohortStart(), current.screen(), current.source(),
                            delta.reached(), delta.dropped(), delta.completed(), current.flowVersion(), time)
                    : new ScreenDelta(before.flowId(), before.cohortStart(), before.screen(), before.source(),
                            before.reached() + delta.reached(), before.dropped() + delta.dropped(),
                            before.completed() + delta.completed(), before.flowVersion(), Math.max(before.time(), time)));
        }
        if (dirty.value() == null) {
            dirty.update(true);
            ctx.timerService().registerEventTimeTimer(Coalescing.nextWatermarkTick(watermark));
        }
    }

    /** A delta's time: its own, or else its stream record's timestamp, or else its cohort's start. */
    private static long timeOf(ScreenDelta delta, Long timestamp) {
        return delta.time() != ScreenDelta.RECORD_TIME ? delta.time() : timestamp == null ? delta.cohortStart() : timestamp;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ScreenDropoffRow> out) throws Exception {
        if (dirty.value() != null) {
            out.collect(row.value());
            dirty.clear();
            ScreenDelta changes = rollUp ? unsent.value() : null;
            if (changes != null) {
                ctx.output(ROLL_UP, changes);
                unsent.clear();
            }
        }
        ScreenDropoffRow current = row.value();
        if (current != null && timestamp >= current.cohortStart() + cohortRetention) {
            row.clear();
        }
    }

    /**
     * The combiner of the tracker's deltas, chained to it: one delta per {@code screen_dropoff_by_version} row and
     * watermark interval (or checkpoint, or {@code maxKeys} rows) instead of one per session change.
     */
    public static LocalCombiner<ScreenDelta, DeltaSum, ScreenDelta> combiner(int maxKeys) {
        return new LocalCombiner<>(new DeltaCombine(), maxKeys);
    }

    /** The running sum of one version row's deltas. */
    static final class DeltaSum {
        final ScreenDelta first;
        int reached;
        int dropped;
        int completed;
        long time = Long.MIN_VALUE;

        DeltaSum(ScreenDelta first) {
            this.first = first;
        }
    }

    /** Sums deltas per {@code screen_dropoff_by_version} row, with the time {@link #processElement} would give each. */
    static final class DeltaCombine implements LocalCombiner.Combine<ScreenDelta, DeltaSum, ScreenDelta> {

        private record VersionRow(String flowId, int flowVersion, long cohortStart, String screen) {
        }

        @Override
        public Object key(ScreenDelta delta) {
            return new VersionRow(delta.flowId(), delta.flowVersion(), delta.cohortStart(), delta.screen());
        }

        @Override
        public DeltaSum create(ScreenDelta delta) {
            return new DeltaSum(delta);
        }

        @Override
        public void add(DeltaSum sum, ScreenDelta delta, Long timestamp) {
            sum.reached += delta.reached();
            sum.dropped += delta.dropped();
            sum.completed += delta.completed();
            sum.time = Math.max(sum.time, timeOf(delta, timestamp));
        }

        @Override
        public ScreenDelta result(DeltaSum sum) {
            ScreenDelta d = sum.first;
            return new ScreenDelta(d.flowId(), d.cohortStart(), d.screen(), d.source(), sum.reached, sum.dropped,
                    sum.completed, d.flowVersion(), sum.time);
        }
    }
}
