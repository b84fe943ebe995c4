package io.flowgate.routing.flowendpoint;

import io.flowgate.events.EndpointRequest;

import java.util.UUID;

/**
 * The HTTP answer to one Flow endpoint request, with what metrics and events need to know about it.
 *
 * @param status      HTTP status
 * @param body        the body (base64 ciphertext, or plaintext JSON for a plaintext 427), or empty
 * @param contentType the body's content type
 * @param outcome     one of {@link EndpointRequest}'s {@code OUTCOME_*} values
 * @param action      the request's action, {@code unknown} when it could not be read
 * @param screen      the request's screen, empty when none
 * @param step        what the session step did, when there was one; else null
 */
record EndpointAnswer(int status, String body, String contentType, String outcome, String action, String screen,
                      UUID sessionId, String flowId, StepOutcome step) {

    static EndpointAnswer empty(int status, String outcome) {
        return new EndpointAnswer(status, "", "text/plain", outcome, "unknown", "", null, null, null);
    }
}
