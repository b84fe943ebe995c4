package io.flowgate.analytics.records;

/**
 * One minute of endpoint requests as an alert scope sees it: {@code scope} is a screen, or {@code *} for
 * the whole endpoint. The latency alert evaluator is keyed by scope.
 */
public record AlertScopeMinute(String scope, long minute, LatencyStats stats) {
}
