package io.flowgate.routing.flowendpoint;

import io.flowgate.routing.sessions.FlowSession;

/**
 * Why a flow token was refused (answered with 427, "flow token no longer valid", so the WhatsApp client
 * closes the Flow). {@link #reason()} is the word that goes into the log line and the endpoint-request event.
 */
enum TokenRefusal {
    /** The request carried no flow token. */
    MISSING("missing"),
    /** No session has this token (never minted, deleted with the user's data, or a forged token). */
    UNKNOWN("unknown"),
    /** The session has completed its Flow. */
    COMPLETED(FlowSession.COMPLETED),
    /** The session was handed over to a person and has finished its handover screen. */
    HANDOVER(FlowSession.HANDOVER),
    /** The session's lifetime is over. */
    EXPIRED("expired"),
    /** The session's Flow was removed from the registry. */
    FLOW_REMOVED("flow_removed"),
    /** The request named a screen the session's Flow does not have. */
    UNKNOWN_SCREEN("unknown_screen"),
    /** The session has a status this version does not know (refused rather than guessed). */
    INACTIVE("inactive");

    private final String reason;

    TokenRefusal(String reason) {
        this.reason = reason;
    }

    String reason() {
        return reason;
    }

    /** The refusal for a session that is no longer active, by its status. */
    static TokenRefusal ofStatus(String status) {
        return switch (status) {
            case FlowSession.COMPLETED -> COMPLETED;
            case FlowSession.HANDOVER -> HANDOVER;
            default -> INACTIVE;
        };
    }

    @Override
    public String toString() {
        return reason;
    }
}
