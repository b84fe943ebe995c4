package io.flowgate.analytics.records;

import java.util.List;

/** Every enabled latency alert rule at one read of {@code latency_alert_rules}. */
public record AlertRules(long readAt, List<AlertRule> rules) {

    /** The longest window any rule looks at: how many minutes of history the evaluator keeps. */
    public int maxWindowMinutes() {
        return rules.stream().mapToInt(AlertRule::windowMinutes).max().orElse(1);
    }
}
