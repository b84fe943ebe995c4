package io.flowgate.events;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * One update from Meta's messaging webhook (a message, a status or an error), as ingest-api wrote it
 * to {@link Topics#INBOUND}, keyed by user. One webhook POST carries up to 1000 updates; each becomes
 * one of these. The original JSON object of the update is kept whole in {@code payload} so that
 * nothing Meta sent is lost, and consumers read the details (text, interactive reply, Flow completion
 * {@code response_json}, location, media id, status errors) from it.
 *
 * <p>Meta delivers at least once, for up to 7 days and in no guaranteed order, and ingest-api may
 * write the same update twice (a webhook whose Kafka acknowledgement timed out is written again when
 * Meta retries). Consumers therefore deduplicate by {@code eventId}, which is the same for every
 * delivery of the same update, and order by {@code eventTime}, not by offset.
 *
 * @param eventId       stable across redeliveries: the wamid for a message, {@code <wamid>:<status>}
 *                      for a status, {@code error:<hash>} for an error; an update that lacks the id
 *                      Meta normally sends gets {@code <kind>:<hash>}, where the hash is a SHA-256 of
 *                      the business number and the update's JSON
 * @param eventTime     WhatsApp's own timestamp of the update; the receipt time when Meta sent none
 *                      (always for {@link #KIND_ERROR})
 * @param kind          {@link #KIND_MESSAGE}, {@link #KIND_STATUS} or {@link #KIND_ERROR}
 * @param messageType   for a message its {@code type} ({@code text}, {@code interactive}, {@code button},
 *                      {@code location}, {@code image}, ..., {@code unsupported}; {@code unknown} when
 *                      absent); for a status its value ({@code sent}, {@code delivered}, {@code read},
 *                      {@code failed}, {@code played}); for an error its numeric {@code code}
 * @param userId        the user, and the Kafka key: the business-scoped {@code user_id} when Meta sent
 *                      one, else the phone-number {@code wa_id} ({@code from} of a message,
 *                      {@code recipient_id} of a status); null for an error, which concerns no user
 * @param waId          the user's phone-number id when Meta sent one (users with a username may have
 *                      none); personal data
 * @param wamid         the WhatsApp message id the update is about; null for an error
 * @param phoneNumberId the business phone number that received or sent the message
 *                      ({@code metadata.phone_number_id})
 * @param wabaId        the WhatsApp Business Account ({@code entry[].id})
 * @param receivedAt    when ingest-api received the webhook
 * @param contact       the {@code contacts[]} object Meta sent for this user (profile name, username,
 *                      {@code user_id}, {@code parent_user_id}), when there was one; personal data
 * @param payload       the update's JSON object (an element of {@code messages[]}, {@code statuses[]}
 *                      or {@code errors[]}) exactly as Meta sent it
 */
public record InboundUpdate(
        String eventId,
        Instant eventTime,
        String kind,
        String messageType,
        String userId,
        String waId,
        String wamid,
        String phoneNumberId,
        String wabaId,
        Instant receivedAt,
        JsonNode contact,
        JsonNode payload) implements FlowgateEvent {

    public static final String TYPE = "inbound_update";
    public static final String KIND_MESSAGE = "message";
    public static final String KIND_STATUS = "status";
    public static final String KIND_ERROR = "error";

    /** The key of an update that names neither a user nor a business number. */
    public static final String UNKNOWN_KEY = "unknown";

    /**
     * The user, so that one user's updates stay in order on one partition; an error, which concerns
     * no user, is keyed by the business number it was reported for.
     */
    @Override
    public String key() {
        if (userId != null) {
            return userId;
        }
        return phoneNumberId != null ? phoneNumberId : UNKNOWN_KEY;
    }
}
