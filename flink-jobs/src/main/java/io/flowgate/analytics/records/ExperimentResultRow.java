package io.flowgate.analytics.records;

/** One {@code experiment_results} row (docs/experiments.md); times are epoch milliseconds. */
public record ExperimentResultRow(
        String experimentId,
        String variant,
        boolean control,
        long sessions,
        long finished,
        long completed,
        long conversions,
        double conversionRate,
        String primaryMetric,
        Double difference,
        Double ciLow,
        Double ciHigh,
        Double pValue,
        String decision,
        String stoppedBy,
        long requests,
        long errors,
        double errorRate,
        double p90Ms,
        long evaluatedAt) {
}
