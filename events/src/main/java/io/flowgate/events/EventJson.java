package io.flowgate.events;

import com.fasterxml.jackson.annotation.JsonInclude;
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
            return MAPPER.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize " + event.getClass().getSimpleName(), e);
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
