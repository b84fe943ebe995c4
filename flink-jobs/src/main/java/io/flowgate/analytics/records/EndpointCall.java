package io.flowgate.analytics.records;

/**
 * The part of an {@code endpoint_request} event that latency analytics use.
 *
 * @param eventTime     event time, epoch milliseconds
 * @param screen        the request's screen; empty when it had none (pings)
 * @param error         the endpoint answered anything but 200
 * @param latencyMicros server-side latency in microseconds
 * @param flowVersion   the Flow version of the request's session; 0 when the event carries none (unknown, pings)
 * @param experimentId  the routing experiment the request's session is in, or null (then {@code variant} is null too)
 * @param variant       the session's variant of {@code experimentId}, or null
 */
public record EndpointCall(String eventId, long eventTime, String screen, String action, boolean error, long latencyMicros,
                           int flowVersion, String experimentId, String variant) {

    /** A request without a recorded Flow version, outside any experiment. */
    public EndpointCall(String eventId, long eventTime, String screen, String action, boolean error, long latencyMicros) {
        this(eventId, eventTime, screen, action, error, latencyMicros, 0, null, null);
    }
}
