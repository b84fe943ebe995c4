package io.flowgate.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON Schemas of the events ({@code io/flowgate/events/schema/<type>.schema.json}, draft 2020-12),
 * for tests: the producers' tests validate what they really published with {@link #assertValid}. Shared
 * through the events module's test-jar, so the validator never reaches a service's runtime classpath.
 * {@code format} is asserted ({@code date-time} instants), not only annotated.
 */
public final class EventSchemas {

    /** Where the schema files are, on the classpath and under {@code src/main/resources}. */
    public static final String FOLDER = "io/flowgate/events/schema/";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();

    private EventSchemas() {
    }

    /** The {@code type} of every event the JSON form knows, as {@link FlowgateEvent} declares them. */
    public static List<String> eventTypes() {
        return Arrays.stream(FlowgateEvent.class.getAnnotation(JsonSubTypes.class).value())
                .map(JsonSubTypes.Type::name).sorted().toList();
    }

    /** The schema file of an event type, parsed. */
    public static JsonNode schemaJson(String type) {
        try (InputStream in = EventSchemas.class.getClassLoader().getResourceAsStream(FOLDER + type + ".schema.json")) {
            if (in == null) {
                throw new IllegalArgumentException("no schema for event type " + type);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Schema schema(String type) {
        return SCHEMAS.computeIfAbsent(type, t -> REGISTRY.getSchema(schemaJson(t).toString()));
    }

    /** What is wrong with one serialized event; empty when it is valid against the schema its {@code type} names. */
    public static List<String> violations(String json) {
        JsonNode event;
        try {
            event = JSON.readTree(json);
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
        String type = event.path("type").asText("");
        if (!eventTypes().contains(type)) {
            return List.of("unknown event type '" + type + "'");
        }
        List<Error> errors = schema(type).validate(event,
                context -> context.executionConfig(config -> config.formatAssertionsEnabled(true)));
        return errors.stream().map(Error::toString).toList();
    }

    public static List<String> violations(byte[] json) {
        return violations(new String(json, StandardCharsets.UTF_8));
    }

    /** Fails with every violation and the event itself when {@code json} does not match its schema. */
    public static void assertValid(String json) {
        List<String> violations = violations(json);
        if (!violations.isEmpty()) {
            throw new AssertionError("event does not match its schema " + violations + ": " + json);
        }
    }
}
