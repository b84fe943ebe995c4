package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.AlertRule;
import io.flowgate.analytics.records.AlertScopeMinute;
import io.flowgate.analytics.records.MinuteLatency;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Sends each (screen, action) minute to the two alert scopes that can watch it: its screen and
 * {@code *}, the whole endpoint. The evaluator, keyed by scope, merges the actions of a minute.
 */
public final class AlertScopes implements FlatMapFunction<MinuteLatency, AlertScopeMinute> {

    @Override
    public void flatMap(MinuteLatency minute, Collector<AlertScopeMinute> out) {
        out.collect(new AlertScopeMinute(AlertRule.ALL_SCREENS, minute.minute(), minute.stats()));
        if (!AlertRule.ALL_SCREENS.equals(minute.screen())) {
            out.collect(new AlertScopeMinute(minute.screen(), minute.minute(), minute.stats().copy()));
        }
    }
}
