package io.flowgate.analytics.records;

/**
 * One {@code screen_time} row: how long one screen of one Flow version was shown before the session left it,
 * upserted on (flow_id, flow_version, screen). Times in milliseconds, percentiles nearest-rank.
 *
 * @param views       times the screen was shown and then left ({@code movedOn + droppedOff})
 * @param movedOn     times it was left with a next request (any action, {@code BACK} included, or completion)
 * @param droppedOff  times the session went stale on it
 * @param p50Ms       median over all views, a drop-off counting as {@code --stale-after} (it is left when flagged)
 * @param p90Ms       90th percentile over all views, the same way
 * @param p50MovedOnMs median over the views left with a request only
 * @param p90MovedOnMs 90th percentile over the views left with a request only
 * @param maxMovedOnMs the longest view left with a request
 * @param updatedAt   event time of the latest exit counted, epoch milliseconds
 */
public record ScreenTimeRow(String flowId, int flowVersion, String screen, long views, long movedOn, long droppedOff,
                            double p50Ms, double p90Ms, double p50MovedOnMs, double p90MovedOnMs, double maxMovedOnMs,
                            long updatedAt) {
}
