package io.flowgate.events;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * One change of Meta's {@code flows} webhook field (reference §1.8): a health alert about a Flow's
 * endpoint ({@code ENDPOINT_LATENCY}, {@code ENDPOINT_ERROR_RATE}, {@code ENDPOINT_AVAILABILITY},
 * {@code CLIENT_ERROR_RATE}) or a status change ({@code FLOW_STATUS_CHANGE}), as ingest-api wrote it to
 * {@link Topics#META_HEALTH} before answering Meta, keyed by Meta's Flow id. The change's {@code value}
 * is kept whole in {@code payload}, so an event name or a field Flowgate does not know yet is kept, not
 * dropped; routing-api stores it in {@code meta_flow_health}.
 *
 * <p>Meta's {@code flows} changes carry no id: {@code eventId} is a digest of the business account, the
 * entry's time and the value, the same for every delivery of the same change, and consumers deduplicate
 * by it.
 *
 * @param eventId    {@code meta:<32 hex>}: SHA-256 of the WABA id, {@code entry[].time} and the value's JSON
 * @param eventTime  Meta's {@code entry[].time}; the receipt time when Meta sent none
 * @param event      the value's {@code event} as Meta sent it ({@code unknown} when absent)
 * @param metaFlowId the value's {@code flow_id}: Meta's id of the Flow; null when Meta sent none
 * @param wabaId     the WhatsApp Business Account ({@code entry[].id})
 * @param receivedAt when ingest-api received the webhook
 * @param payload    the change's {@code value} object exactly as Meta sent it
 */
public record MetaFlowSignal(
        String eventId,
        Instant eventTime,
        String event,
        String metaFlowId,
        String wabaId,
        Instant receivedAt,
        JsonNode payload) implements FlowgateEvent {

    public static final String TYPE = "meta_flow_signal";
    /** The webhook field these changes come in. */
    public static final String FIELD = "flows";

    public static final String ENDPOINT_LATENCY = "ENDPOINT_LATENCY";
    public static final String ENDPOINT_ERROR_RATE = "ENDPOINT_ERROR_RATE";
    public static final String ENDPOINT_AVAILABILITY = "ENDPOINT_AVAILABILITY";
    public static final String CLIENT_ERROR_RATE = "CLIENT_ERROR_RATE";
    public static final String FLOW_STATUS_CHANGE = "FLOW_STATUS_CHANGE";
    public static final String UNKNOWN = "unknown";

    /** Meta's Flow, so that one Flow's signals stay in order; the business account when Meta named no Flow. */
    @Override
    public String key() {
        if (metaFlowId != null) {
            return metaFlowId;
        }
        return wabaId != null ? wabaId : InboundUpdate.UNKNOWN_KEY;
    }
}
