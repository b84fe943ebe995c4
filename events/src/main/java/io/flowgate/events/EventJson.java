package io.flowgate.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Reads and writes events as JSON: snake_case names, ISO-8601 instants, unknown fields ignored so
 * that consumers survive producers that add fields.
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);

    private EventJson() {
    }

    /** The shared mapper; do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] toBytes(FlowgateEvent event) {
        try {
            if (event instanceof EndpointRequest request) {
                return endpointRequest(request);
            }
            return MAPPER.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize " + event.getClass().getSimpleName(), e);
        }
    }

    /**
     * An {@code endpoint_request}, one per Flow endpoint request, pings included, written field by field with the
     * mapper's own generator: the same bytes as {@code MAPPER.writeValueAsBytes} (names, order, escaping, the instant
     * as ISO-8601, nulls left out; pinned by {@code EndpointRequestJsonTest}) without the databind layer's type and
     * property lookups per event (1.6 % of a ping's CPU: docs/benchmarks.md, "ping: cuts inside the framework").
     */
    private static byte[] endpointRequest(EndpointRequest e) throws IOException {
        ByteArrayBuilder bytes = new ByteArrayBuilder(256);
        try (JsonGenerator json = MAPPER.getFactory().createGenerator(bytes)) {
            json.writeStartObject();
            json.writeStringField("type", EndpointRequest.TYPE);
            stringField(json, "event_id", e.eventId());
            stringField(json, "event_time", e.eventTime() == null ? null : e.eventTime().toString());
            stringField(json, "flow_id", e.flowId());
            stringField(json, "session_id", e.sessionId());
            stringField(json, "screen", e.screen());
            stringField(json, "action", e.action());
            json.writeNumberField("status", e.status());
            stringField(json, "outcome", e.outcome());
            json.writeNumberField("latency_micros", e.latencyMicros());
            if (e.flowVersion() != null) {
                json.writeNumberField("flow_version", e.flowVersion().intValue());
            }
            stringField(json, "experiment_id", e.experimentId());
            stringField(json, "variant", e.variant());
            json.writeBooleanField("error", e.isError());
            stringField(json, "key", e.key());
            json.writeEndObject();
        }
        return bytes.toByteArray();
    }

    private static void stringField(JsonGenerator json, String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }

    public static String toJson(FlowgateEvent event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize " + event.getClass().getSimpleName(), e);
        }
    }

    /** Parses an event; throws {@link IllegalArgumentException} for bytes that are not one. */
    public static FlowgateEvent fromBytes(byte[] json) {
        try {
            return MAPPER.readValue(json, FlowgateEvent.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a Flowgate event: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
    }

    public static FlowgateEvent fromJson(String json) {
        try {
            return MAPPER.readValue(json, FlowgateEvent.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a Flowgate event: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
    }
}
