package io.flowgate.analytics.records;

/**
 * The endpoint's requests of one (screen, action) in one event-time minute, with their histogram.
 *
 * @param minute start of the minute, epoch milliseconds
 */
public record MinuteLatency(String screen, String action, long minute, LatencyStats stats) {
}
