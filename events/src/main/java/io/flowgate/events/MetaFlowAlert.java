package io.flowgate.events;

import java.time.Instant;

/**
 * Meta's view of a Flow turned into an alert on {@link Topics#ALERTS}, next to Flowgate's own
 * {@link LatencyAlert}s, keyed by Meta's Flow id: one of Meta's health alerts was activated or
 * deactivated, or Meta throttled or blocked the Flow, or let it recover. routing-api writes it through
 * the outbox, in the transaction that stores the signal in {@code meta_flow_health}.
 *
 * @param eventId    {@code meta-alert:<event id of the signal>}; a redelivered signal yields the same id
 * @param eventTime  Meta's time of the signal
 * @param metaFlowId Meta's id of the Flow
 * @param flowId     Flowgate's id of the Flow, when {@code meta_flows} knows it
 * @param event      Meta's event ({@code ENDPOINT_LATENCY}, ..., {@code FLOW_STATUS_CHANGE})
 * @param state      {@link LatencyAlert#FIRING} (activated, throttled, blocked) or
 *                   {@link LatencyAlert#RESOLVED} (deactivated, recovered)
 * @param value      what Meta measured: p90 in ms, an error rate or availability in percent
 * @param threshold  Meta's threshold that was crossed, in the same unit
 * @param oldStatus  a status change's previous Flow status
 * @param newStatus  a status change's new Flow status
 * @param message    Meta's text
 */
public record MetaFlowAlert(
        String eventId,
        Instant eventTime,
        String metaFlowId,
        String flowId,
        String event,
        String state,
        Double value,
        Double threshold,
        String oldStatus,
        String newStatus,
        String message) implements FlowgateEvent {

    public static final String TYPE = "meta_flow_alert";

    @Override
    public String key() {
        return metaFlowId;
    }
}
