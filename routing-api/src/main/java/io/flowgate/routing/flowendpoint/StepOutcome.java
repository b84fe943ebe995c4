package io.flowgate.routing.flowendpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.UUID;

/**
 * What a Flow request led to: an answer to encrypt (and whether it was a new transition, for events
 * and metrics), or a refusal of the flow token (427).
 *
 * @param response     the answer {@code {screen, data}} without {@code version}; null when the token is refused
 * @param refusal      why the token was refused, else null
 * @param transitioned a new transition was recorded (false for double taps, mismatches, refreshes)
 * @param kind         {@code transition}, {@code duplicate}, {@code mismatch}, {@code no_route}, {@code refresh}, {@code refused_input}, {@code refused}
 * @param ruleId       the routing rule that decided the transition, or null for the Flow's routing model
 * @param flowVersion  the Flow version the session started on (null: unknown, or no session)
 * @param experimentId the routing experiment the session is in, or null (also for a refused unknown token)
 * @param variant      the session's variant of it; null exactly when {@code experimentId} is
 */
record StepOutcome(
        ObjectNode response,
        TokenRefusal refusal,
        boolean transitioned,
        String kind,
        UUID sessionId,
        String flowId,
        String fromScreen,
        String toScreen,
        boolean completed,
        boolean handover,
        Long ruleId,
        Integer flowVersion,
        String experimentId,
        String variant) {

    StepOutcome(ObjectNode response, TokenRefusal refusal, boolean transitioned, String kind, UUID sessionId, String flowId,
                String fromScreen, String toScreen, boolean completed, boolean handover, Long ruleId) {
        this(response, refusal, transitioned, kind, sessionId, flowId, fromScreen, toScreen, completed, handover, ruleId,
                null, null, null);
    }

    /** This outcome, tagged with its session's Flow version, experiment and variant (for the events). */
    StepOutcome withSession(Integer version, String experiment, String variantName) {
        return new StepOutcome(response, refusal, transitioned, kind, sessionId, flowId, fromScreen, toScreen, completed,
                handover, ruleId, version, experiment, variantName);
    }

    static StepOutcome refused(TokenRefusal why, UUID sessionId, String flowId) {
        return new StepOutcome(null, why, false, "refused", sessionId, flowId, null, null, false, false, null);
    }

    boolean isRefused() {
        return refusal != null;
    }
}
