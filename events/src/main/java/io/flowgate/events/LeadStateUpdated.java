package io.flowgate.events;

import java.time.Instant;
import java.util.Map;

/**
 * A lead-qualification state change, for CRM sync (Kafka {@link Topics#LEAD_UPDATES}, keyed by user).
 * The {@code data} object keeps the shape CRM integrations already consume:
 * {@code wa_id, previous_state, current_state, lead_metadata, sync_priority}, plus the score and the
 * lead's {@code status}.
 */
public record LeadStateUpdated(String eventId, Instant eventTime, Data data) implements FlowgateEvent {

    public static final String TYPE = "lead_state_updated";

    /**
     * @param waId          the user
     * @param previousState the state before the change
     * @param currentState  the state after the change
     * @param score         the qualification score after the change
     * @param leadMetadata  the answers collected so far (what the CRM stores)
     * @param syncPriority  {@code high} for completions and escalations, {@code normal} otherwise
     * @param status        the lead's status after the change: {@code active}, {@code completed},
     *                      {@code escalated} (handed to a human) or {@code cold} (stopped answering); a
     *                      lead going cold keeps its state, so only this field says so
     * @param experimentId  the chat machine's routing experiment the lead's conversation is in, or null
     * @param variant       the conversation's variant of {@code experimentId}, or null
     */
    public record Data(
            String waId,
            String previousState,
            String currentState,
            int score,
            Map<String, Object> leadMetadata,
            String syncPriority,
            String status,
            String experimentId,
            String variant) {
        public Data {
            leadMetadata = leadMetadata == null ? Map.of() : Map.copyOf(leadMetadata);
        }

        /** A change of a lead in no experiment. */
        public Data(String waId, String previousState, String currentState, int score,
                    Map<String, Object> leadMetadata, String syncPriority, String status) {
            this(waId, previousState, currentState, score, leadMetadata, syncPriority, status, null, null);
        }

        /** A change without a status, as events written before the field existed read. */
        public Data(String waId, String previousState, String currentState, int score,
                    Map<String, Object> leadMetadata, String syncPriority) {
            this(waId, previousState, currentState, score, leadMetadata, syncPriority, null);
        }
    }

    /** The seed's field name for the type, kept for CRM consumers that switch on it. */
    @com.fasterxml.jackson.annotation.JsonProperty("event")
    public String event() {
        return TYPE;
    }

    @Override
    public String key() {
        return data.waId();
    }
}
