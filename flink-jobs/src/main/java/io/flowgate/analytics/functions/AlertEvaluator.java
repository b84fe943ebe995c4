package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.AlertRule;
import io.flowgate.analytics.records.AlertRules;
import io.flowgate.analytics.records.AlertScopeMinute;
import io.flowgate.analytics.records.LatencyStats;
import io.flowgate.events.LatencyAlert;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates the ops-defined {@code latency_alert_rules} (broadcast, re-read while the job runs) against the
 * endpoint's minutes, keyed by alert scope (a screen, or {@code *}). When the watermark passes the end of a
 * minute, each enabled rule of the scope looks at its last {@code window_minutes} minutes: the percentile
 * against {@code threshold_ms}, the error rate against {@code error_rate_threshold}. A condition that
 * becomes true emits one {@code FIRING} alert; when it is false again, one {@code RESOLVED}. A window with
 * no requests counts as false (nothing is failing), and so does a rule that was disabled or deleted.
 *
 * <p>Each minute of traffic schedules evaluations at the end of itself and of the following minutes up to the
 * scope's longest rule window (60 minutes before the rules are known), so an alert resolves even when the
 * traffic stops, and then the scope's state is empty. They are scheduled when the minute arrives because in
 * BATCH mode Flink ignores timers registered while timers fire. A rule whose window is lengthened applies
 * to the minutes that arrive afterwards.
 * Alert event ids are derived from rule, metric, minute and state, so a replay yields the same ids.
 */
public final class AlertEvaluator extends KeyedBroadcastProcessFunction<String, AlertScopeMinute, AlertRules, LatencyAlert> {

    public static final MapStateDescriptor<String, AlertRules> RULES =
            new MapStateDescriptor<>("alert-rules", Types.STRING, TypeInformation.of(AlertRules.class));
    private static final String CURRENT = "current";
    private static final long MINUTE = Duration.ofMinutes(1).toMillis();
    /** The longest window latency_alert_rules allows (its CHECK constraint). */
    private static final int MAX_WINDOW_MINUTES = 60;

    /** An alert that is firing: what it needs to resolve even if its rule is gone. */
    public record Firing(long ruleId, String metric, double threshold, int windowMinutes) {
    }

    private final long endOfTime;
    private transient MapState<Long, LatencyStats> minutes;
    private transient MapState<String, Firing> firing;

    public AlertEvaluator(long endOfTime) {
        this.endOfTime = endOfTime;
    }

    @Override
    public void open(OpenContext openContext) {
        minutes = getRuntimeContext().getMapState(new MapStateDescriptor<>("minutes",
                Types.LONG, TypeInformation.of(LatencyStats.class)));
        firing = getRuntimeContext().getMapState(new MapStateDescriptor<>("firing",
                Types.STRING, TypeInformation.of(Firing.class)));
    }

    @Override
    public void processElement(AlertScopeMinute minute, ReadOnlyContext ctx, Collector<LatencyAlert> out) throws Exception {
        LatencyStats known = minutes.get(minute.minute());
        minutes.put(minute.minute(), known == null ? minute.stats() : known.merge(minute.stats()));
        AlertRules rules = ctx.getBroadcastState(RULES).get(CURRENT);
        int window = rules == null ? MAX_WINDOW_MINUTES : longestWindow(rules, ctx.getCurrentKey());
        for (int i = 1; i <= window + 1; i++) {
            long evaluateAt = minute.minute() + i * MINUTE - 1;
            if (evaluateAt <= endOfTime) {
                ctx.timerService().registerEventTimeTimer(evaluateAt);
            }
        }
    }

    private static int longestWindow(AlertRules rules, String scope) {
        return rules.rules().stream().filter(r -> r.screen().equals(scope))
                .mapToInt(AlertRule::windowMinutes).max().orElse(0);
    }

