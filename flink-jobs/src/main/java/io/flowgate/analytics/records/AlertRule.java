package io.flowgate.analytics.records;

/**
 * One enabled row of {@code latency_alert_rules}.
 *
 * @param screen             the screen watched, or {@code *} for every request of the endpoint
 * @param percentile         {@code p50}, {@code p90}, {@code p95} or {@code p99}; null when the rule has no latency threshold
 * @param thresholdMs        latency threshold in milliseconds, or null
 * @param errorRateThreshold error-rate threshold as a fraction (0.05 = 5 %), or null
 * @param windowMinutes      how many minutes, ending with the minute evaluated, the rule looks at
 */
public record AlertRule(long ruleId, String screen, String percentile, Double thresholdMs,
                        Double errorRateThreshold, int windowMinutes) {

    public static final String ALL_SCREENS = "*";
    public static final String ERROR_RATE = "error_rate";
}
