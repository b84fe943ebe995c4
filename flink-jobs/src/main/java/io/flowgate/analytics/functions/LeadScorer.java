package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.LeadScoreRow;
import io.flowgate.analytics.records.SessionSummary;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Keeps the session summaries of one user (keyed by wa_id) and re-scores the user with
 * {@link LeadScoreModel} when they change, at most once per watermark advance. Activity is any transition,
 * also one on a session that already went stale (the user came back): it moves {@code updated_at}. Sessions
 * whose last activity is more than {@code retention} older than the user's latest are forgotten, and a user
 * silent for {@code retention} is cleared from state (their row stays in {@code lead_scores}).
 */
public final class LeadScorer extends KeyedProcessFunction<String, SessionSummary, LeadScoreRow> {

    private final LeadScoreModel model;
    private final long retention;
    private final long endOfTime;

    private transient MapState<String, SessionSummary> sessions;
    private transient ValueState<Long> lastActivity;
    private transient ValueState<Boolean> dirty;

    public LeadScorer(LeadScoreModel model, Duration retention, long endOfTime) {
        this.model = model;
        this.retention = retention.toMillis();
        this.endOfTime = endOfTime;
    }

    @Override
    public void open(OpenContext openContext) {
        sessions = getRuntimeContext().getMapState(new MapStateDescriptor<>("sessions",
                Types.STRING, TypeInformation.of(SessionSummary.class)));
        lastActivity = getRuntimeContext().getState(new ValueStateDescriptor<>("last-activity", Types.LONG));
        dirty = getRuntimeContext().getState(new ValueStateDescriptor<>("dirty", Types.BOOLEAN));
    }

    @Override
    public void processElement(SessionSummary summary, Context ctx, Collector<LeadScoreRow> out) throws Exception {
        sessions.put(summary.sessionId(), summary);
        Long last = lastActivity.value();
        long activity = summary.latestActivity();
        if (last == null || activity > last) {
            if (last != null) {
                ctx.timerService().deleteEventTimeTimer(last + retention);
            }
            lastActivity.update(activity);
            if (activity + retention <= endOfTime) {
                ctx.timerService().registerEventTimeTimer(activity + retention);
            }
        }
        if (dirty.value() == null) {
            dirty.update(true);
            ctx.timerService().registerEventTimeTimer(Coalescing.nextWatermarkTick(ctx.timerService().currentWatermark()));
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LeadScoreRow> out) throws Exception {
        Long last = lastActivity.value();
        if (last == null) {
            return;
        }
        if (dirty.value() != null) {
            dirty.clear();
            out.collect(model.score(ctx.getCurrentKey(), remembered(last), last));
        }
        if (timestamp >= last + retention) {
            sessions.clear();
            lastActivity.clear();
        }
    }

    /** The user's sessions within retention of their latest activity; older ones are dropped from state. */
    private List<SessionSummary> remembered(long last) throws Exception {
        List<SessionSummary> kept = new ArrayList<>();
        Iterator<Map.Entry<String, SessionSummary>> it = sessions.iterator();
        while (it.hasNext()) {
            SessionSummary s = it.next().getValue();
            if (s.latestActivity() < last - retention) {
                it.remove();
            } else {
                kept.add(s);
            }
        }
        return kept;
    }
}