    @Override
    public void processBroadcastElement(AlertRules rules, Context ctx, Collector<LatencyAlert> out) throws Exception {
        ctx.getBroadcastState(RULES).put(CURRENT, rules);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LatencyAlert> out) throws Exception {
        long windowEnd = timestamp + 1;
        String scope = ctx.getCurrentKey();
        AlertRules all = ctx.getBroadcastState(RULES).get(CURRENT);
        List<AlertRule> rules = new ArrayList<>();
        if (all != null) {
            all.rules().stream().filter(r -> r.screen().equals(scope)).forEach(rules::add);
        }
        Set<String> evaluated = new HashSet<>();
        int longestWindow = 1;
        for (AlertRule rule : rules) {
            longestWindow = Math.max(longestWindow, rule.windowMinutes());
            if (rule.percentile() != null && rule.thresholdMs() != null) {
                evaluate(new Firing(rule.ruleId(), rule.percentile(), rule.thresholdMs(), rule.windowMinutes()),
                        scope, windowEnd, evaluated, out);
            }
            if (rule.errorRateThreshold() != null) {
                evaluate(new Firing(rule.ruleId(), AlertRule.ERROR_RATE, rule.errorRateThreshold(), rule.windowMinutes()),
                        scope, windowEnd, evaluated, out);
            }
        }
        List<Firing> orphaned = new ArrayList<>();
        for (Map.Entry<String, Firing> e : firing.entries()) {
            if (!evaluated.contains(e.getKey())) {
                orphaned.add(e.getValue());
            }
        }
        for (Firing f : orphaned) {
            // the rule was disabled, deleted or lost this metric: the alert cannot stay firing forever
            firing.remove(id(f));
            Double value = value(f, windowEnd);
            out.collect(alert(f, scope, value == null ? 0.0 : value, windowEnd, LatencyAlert.RESOLVED));
        }

        long keepFrom = windowEnd + MINUTE - longestWindow * MINUTE;
        Iterator<Map.Entry<Long, LatencyStats>> it = minutes.iterator();
        while (it.hasNext()) {
            if (it.next().getKey() < keepFrom) {
                it.remove();
            }
        }
        if (minutes.isEmpty()) {
            // an iterator leaves an empty map behind in the heap backend: clear() removes the entry itself
            minutes.clear();
        }
    }

    private void evaluate(Firing condition, String scope, long windowEnd, Set<String> evaluated,
                          Collector<LatencyAlert> out) throws Exception {
        String id = id(condition);
        evaluated.add(id);
        Double value = value(condition, windowEnd);
        boolean crossed = value != null && value > condition.threshold();
        boolean wasFiring = firing.contains(id);
        if (crossed && !wasFiring) {
            firing.put(id, condition);
            out.collect(alert(condition, scope, value, windowEnd, LatencyAlert.FIRING));
        } else if (!crossed && wasFiring) {
            firing.remove(id);
            out.collect(alert(condition, scope, value == null ? 0.0 : value, windowEnd, LatencyAlert.RESOLVED));
        } else if (crossed) {
            // ops may have moved the threshold: keep what a later RESOLVED will report current
            firing.put(id, condition);
        }
    }

    /** The metric over the condition's window ending at {@code windowEnd}; null when there were no requests. */
    private Double value(Firing condition, long windowEnd) throws Exception {
        LatencyStats merged = new LatencyStats();
        long from = windowEnd - (long) condition.windowMinutes() * MINUTE;
        for (Map.Entry<Long, LatencyStats> e : minutes.entries()) {
            if (e.getKey() >= from && e.getKey() < windowEnd) {
                merged.merge(e.getValue());
            }
        }
        if (merged.requests() == 0) {
            return null;
        }
        if (AlertRule.ERROR_RATE.equals(condition.metric())) {
            return merged.errorRate();
        }
        return merged.percentileMillis(Double.parseDouble(condition.metric().substring(1)));
    }

    private static LatencyAlert alert(Firing f, String scope, double value, long windowEnd, String state) {
        long windowStart = windowEnd - (long) f.windowMinutes() * MINUTE;
        return new LatencyAlert("alert:" + f.ruleId() + ":" + f.metric() + ":" + windowEnd + ":" + state,
                Instant.ofEpochMilli(windowEnd), f.ruleId(), scope, f.metric(), value, f.threshold(), state,
                Instant.ofEpochMilli(windowStart), Instant.ofEpochMilli(windowEnd));
    }

    private static String id(Firing f) {
        return f.ruleId() + "/" + f.metric();
    }
}
