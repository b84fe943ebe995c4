package io.flowgate.events;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * One update from Meta's messaging webhook (a message, a status or an error), as ingest-api wrote it
 * to {@link Topics#INBOUND}, keyed by user. The original JSON object of the update is kept whole in
 * {@code payload} so that nothing Meta sent is lost.
 *
 * @param eventId       stable across Meta's redeliveries: the wamid for a message,
 *                      {@code wamid:status} for a status
 * @param eventTime     WhatsApp's own timestamp of the update
 * @param userId        the user: {@code user_id} when present, else {@code wa_id}/{@code from}
 * @param waId          the phone-number id of the user, when Meta sent one
 * @param kind          {@link #KIND_MESSAGE}, {@link #KIND_STATUS} or {@link #KIND_ERROR}
 * @param messageType   the message type ({@code text}, {@code interactive}, ...) or the status value
 * @param wamid         the WhatsApp message id the update is about
 * @param phoneNumberId the business number that received it
 * @param receivedAt    when ingest-api received the webhook
 * @param payload       the update's JSON object as Meta sent it
 */
public record InboundUpdate(
        String eventId,
        Instant eventTime,
        String userId,
        String waId,
        String kind,
        String messageType,
        String wamid,
        String phoneNumberId,
        Instant receivedAt,
        JsonNode payload) implements FlowgateEvent {

    public static final String TYPE = "inbound_update";
    public static final String KIND_MESSAGE = "message";
    public static final String KIND_STATUS = "status";
    public static final String KIND_ERROR = "error";

    @Override
    public String key() {
        return userId;
    }
}
