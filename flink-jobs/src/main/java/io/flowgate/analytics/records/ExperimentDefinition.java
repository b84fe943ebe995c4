package io.flowgate.analytics.records;

import java.util.List;

/**
 * An experiment as routing-api defined it ({@code experiments}, {@code experiment_variants}): what the
 * monitor needs to judge it.
 *
 * @param primaryMetric  {@code completion} or {@code screen:<SCREEN>}
 * @param alpha          the sequential test's error rate
 * @param maxP90Ms       the p90 latency guardrail in milliseconds (the experiment's, else the alert rules')
 * @param maxErrorRate   the error-rate guardrail (the experiment's, else the default)
 * @param control        the control variant's name
 * @param variants       every variant's name
 */
public record ExperimentDefinition(
        String experimentId,
        String flowId,
        String status,
        String primaryMetric,
        double alpha,
        double maxP90Ms,
        double maxErrorRate,
        String control,
        List<String> variants) {

    public static final String COMPLETION = "completion";
    public static final String SCREEN_PREFIX = "screen:";

    /** The screen of a {@code screen:<SCREEN>} metric, or null for completion. */
    public String metricScreen() {
        return primaryMetric != null && primaryMetric.startsWith(SCREEN_PREFIX)
                ? primaryMetric.substring(SCREEN_PREFIX.length()) : null;
    }
}
