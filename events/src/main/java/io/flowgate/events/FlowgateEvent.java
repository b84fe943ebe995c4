package io.flowgate.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.time.Instant;

/**
 * Every event that crosses Kafka. Small immutable records, each with an id consumers deduplicate by,
 * a type (the JSON {@code type} field selects the record), an event time and the key it is partitioned
 * by. The JSON form is documented in {@code docs/events.md}; {@link EventJson} reads and writes it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = FlowTransition.class, name = FlowTransition.TYPE),
        @JsonSubTypes.Type(value = EndpointRequest.class, name = EndpointRequest.TYPE),
        @JsonSubTypes.Type(value = LeadStateUpdated.class, name = LeadStateUpdated.TYPE),
        @JsonSubTypes.Type(value = StaleSession.class, name = StaleSession.TYPE),
        @JsonSubTypes.Type(value = LatencyAlert.class, name = LatencyAlert.TYPE),
        @JsonSubTypes.Type(value = ExperimentGuardrailBreached.class, name = ExperimentGuardrailBreached.TYPE),
        @JsonSubTypes.Type(value = InboundUpdate.class, name = InboundUpdate.TYPE),
        @JsonSubTypes.Type(value = Heartbeat.class, name = Heartbeat.TYPE),
        @JsonSubTypes.Type(value = MetaFlowSignal.class, name = MetaFlowSignal.TYPE),
        @JsonSubTypes.Type(value = MetaFlowAlert.class, name = MetaFlowAlert.TYPE),
})
public sealed interface FlowgateEvent
        permits FlowTransition, EndpointRequest, LeadStateUpdated, StaleSession, LatencyAlert, InboundUpdate,
                Heartbeat, ExperimentGuardrailBreached, MetaFlowSignal, MetaFlowAlert {

    /** Unique per event; a redelivered event keeps its id, so consumers deduplicate by it. */
    String eventId();

    /** When the thing happened (not when it was published); analytics run on this time. */
    Instant eventTime();

    /** The Kafka record key: the user or the session, so that one key's events stay in order. */
    @JsonProperty("key")
    String key();
}
