package io.flowgate.events;

import java.time.Instant;

/**
 * One request that the Flow data endpoint answered, pings and errors included, with its server-side
 * latency (first byte read to last byte written). Feeds {@code endpoint_latency} and latency alerts.
 * Published to {@link Topics#TRANSITIONS}, keyed by session (or {@code endpoint} when there is none).
 *
 * @param flowId        the Flow, when the request carried a known flow token; else null
 * @param sessionId     the session, when known; else null
 * @param screen        the request's screen; empty when it had none
 * @param action        the request's action ({@code ping}, {@code INIT}, ...); {@code unknown} if undecryptable
 * @param status        the HTTP status answered
 * @param outcome       one of the {@code OUTCOME_*} constants
 * @param latencyMicros server-side latency in microseconds
 * @param flowVersion   the version of the Flow the session started on; null when unknown
 * @param experimentId  the routing experiment the session is in; null when none (or unknown)
 * @param variant       the session's variant of {@code experimentId}; null exactly when {@code experimentId} is
 */
public record EndpointRequest(
        String eventId,
        Instant eventTime,
        String flowId,
        String sessionId,
        String screen,
        String action,
        int status,
        String outcome,
        long latencyMicros,
        Integer flowVersion,
        String experimentId,
        String variant) implements FlowgateEvent {

    public static final String TYPE = "endpoint_request";

    public static final String OUTCOME_OK = "ok";
    public static final String OUTCOME_ERROR_ACK = "error_notification";
    public static final String OUTCOME_BAD_SIGNATURE = "bad_signature";
    public static final String OUTCOME_UNDECRYPTABLE = "undecryptable";
    public static final String OUTCOME_BAD_REQUEST = "bad_request";
    public static final String OUTCOME_TOO_LARGE = "too_large";
    public static final String OUTCOME_INVALID_TOKEN = "invalid_token";
    public static final String OUTCOME_OVERLOADED = "overloaded";
    /** Answered 503 because the database could not be reached or was lost, not because of load. */
    public static final String OUTCOME_DATABASE_UNAVAILABLE = "database_unavailable";
    public static final String OUTCOME_INTERNAL_ERROR = "internal_error";

    public EndpointRequest {
        Experiments.checkPair(experimentId, variant);
    }

    /** A request outside any experiment, without a recorded Flow version. */
    public EndpointRequest(String eventId, Instant eventTime, String flowId, String sessionId, String screen,
                           String action, int status, String outcome, long latencyMicros) {
        this(eventId, eventTime, flowId, sessionId, screen, action, status, outcome, latencyMicros, null, null, null);
    }

    /** This request, tagged with the Flow version its session started on. */
    public EndpointRequest withFlowVersion(Integer version) {
        return new EndpointRequest(eventId, eventTime, flowId, sessionId, screen, action, status, outcome,
                latencyMicros, version, experimentId, variant);
    }

    /** This request, tagged with the session's experiment and variant (both null: none). */
    public EndpointRequest withExperiment(String experiment, String variantName) {
        return new EndpointRequest(eventId, eventTime, flowId, sessionId, screen, action, status, outcome,
                latencyMicros, flowVersion, experiment, variantName);
    }

    /** Whether this request counts as an error for the endpoint's error rate (anything but a 200). */
    public boolean isError() {
        return status != 200;
    }

    @Override
    public String key() {
        return sessionId == null ? "endpoint" : sessionId;
    }
}
