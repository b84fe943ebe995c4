package io.flowgate.routing.chat;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One user's lead qualification as stored in {@code lead_qualifications}. Immutable: a message turns one
 * lead into the next, and the processor writes the result in the transaction that holds the row's lock.
 *
 * @param waId            the user (the key of {@code flowgate.inbound}: business-scoped user id or phone wa_id)
 * @param sendTo          where replies go: the phone-number wa_id when known, else {@code waId}
 * @param sessionId       the current conversation; a new one starts on RESTART
 * @param currentState    a state of the machine, {@link ChatMachine#HUMAN}, or empty before the first question
 * @param data            the answers collected, by field (CEL values: String, Long, Double, Map, List)
 * @param retries         invalid answers in the current state
 * @param flowSessionId   the Flow session the user was handed into, while in a Flow state
 * @param lastMessageAt   WhatsApp's timestamp of the last applied message
 * @param lastInteraction when the user last wrote (processing time)
 * @param reEngagedAt     when the last re-engagement message was queued, or null
 * @param experimentId    the chat machine's experiment the current conversation was assigned when it started, or null
 * @param variant         the conversation's variant of that experiment, or null
 */
public record Lead(
        long id,
        String waId,
        String sendTo,
        String machineId,
        UUID sessionId,
        Instant sessionStartedAt,
        String currentState,
        String previousState,
        int score,
        Map<String, Object> data,
        int retries,
        String status,
        UUID flowSessionId,
        Instant lastMessageAt,
        Instant lastInteraction,
        Instant reEngagedAt,
        String experimentId,
        String variant) {

    static final String ACTIVE = "active";
    static final String COMPLETED = "completed";
    static final String ESCALATED = "escalated";
    static final String COLD = "cold";

    public Lead {
        data = Map.copyOf(data);
    }

    /** Moves to {@code state}: retries start over, and a Flow handed into earlier no longer counts. */
    Lead entering(String state, String newStatus) {
        return new Lead(id, waId, sendTo, machineId, sessionId, sessionStartedAt, state, currentState, score, data, 0,
                newStatus, null, lastMessageAt, lastInteraction, reEngagedAt, experimentId, variant);
    }

    Lead answered(Map<String, Object> newData, int newScore) {
        return new Lead(id, waId, sendTo, machineId, sessionId, sessionStartedAt, currentState, previousState, newScore,
                newData, retries, status, flowSessionId, lastMessageAt, lastInteraction, reEngagedAt, experimentId, variant);
    }

    Lead retried() {
        return new Lead(id, waId, sendTo, machineId, sessionId, sessionStartedAt, currentState, previousState, score, data,
                retries + 1, status, flowSessionId, lastMessageAt, lastInteraction, reEngagedAt, experimentId, variant);
    }

    /** A new conversation of the same user: nothing collected, nothing scored (the state is set by entering). */
    Lead restarted(UUID newSession, Instant at) {
        return new Lead(id, waId, sendTo, machineId, newSession, at, currentState, previousState, 0, Map.of(), 0,
                ACTIVE, null, lastMessageAt, lastInteraction, reEngagedAt, experimentId, variant);
    }

    Lead withStatus(String newStatus) {
        return new Lead(id, waId, sendTo, machineId, sessionId, sessionStartedAt, currentState, previousState, score, data,
                retries, newStatus, flowSessionId, lastMessageAt, lastInteraction, reEngagedAt, experimentId, variant);
    }

    Lead withFlowSession(UUID session) {
        return new Lead(id, waId, sendTo, machineId, sessionId, sessionStartedAt, currentState, previousState, score, data,
                retries, status, session, lastMessageAt, lastInteraction, reEngagedAt, experimentId, variant);
    }

    /** The user wrote: at {@code messageAt} by WhatsApp's clock, processed {@code now}, reachable at {@code address}. */
    Lead touched(Instant messageAt, Instant now, String address) {
        Instant last = lastMessageAt == null || messageAt.isAfter(lastMessageAt) ? messageAt : lastMessageAt;
        return new Lead(id, waId, address, machineId, sessionId, sessionStartedAt, currentState, previousState, score, data,
                retries, status, flowSessionId, last, now, reEngagedAt, experimentId, variant);
    }

    /** The same lead under the business-scoped user id Meta now sends for the user. */
    Lead rekeyed(String userId) {
        return new Lead(id, userId, sendTo, machineId, sessionId, sessionStartedAt, currentState, previousState, score, data,
                retries, status, flowSessionId, lastMessageAt, lastInteraction, reEngagedAt, experimentId, variant);
    }

    /** The lead with its current conversation in {@code variant} of {@code experiment} (both null: in none). */
    Lead inExperiment(String experiment, String variantName) {
        return new Lead(id, waId, sendTo, machineId, sessionId, sessionStartedAt, currentState, previousState, score, data,
                retries, status, flowSessionId, lastMessageAt, lastInteraction, reEngagedAt, experiment, variantName);
    }

    /** Whether a CRM would see a difference: state, status, score or collected data. */
    boolean differsFrom(Lead other) {
        return other == null || !currentState.equals(other.currentState) || !status.equals(other.status)
                || score != other.score || !data.equals(other.data);
    }
}
