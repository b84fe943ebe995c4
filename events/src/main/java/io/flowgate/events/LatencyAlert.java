package io.flowgate.events;

import java.time.Instant;

/**
 * An endpoint latency or error-rate alert that fired or resolved (Kafka {@link Topics#ALERTS}, keyed
 * by rule). Fires once when the threshold is crossed and resolves once when back under.
 *
 * @param ruleId    the {@code latency_alert_rules} row
 * @param screen    the screen the rule watches, or {@code *} for all
 * @param metric    {@code p50}, {@code p90}, {@code p95}, {@code p99} or {@code error_rate}
 * @param value     the observed value (milliseconds, or a fraction for error_rate)
 * @param threshold the threshold crossed
 * @param state     {@link #FIRING} or {@link #RESOLVED}
 */
public record LatencyAlert(
        String eventId,
        Instant eventTime,
        long ruleId,
        String screen,
        String metric,
        double value,
        double threshold,
        String state,
        Instant windowStart,
        Instant windowEnd) implements FlowgateEvent {

    public static final String TYPE = "latency_alert";
    public static final String FIRING = "FIRING";
    public static final String RESOLVED = "RESOLVED";

    @Override
    public String key() {
        return Long.toString(ruleId);
    }
}
