package io.flowgate.analytics.records;

/**
 * The part of an {@code endpoint_request} event that latency analytics use.
 *
 * @param eventTime     event time, epoch milliseconds
 * @param screen        the request's screen; empty when it had none (pings)
 * @param error         the endpoint answered anything but 200
 * @param latencyMicros server-side latency in microseconds
 */
public record EndpointCall(String eventId, long eventTime, String screen, String action, boolean error, long latencyMicros) {
}
