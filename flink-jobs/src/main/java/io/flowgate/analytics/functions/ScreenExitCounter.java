package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.LatencyStats;
import io.flowgate.analytics.records.ScreenExit;
import io.flowgate.analytics.records.ScreenExits;
import io.flowgate.analytics.records.ScreenPathRow;
import io.flowgate.analytics.records.ScreenTimeRow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Time on screen and paths, per Flow, Flow version and screen (keyed by {@link ScreenExits#screenKey()}): the
 * distribution of how long the screen was shown before the session moved on (an HdrHistogram in a
 * {@link LatencyStats}, the endpoint-latency machinery), how often sessions dropped off on it, and how many
 * transitions left it for each (next screen, action). Main output: the screen's {@code screen_time} row; side
 * output {@link #PATHS}: its {@code screen_paths} rows.
 *
 * <p>Drop-offs stay out of the histogram: their time is the same for every one ({@code --stale-after}, the
 * moment the session is flagged) and above every moved-on view, because a longer pause makes the session
 * stale first. So the percentiles over all views are exact ranks: the lowest ones read from the histogram,
 * the rest {@code --stale-after}.
 *
 * <p>Rows are written once per watermark advance like the funnel's ({@link Coalescing}); the counts are
 * absolute, so the upserts are idempotent. State is a few kilobytes per (Flow, version, screen) and kept for the
 * job's life: Flows, versions and screens are few.
 *
 * <p>The session tracker's exits reach it combined ({@link #combiner()}: a {@link LocalCombiner} chained to the
 * tracker sums them per screen until the next watermark or checkpoint barrier), as {@link ScreenExits}: counts add,
 * latest times are maxima and histograms merge bucket by bucket (an HdrHistogram's merge gives the same counts as
 * recording each value into one), so the state, hence every row, is the one the single exits would give.
 */
public final class ScreenExitCounter extends KeyedProcessFunction<String, ScreenExits, ScreenTimeRow> {

    public static final OutputTag<ScreenPathRow> PATHS =
            new OutputTag<>("screen-paths", TypeInformation.of(ScreenPathRow.class));
    private static final char SEPARATOR = '\u001f';

    private final long staleAfter;

    private transient ValueState<LatencyStats> movedOn;
    private transient ValueState<Long> droppedOff;
    private transient ValueState<Long> updatedAt;
    /** (next screen, action) → {transitions, event time of the latest}. */
    private transient MapState<String, long[]> paths;
    private transient ValueState<Boolean> dirty;

    public ScreenExitCounter(Duration staleAfter) {
        this.staleAfter = staleAfter.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        movedOn = getRuntimeContext().getState(new ValueStateDescriptor<>("moved-on", TypeInformation.of(LatencyStats.class)));
        droppedOff = getRuntimeContext().getState(new ValueStateDescriptor<>("dropped-off", Types.LONG));
        updatedAt = getRuntimeContext().getState(new ValueStateDescriptor<>("updated-at", Types.LONG));
        paths = getRuntimeContext().getMapState(new MapStateDescriptor<>("paths", Types.STRING,
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        dirty = getRuntimeContext().getState(new ValueStateDescriptor<>("dirty", Types.BOOLEAN));
    }

    @Override
    public void processElement(ScreenExits exits, Context ctx, Collector<ScreenTimeRow> out) throws Exception {
        if (exits.droppedOff() > 0) {
            droppedOff.update(value(droppedOff) + exits.droppedOff());
        }
        for (int i = 0; i < exits.toScreens().length; i++) {
            String path = exits.toScreens()[i] + SEPARATOR + exits.actions()[i];
            long[] before = paths.get(path);
            paths.put(path, before == null ? new long[] {exits.transitions()[i], exits.latest()[i]}
                    : new long[] {before[0] + exits.transitions()[i], Math.max(before[1], exits.latest()[i])});
        }
        if (exits.movedOn() != null && exits.movedOn().requests() > 0) {
            LatencyStats stats = movedOn.value();
            movedOn.update(stats == null ? exits.movedOn() : stats.merge(exits.movedOn()));
        }
        updatedAt.update(Math.max(value(updatedAt), exits.time()));
        if (dirty.value() == null) {
            dirty.update(true);
            ctx.timerService().registerEventTimeTimer(Coalescing.nextWatermarkTick(ctx.timerService().currentWatermark()));
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ScreenTimeRow> out) throws Exception {
        if (dirty.value() == null) {
            return;
        }
        dirty.clear();
        String[] key = ctx.getCurrentKey().split(String.valueOf(SEPARATOR), -1);
        String flowId = key[0];
        int version = Integer.parseInt(key[1]);
        String screen = key[2];
        long time = value(updatedAt);
        for (Map.Entry<String, long[]> path : paths.entries()) {
            String[] to = path.getKey().split(String.valueOf(SEPARATOR), -1);
            ctx.output(PATHS, new ScreenPathRow(flowId, version, screen, to[0], to[1], path.getValue()[0], path.getValue()[1]));
        }
        if (!screen.isEmpty()) {
            out.collect(timeRow(flowId, version, screen, time));
        }
    }

    private ScreenTimeRow timeRow(String flowId, int version, String screen, long time) throws Exception {
        LatencyStats stats = movedOn.value() == null ? new LatencyStats() : movedOn.value();
        long moved = stats.requests();
        long dropped = value(droppedOff);
        long views = moved + dropped;
        return new ScreenTimeRow(flowId, version, screen, views, moved, dropped,
                overAllViews(stats, views, 50), overAllViews(stats, views, 90),
                stats.percentileMillis(50), stats.percentileMillis(90), stats.maxMillis(), time);
    }

    /** The nearest-rank percentile over all views: moved-on ones from the histogram, drop-offs above them. */
    private double overAllViews(LatencyStats stats, long views, int percentile) {
        if (views == 0) {
            return 0.0;
        }
        long rank = Math.max(1, (percentile * views + 99) / 100);
        return rank <= stats.requests() ? stats.rankMillis(rank) : staleAfter;
    }

    private static long value(ValueState<Long> state) throws Exception {
        Long v = state.value();
        return v == null ? 0 : v;
    }

    /**
     * The combiner of the tracker's exits, chained to it: one {@link ScreenExits} per screen and watermark interval
     * (or checkpoint, or {@code maxKeys} screens) instead of one record per exit.
     */
    public static LocalCombiner<ScreenExit, ExitsCombine.Sum, ScreenExits> combiner(int maxKeys) {
        return new LocalCombiner<>(new ExitsCombine(), maxKeys);
    }

    /** One exit as a combined record of one: what the counter adds for an exit that crossed alone. */
    public static ScreenExits single(ScreenExit exit) {
        ExitsCombine combine = new ExitsCombine();
        ExitsCombine.Sum sum = combine.create(exit);
        combine.add(sum, exit, null);
        return combine.result(sum);
    }

    /** Sums exits per (Flow, version, screen) as {@link #processElement} adds them to its state. */
    static final class ExitsCombine implements LocalCombiner.Combine<ScreenExit, ExitsCombine.Sum, ScreenExits> {

        private record Screen(String flowId, int flowVersion, String screen) {
        }

        private record Path(String toScreen, String action) {
        }

        static final class Sum {
            final String flowId;
            final int flowVersion;
            final String screen;
            long droppedOff;
            LatencyStats movedOn;
            final Map<Path, long[]> paths = new LinkedHashMap<>();
            long time = Long.MIN_VALUE;

            Sum(String flowId, int flowVersion, String screen) {
                this.flowId = flowId;
                this.flowVersion = flowVersion;
                this.screen = screen;
            }
        }

        @Override
        public Object key(ScreenExit exit) {
            return new Screen(exit.flowId(), exit.flowVersion(), exit.screen());
        }

        @Override
        public Sum create(ScreenExit exit) {
            return new Sum(exit.flowId(), exit.flowVersion(), exit.screen());
        }

        @Override
        public void add(Sum sum, ScreenExit exit, Long timestamp) {
            if (exit.droppedOff()) {
                sum.droppedOff++;
            } else {
                long[] path = sum.paths.computeIfAbsent(new Path(exit.toScreen(), exit.action()), p -> new long[] {0, Long.MIN_VALUE});
                path[0]++;
                path[1] = Math.max(path[1], exit.time());
                if (exit.shownMillis() >= 0) {
                    sum.movedOn = (sum.movedOn == null ? new LatencyStats() : sum.movedOn).add(exit.shownMillis() * 1000, false);
                }
            }
            sum.time = Math.max(sum.time, exit.time());
        }

        @Override
        public ScreenExits result(Sum sum) {
            int n = sum.paths.size();
            String[] toScreens = new String[n];
            String[] actions = new String[n];
            long[] transitions = new long[n];
            long[] latest = new long[n];
            int i = 0;
            for (Map.Entry<Path, long[]> path : sum.paths.entrySet()) {
                toScreens[i] = path.getKey().toScreen();
                actions[i] = path.getKey().action();
                transitions[i] = path.getValue()[0];
                latest[i] = path.getValue()[1];
                i++;
            }
            return new ScreenExits(sum.flowId, sum.flowVersion, sum.screen, sum.droppedOff, sum.movedOn,
                    toScreens, actions, transitions, latest, sum.time);
        }
    }
}
