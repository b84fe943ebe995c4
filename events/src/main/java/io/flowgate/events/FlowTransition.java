package io.flowgate.events;

import java.time.Instant;
import java.util.Map;

/**
 * One step of a session: a Flow screen answered by the data endpoint, or a state change of a chat
 * (lead-qualification) machine. Analytics count funnels from these: a session reaches {@code toScreen};
 * it completes when {@code completed} is true. Published to {@link Topics#TRANSITIONS}, keyed by session.
 *
 * @param flowId           the Flow id, or the chat machine's id for chat sessions
 * @param sessionId        the session (never the flow token itself: the token is a credential)
 * @param userId           the WhatsApp user (wa_id, or the business-scoped user id)
 * @param sessionStartedAt when the session started: its cohort is the UTC hour of this instant
 * @param fromScreen       the screen the request came from; empty for the first step
 * @param toScreen         the screen (or chat state) answered; {@code SUCCESS} on completion
 * @param action           {@code INIT}, {@code data_exchange}, {@code BACK}, or {@code chat_message} for chats
 * @param fields           the submitted values analytics need (selected item, budget, ...); no free text
 * @param completed        the session completed with this step
 * @param handover         the session was handed to a live agent with this step
 * @param source           {@code flow} or {@code chat}
 * @param flowVersion      the version of the Flow (or chat machine) the session started on; null when not recorded
 * @param experimentId     the routing experiment the session is in; null when it is in none
 * @param variant          the session's variant of {@code experimentId}; null exactly when {@code experimentId} is
 */
public record FlowTransition(
        String eventId,
        Instant eventTime,
        String flowId,
        String sessionId,
        String userId,
        Instant sessionStartedAt,
        String fromScreen,
        String toScreen,
        String action,
        Map<String, String> fields,
        boolean completed,
        boolean handover,
        String source,
        Integer flowVersion,
        String experimentId,
        String variant) implements FlowgateEvent {

    public static final String TYPE = "flow_transition";
    public static final String SOURCE_FLOW = "flow";
    public static final String SOURCE_CHAT = "chat";

    public FlowTransition {
        fields = fields == null ? Map.of() : Map.copyOf(fields);
        Experiments.checkPair(experimentId, variant);
    }

    /** A transition outside any experiment, without a recorded version. */
    public FlowTransition(String eventId, Instant eventTime, String flowId, String sessionId, String userId,
                          Instant sessionStartedAt, String fromScreen, String toScreen, String action,
                          Map<String, String> fields, boolean completed, boolean handover, String source) {
        this(eventId, eventTime, flowId, sessionId, userId, sessionStartedAt, fromScreen, toScreen, action, fields,
                completed, handover, source, null, null, null);
    }

    /** This transition, tagged with the Flow version its session started on. */
    public FlowTransition withFlowVersion(Integer version) {
        return new FlowTransition(eventId, eventTime, flowId, sessionId, userId, sessionStartedAt, fromScreen,
                toScreen, action, fields, completed, handover, source, version, experimentId, variant);
    }

    /** This transition, tagged with the session's experiment and variant (both null: none). */
    public FlowTransition withExperiment(String experiment, String variantName) {
        return new FlowTransition(eventId, eventTime, flowId, sessionId, userId, sessionStartedAt, fromScreen,
                toScreen, action, fields, completed, handover, source, flowVersion, experiment, variantName);
    }

    @Override
    public String key() {
        return sessionId;
    }
}
