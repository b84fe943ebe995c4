package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.ExperimentInput;
import io.flowgate.analytics.records.ItemSelection;
import io.flowgate.analytics.records.ScreenDelta;
import io.flowgate.analytics.records.ScreenExit;
import io.flowgate.analytics.records.SessionStep;
import io.flowgate.analytics.records.SessionSummary;
import io.flowgate.events.StaleSession;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Follows each session (keyed by session id) through its transitions and turns it into funnel counter
 * changes, stale-session flags, lead-score summaries and item demand. The template is flink-training's
 * LongRides: keyed state plus an event-time timer per session.
 *
 * <p>Transitions are buffered until the watermark passes them and then applied in event-time order
 * (ties by event id). That is what makes a streaming run and a batch run over the same events produce the
 * same rows: batch fires timers only at the end of a key, streaming as the watermark moves, but both apply
 * the same transitions in the same order. Out-of-order transitions within the watermark bound are thus
 * handled exactly; later ones are still applied (they can add a reached screen) but no longer decide which
 * screen was last.
 *
 * <p>Semantics (PRODUCT.md, "Analytics semantics"): a session reaches every screen a transition answers
 * with, once; {@code SUCCESS} is not a screen. It completes with a completed transition: every screen it
 * reached gets {@code completed + 1}. It goes stale, and drops at its last screen, when {@code staleAfter}
 * of event time passes without a transition and it has not completed: that emits one
 * {@link StaleSession} (event id {@code stale:<session>}, so downstream consumers deduplicate replays).
 * Activity after the flag is not counted in the funnel again (the cohort stays final) and is never
 * flagged a second time, but it marks the session re-engaged for the lead score, and items selected then
 * still count as demand.
 *
 * <p>A session whose transitions carry a routing experiment emits its start and, once, at its start +
 * {@value #EXPERIMENT_WINDOW_STALE_AFTERS} × {@code staleAfter}, its outcome in the experiment (completed by
 * then, screens reached, where it dropped): {@link #EXPERIMENT_SESSIONS}, for the experiment monitor
 * (docs/experiments.md). Its state is kept at least until then.
 *
 * <p>Each transition applied in order while the session is open (not completed, not stale) also leaves the
 * screen shown before it ({@link #SCREEN_EXITS}: paths and time on screen), and going stale leaves the last
 * screen by dropping off. A transition later than the watermark bound that is older than the session's newest
 * one is not an exit (it would rewrite a path and a time already counted).
 *
 * <p>After a session completes or goes stale its state is kept for {@code retention} of event time, to
 * absorb duplicates, late transitions and re-engagement, and then cleared together with every timer.
 *
 * <p>Every timer is registered when a transition arrives, never while timers fire: in BATCH mode Flink
 * ignores timers registered during firing (its timer service is "quiesced" at the end of a key). So each
 * transition registers its own timer, a stale candidate at its time + {@code staleAfter} (deleted when a
 * later transition supersedes it), and a cleanup candidate on a coarse hourly grid (shared by the
 * session's transitions) that clears the state once {@code retention} has passed since the session
 * finished.
 */
public final class SessionTracker extends KeyedProcessFunction<String, SessionStep, ScreenDelta> {

    public static final OutputTag<StaleSession> STALE_SESSIONS =
            new OutputTag<>("stale-sessions", TypeInformation.of(StaleSession.class));
    public static final OutputTag<SessionSummary> SUMMARIES =
            new OutputTag<>("session-summaries", TypeInformation.of(SessionSummary.class));
    public static final OutputTag<ItemSelection> ITEM_SELECTIONS =
            new OutputTag<>("item-selections", TypeInformation.of(ItemSelection.class));
    /** Starts and ends (completed or dropped) of sessions in a routing experiment, for the experiment monitor. */
    public static final OutputTag<ExperimentInput> EXPERIMENT_SESSIONS =
            new OutputTag<>("experiment-sessions", TypeInformation.of(ExperimentInput.class));
    public static final OutputTag<ScreenExit> SCREEN_EXITS =
            new OutputTag<>("screen-exits", TypeInformation.of(ScreenExit.class));

    private static final long HOUR = Duration.ofHours(1).toMillis();
    /**
     * A session in an experiment is measured this many stale-afters after it started: by then an abandoned
     * session has gone stale (unless it lasted longer than one stale-after), so every session's outcome is
     * read at the same age, whether it completes or drops (no bias towards quick completions).
     */
    public static final int EXPERIMENT_WINDOW_STALE_AFTERS = 2;
    /** Cleanup candidates are rounded up to this grid so a session shares a few instead of one per transition. */
    private static final long CLEANUP_GRID = HOUR;
    private static final Comparator<String> EVENT_IDS = Comparator.nullsFirst(Comparator.naturalOrder());
    private static final Comparator<SessionStep> BY_EVENT_ID = Comparator.comparing(SessionStep::eventId, EVENT_IDS);

    private final long staleAfter;
    private final long retention;
    private final long endOfTime;
    private final long experimentWindow;

    private transient MapState<Long, List<SessionStep>> pending;
    private transient ValueState<SessionProgress> progress;
    private transient Counter tooLate;

    /**
     * @param staleAfter event time without a transition after which an unfinished session is stale
     * @param retention  how long a finished session's state is kept
     * @param endOfTime  the end of this run's event time (epoch ms): nothing is scheduled after it, so a
     *                   bounded run does not call sessions stale that were still active at its end
     */
    public SessionTracker(Duration staleAfter, Duration retention, long endOfTime) {
        this.staleAfter = staleAfter.toMillis();
        this.retention = retention.toMillis();
        this.endOfTime = endOfTime;
        this.experimentWindow = EXPERIMENT_WINDOW_STALE_AFTERS * this.staleAfter;
    }

    @Override
    public void open(OpenContext openContext) {
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending-steps",
                Types.LONG, Types.LIST(TypeInformation.of(SessionStep.class))));
        progress = getRuntimeContext().getState(new ValueStateDescriptor<>("progress", SessionProgress.class));
        tooLate = getRuntimeContext().getMetricGroup().counter("transitionsTooLate");
    }

    @Override
    public void processElement(SessionStep step, Context ctx, Collector<ScreenDelta> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        long time = step.eventTime();
        if (time > endOfTime || (watermark != Long.MIN_VALUE && time < watermark - retention)) {
            // older than any state we still hold for its session: applying it would start the session over
            tooLate.inc();
            return;
        }
        List<SessionStep> due = pending.get(time);
        if (due == null) {
            due = new ArrayList<>(1);
        }
        due.add(step);
        pending.put(time, due);
        ctx.timerService().registerEventTimeTimer(time);
        if (step.experimentId() != null) {
            schedule(ctx, step.sessionStartedAt() + experimentWindow);
        }
        schedule(ctx, time + staleAfter);
        schedule(ctx, Math.floorDiv(time + staleAfter + retention + CLEANUP_GRID - 1, CLEANUP_GRID) * CLEANUP_GRID);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ScreenDelta> out) throws Exception {
        SessionProgress p = progress.value();
        boolean changed = false;
        List<SessionStep> due = pending.get(timestamp);
        if (due != null) {
            pending.remove(timestamp);
            due.sort(BY_EVENT_ID);
            for (SessionStep step : due) {
                p = apply(p, step, ctx, out);
                changed = true;
            }
        }
        if (p == null) {
            return;
        }
        if (p.experimentId != null && !p.measured && timestamp == p.startedAt + experimentWindow) {
            measure(p, ctx);
        }
        if (!p.finished() && p.lastEventTime != SessionProgress.NEVER && timestamp == p.lastEventTime + staleAfter) {
            goStaleAndDrop(p, timestamp, ctx, out);
            changed = true;
        }
        if (changed && !changesAgainBefore(p, timestamp, ctx.timerService().currentWatermark())) {
            emitSummary(p, ctx);
        }
        if (p.finished() && timestamp >= p.finishedAt + retention && pending.isEmpty()
                && (p.experimentId == null || p.measured)) {
            progress.clear();
            return;
        }
        progress.update(p);
    }

    private SessionProgress apply(SessionProgress p, SessionStep step, Context ctx, Collector<ScreenDelta> out) {
        if (p == null) {
            p = start(step);
        }
        long time = step.eventTime();
        if (p.experimentId == null && step.experimentId() != null && !p.finished()) {
            p.experimentId = step.experimentId();
            p.variant = step.variant();
            ctx.output(EXPERIMENT_SESSIONS, ExperimentInput.started(p.experimentId, p.variant));
        }
        p.lastActivityAt = Math.max(p.lastActivityAt, time);
        if (!p.finished() && p.lastEventTime != SessionProgress.NEVER && time - p.lastEventTime >= staleAfter) {
            // the stale timer and this transition share a timestamp: nothing happened for staleAfter before it
            goStaleAndDrop(p, p.lastEventTime + staleAfter, ctx, out);
        }
        // demand and answers count whatever the funnel says: a user who comes back still wants the item
        if (step.itemId() != null && !p.items.contains(step.itemId())) {
            p.items.add(step.itemId());
            ctx.output(ITEM_SELECTIONS, new ItemSelection(step.itemId(), step.sessionId(), time));
        }
        if (p.stale) {
            ctx.timerService().deleteEventTimeTimer(time + staleAfter);
            if (time >= p.staleAt) {
                p.reengaged = true;
                takeAnswers(p, step);
            }
            return p;
        }

        boolean open = !p.completed;
        String screen = step.reachedScreen();
        if (screen != null && !p.reached.contains(screen)) {
            p.reached.add(screen);
            out.collect(delta(p, screen, 1, 0, p.completed ? 1 : 0));
        }
        if (step.completed() && !p.completed) {
            p.completed = true;
            p.finishedAt = time;
            for (String s : p.reached) {
                out.collect(delta(p, s, 0, 0, 1));
            }
        }
        if (isAfterLast(p, step)) {
            if (open) {
                // paths and time on screen: the screen shown last is left with this request
                ctx.output(SCREEN_EXITS, new ScreenExit(p.flowId, p.flowVersion, p.lastScreen == null ? "" : p.lastScreen,
                        step.toScreen() == null ? "" : step.toScreen(), step.action() == null ? "" : step.action(), false,
                        p.lastEventTime == SessionProgress.NEVER ? -1 : time - p.lastEventTime, time));
            }
            if (p.lastEventTime != SessionProgress.NEVER && time > p.lastEventTime) {
                // superseded: the session cannot go stale staleAfter after the previous transition any more
                ctx.timerService().deleteEventTimeTimer(p.lastEventTime + staleAfter);
            }
            p.lastEventTime = time;
            p.lastEventId = step.eventId();
            if (screen != null) {
                p.lastScreen = screen;
            }
            // only the newest transition's answers count; a late one does not override them
            takeAnswers(p, step);
        } else if (time != p.lastEventTime) {
            ctx.timerService().deleteEventTimeTimer(time + staleAfter);
        }
        if (p.completed) {
            ctx.timerService().deleteEventTimeTimer(p.lastEventTime + staleAfter);
        }
        return p;
    }

    /**
     * Whether a later timer of this session fires in the same watermark advance (at most {@code watermark}) and
     * changes the session again, so it, not this one, emits the summary: a transition still pending, or the stale
     * timer of an open session (registered with its transition when not after the end of time). The lead scorer
     * keeps only a session's latest summary and scores at the next watermark, so the summaries between two
     * watermarks, all but the last, change nothing there. In batch mode a key's timers all fire at the end of
     * the key with the watermark at its maximum: one summary per session.
     */
    private boolean changesAgainBefore(SessionProgress p, long timestamp, long watermark) throws Exception {
        if (!p.finished() && p.lastEventTime != SessionProgress.NEVER) {
            long staleAt = p.lastEventTime + staleAfter;
            if (staleAt > timestamp && staleAt <= watermark && staleAt <= endOfTime) {
                return true;
            }
        }
        for (Long time : pending.keys()) {
            if (time > timestamp && time <= watermark) {
                return true;
            }
        }
        return false;
    }

    private static void takeAnswers(SessionProgress p, SessionStep step) {
        p.budget = step.budget() != null ? step.budget() : p.budget;
        p.industry = step.industry() != null ? step.industry() : p.industry;
        p.timeline = step.timeline() != null ? step.timeline() : p.timeline;
    }

    private static SessionProgress start(SessionStep step) {
        SessionProgress p = new SessionProgress();
        p.flowId = step.flowId();
        p.userId = step.userId();
        p.source = step.source();
        p.startedAt = step.sessionStartedAt();
        p.cohortStart = cohortHour(step.sessionStartedAt());
        p.flowVersion = step.flowVersion();
        return p;
    }

    /**
     * Where a session's cohort is decided: the UTC hour it started in (epoch milliseconds). Every funnel change
     * of the session ({@code screen_dropoff}, {@code screen_dropoff_by_version}) is counted in that cohort.
     */
    public static long cohortHour(long sessionStartedAt) {
        return Math.floorDiv(sessionStartedAt, HOUR) * HOUR;
    }

    /** Whether the step comes after the latest one applied, in (event time, event id) order. */
    private static boolean isAfterLast(SessionProgress p, SessionStep step) {
        if (step.eventTime() != p.lastEventTime) {
            return step.eventTime() > p.lastEventTime;
        }
        return EVENT_IDS.compare(step.eventId(), p.lastEventId) > 0;
    }

    /**
     * Where a drop is decided: the unfinished session goes stale at {@code at} and drops at its last screen
     * ({@code dropped + 1} there, an exit by dropping off, one {@link StaleSession}).
     */
    private void goStaleAndDrop(SessionProgress p, long at, Context ctx, Collector<ScreenDelta> out) {
        p.stale = true;
        p.staleAt = at;
        p.finishedAt = at;
        ctx.timerService().deleteEventTimeTimer(p.lastEventTime + staleAfter);
        if (p.lastScreen != null) {
            out.collect(delta(p, p.lastScreen, 0, 1, 0));
            ctx.output(SCREEN_EXITS, new ScreenExit(p.flowId, p.flowVersion, p.lastScreen, "", "", true,
                    at - p.lastEventTime, at));
        }
        String sessionId = ctx.getCurrentKey();
        ctx.output(STALE_SESSIONS, new StaleSession("stale:" + sessionId, Instant.ofEpochMilli(at), p.flowId,
                sessionId, p.userId, p.lastScreen, Instant.ofEpochMilli(p.lastEventTime),
                Instant.ofEpochMilli(p.startedAt), p.source));
    }

    /**
     * The session's outcome in its experiment, read once at start + {@code experimentWindow}: completed and
     * the screens reached by then, and where it dropped if it had gone stale by then (docs/experiments.md).
     */
    private static void measure(SessionProgress p, Context ctx) {
        p.measured = true;
        boolean completedInWindow = p.completed;
        String droppedAt = p.stale && !p.completed ? p.lastScreen : null;
        ctx.output(EXPERIMENT_SESSIONS, ExperimentInput.finished(p.experimentId, p.variant, completedInWindow,
                p.reached, droppedAt));
    }

    private void schedule(Context ctx, long time) {
        if (time <= endOfTime) {
            ctx.timerService().registerEventTimeTimer(time);
        }
    }

    private static ScreenDelta delta(SessionProgress p, String screen, int reached, int dropped, int completed) {
        return new ScreenDelta(p.flowId, p.cohortStart, screen, p.source, reached, dropped, completed, p.flowVersion);
    }

    private static void emitSummary(SessionProgress p, Context ctx) {
        // progress restored from before lastActivityAt existed has none: its last transition is the latest known
        long lastActivity = Math.max(p.lastActivityAt, p.lastEventTime);
        ctx.output(SUMMARIES, new SessionSummary(p.userId, ctx.getCurrentKey(), p.flowId, p.startedAt,
                p.lastEventTime, lastActivity, p.reached.size(), p.completed, p.stale, p.stale ? p.staleAt : 0,
                p.reengaged,
                p.budget, p.industry, p.timeline));
    }
}
