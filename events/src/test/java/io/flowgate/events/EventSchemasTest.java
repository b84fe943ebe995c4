package io.flowgate.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schema files against the event records, the docs and each other: every event type has a schema,
 * docs/events.md lists exactly the schema's fields (type, required), its examples validate, the records
 * serialize to valid events, and events of earlier releases stay valid.
 */
class EventSchemasTest {

    private static final Path SCHEMA_FOLDER = Path.of("src/main/resources").resolve(EventSchemas.FOLDER);
    private static final Path DOCS = Path.of("../docs/events.md");
    private static final Instant T = Instant.parse("2026-11-20T10:15:02.512Z");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** One row of a fields table, or one property of a schema, in the same shape. */
    record Field(String name, String type, boolean required) {
    }

    @Test
    void everyEventTypeHasASchemaFileAndEveryFileAnEventType() throws IOException {
        Set<String> files = new TreeSet<>();
        try (Stream<Path> list = Files.list(SCHEMA_FOLDER)) {
            list.forEach(f -> files.add(f.getFileName().toString()));
        }
        assertThat(files).containsExactlyInAnyOrderElementsOf(
                EventSchemas.eventTypes().stream().map(t -> t + ".schema.json").toList());
        for (String type : EventSchemas.eventTypes()) {
            JsonNode schema = EventSchemas.schemaJson(type);
            assertThat(schema.path("$schema").asText()).as(type).isEqualTo("https://json-schema.org/draft/2020-12/schema");
            assertThat(schema.at("/properties/type/const").asText()).as(type).isEqualTo(type);
            assertThat(schema.path("additionalProperties").asBoolean(true)).as(type + " additionalProperties").isFalse();
        }
    }

    @Test
    void theDocsTableOfEveryEventListsExactlyTheFieldsOfItsSchema() throws IOException {
        String docs = Files.readString(DOCS);
        for (String type : EventSchemas.eventTypes()) {
            assertThat(docsFields(docs, type)).as("docs/events.md, fields of %s, against %s.schema.json", type, type)
                    .containsExactlyInAnyOrderElementsOf(schemaFields(EventSchemas.schemaJson(type)));
        }
    }

    @Test
    void theDocsExampleOfEveryEventIsValid() throws IOException {
        String docs = Files.readString(DOCS);
        for (String type : EventSchemas.eventTypes()) {
            String example = docsExample(docs, type);
            assertThat(EventSchemas.violations(example)).as("the example of %s", type).isEmpty();
            assertThat(EventJson.fromJson(example)).as("the example of %s reads as an event", type).isNotNull();
        }
    }

    @Test
    void everyRecordSerializesToAValidEventWithAndWithoutItsOptionalFields() {
        List<FlowgateEvent> events = List.of(
                new FlowTransition("e1", T, "device_repair", "s1", "u1", T, "", "WELCOME", "INIT", Map.of(), false, false, "flow"),
                new FlowTransition("chat:w1", T, "qualify", "s2", "u1", T, "ASK", "HUMAN", "chat_message",
                        Map.of("budget", "7500"), false, true, "chat"),
                new EndpointRequest("e2", T, "device_repair", "s1", "WELCOME", "data_exchange", 200, "ok", 18_250),
                new EndpointRequest("e3", T, null, null, "", "unknown", 421, "undecryptable", 90),
                new FlowTransition("e4", T, "device_repair", "s1", "u1", T, "WELCOME", "EXPRESS", "data_exchange",
                        Map.of(), false, false, "flow").withFlowVersion(3).withExperiment("express-first", "treatment"),
                new EndpointRequest("e5", T, "device_repair", "s1", "WELCOME", "data_exchange", 200, "ok", 9_000)
                        .withFlowVersion(3).withExperiment("express-first", "control"),
                new LeadStateUpdated("lead:w1", T, new LeadStateUpdated.Data("u1", "", "ASK", 10,
                        Map.of("budget", 7500, "name", "Ana"), "normal", "active")),
                new LeadStateUpdated("lead:w2", T, new LeadStateUpdated.Data("u1", "ASK", "DONE", 80, null, "high")),
                new StaleSession("stale:s1", T, "device_repair", "s1", "u1", "WELCOME", T, T, "flow"),
                new StaleSession("stale:s3", T, "device_repair", "s3", "u1", null, T, T, "flow"),
                new LatencyAlert("alert:1:p90:1:FIRING", T, 1, "*", "p90", 1834.5, 1000, "FIRING", T, T),
                new ExperimentGuardrailBreached("guardrail:express-first:treatment", T, "express-first", "treatment",
                        "p90_latency", 2140.0, 1000.0, 180.5, 412),
                new ExperimentGuardrailBreached("guardrail:express-first:b", T, "express-first", "b",
                        "drop_rate:DETAILS", 0.41, 0.0, null, 230),
                new InboundUpdate("wamid.1", T, "message", "text", "u1", "16505551234", "wamid.1", "1065", "1022", T,
                        object("wa_id", "16505551234"), object("id", "wamid.1")),
                new InboundUpdate("error:00", T, "error", "130429", null, null, null, null, null, T, null, object("code", "130429")),
                Heartbeat.of(T, 3),
                new MetaFlowSignal("meta:00", T, "ENDPOINT_LATENCY", "691244242662581", "106181168862417", T,
                        object("event", "ENDPOINT_LATENCY")),
                new MetaFlowSignal("meta:01", T, "unknown", null, null, T, object("message", "?")),
                new MetaFlowAlert("meta-alert:meta:00", T, "691244242662581", "device_repair", "ENDPOINT_LATENCY",
                        "FIRING", 8000.0, 7000.0, null, null, "Flow endpoint latency has reached the p90 threshold"),
                new MetaFlowAlert("meta-alert:meta:02", T, "691244242662581", null, "FLOW_STATUS_CHANGE",
                        "RESOLVED", null, null, "THROTTLED", "PUBLISHED", null));
        for (FlowgateEvent event : events) {
            assertThat(EventSchemas.violations(EventJson.toJson(event))).as(EventJson.toJson(event)).isEmpty();
        }
        assertThat(events).extracting(e -> EventJson.toJson(e).replaceAll("^\\{\"type\":\"([a-z_]+)\".*", "$1"))
                .as("one of each type at least").containsAll(EventSchemas.eventTypes());
    }

    @Test
    void eventsWrittenByEarlierReleasesStayValid() {
        // inbound_update before waba_id and contact were added (6f4e0f8)
        assertThat(EventSchemas.violations("""
                {"type":"inbound_update","event_id":"wamid.1:read","event_time":"2025-06-08T20:59:46Z","kind":"status",
                 "message_type":"read","user_id":"16505551234","wa_id":"16505551234","wamid":"wamid.1",
                 "phone_number_id":"106540352242922","received_at":"2025-06-08T20:59:47.120Z",
                 "payload":{"id":"wamid.1","status":"read"},"key":"16505551234"}""")).isEmpty();
        // lead_state_updated before data.status was added (412085a)
        assertThat(EventSchemas.violations("""
                {"type":"lead_state_updated","event_id":"lead:wamid.1","event_time":"2026-05-04T10:15:00Z",
                 "data":{"wa_id":"16505551234","previous_state":"","current_state":"ASK_NAME","score":0,
                         "lead_metadata":{},"sync_priority":"normal"},
                 "key":"16505551234","event":"lead_state_updated"}""")).isEmpty();
    }

    @Test
    void theSchemasRefuseWhatNoProducerWrites() {
        ObjectNode valid = (ObjectNode) json(EventJson.toJson(
                new StaleSession("stale:s1", T, "f", "s1", "u1", "WELCOME", T, T, "flow")));
        assertThat(EventSchemas.violations(valid.toString())).isEmpty();

        assertThat(EventSchemas.violations(valid.deepCopy().put("experiment_id", "x").toString()))
                .as("a field the schema does not list").isNotEmpty();
        ObjectNode missing = valid.deepCopy();
        missing.remove("session_id");
        assertThat(EventSchemas.violations(missing.toString())).as("a required field missing").isNotEmpty();
        assertThat(EventSchemas.violations(valid.deepCopy().put("last_event_time", "yesterday").toString()))
                .as("an instant that is not one").isNotEmpty();
        assertThat(EventSchemas.violations(valid.deepCopy().put("source", "sms").toString()))
                .as("a value outside the enumeration").isNotEmpty();
        assertThat(EventSchemas.violations(valid.deepCopy().put("type", "stale").toString()))
                .as("an unknown type").isNotEmpty();
        assertThat(EventSchemas.violations(valid.deepCopy().putNull("last_screen").toString()))
                .as("null instead of absent").isNotEmpty();
    }

    @Test
    void anExperimentIdGoesWithAVariant() {
        ObjectNode tagged = (ObjectNode) json(EventJson.toJson(new FlowTransition("e4", T, "f", "s1", "u1", T, "A", "B",
                "data_exchange", Map.of(), false, false, "flow").withExperiment("x", "control")));
        assertThat(EventSchemas.violations(tagged.toString())).isEmpty();
        assertThat(EventSchemas.violations(tagged.deepCopy().without("variant").toString()))
                .as("experiment_id without variant").isNotEmpty();
        assertThat(EventSchemas.violations(tagged.deepCopy().without("experiment_id").toString()))
                .as("variant without experiment_id").isNotEmpty();
        assertThat(EventSchemas.violations(tagged.deepCopy().put("flow_version", 0).toString()))
                .as("version 0").isNotEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new EndpointRequest("e", T, "f", "s", "", "ping", 200,
                "ok", 1).withExperiment("x", null)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The rows of the table that follows the line "Fields of `type`:" in docs/events.md. */
    static List<Field> docsFields(String docs, String type) {
        String[] lines = tableFollowing(docs, type).split("\n");
        List<Field> fields = new ArrayList<>();
        for (int i = 2; i < lines.length && lines[i].startsWith("|"); i++) {
            String row = lines[i].trim();
            // cells never contain a pipe: five columns exactly
            String[] cells = row.substring(1, row.length() - 1).split("\\|", -1);
            assertThat(cells).as("columns of %s", row).hasSize(5);
            Matcher name = Pattern.compile("`([a-z_.]+)`").matcher(cells[0].trim());
            assertThat(name.matches()).as("field name cell of %s", row).isTrue();
            String required = cells[2].trim();
            assertThat(required).as("required cell of %s", row).isIn("yes", "no");
            assertThat(cells[3].trim()).as("meaning of %s", row).isNotEmpty();
            fields.add(new Field(name.group(1), cells[1].trim(), required.equals("yes")));
        }
        return fields;
    }

    private static String tableFollowing(String docs, String type) {
        String marker = "Fields of `" + type + "`:\n\n";
        int at = docs.indexOf(marker);
        assertThat(at).as("docs/events.md has the line 'Fields of `%s`:' followed by its table", type).isNotNegative();
        assertThat(docs.indexOf(marker, at + 1)).as("one table for %s", type).isNegative();
        String table = docs.substring(at + marker.length());
        assertThat(table).startsWith("| field | JSON type | required | meaning | example |\n|---|---|---|---|---|\n");
        return table;
    }

    /** The first JSON code block after the fields table of {@code type}. */
    static String docsExample(String docs, String type) {
        String after = tableFollowing(docs, type);
        int start = after.indexOf("```json\n");
        assertThat(start).as("an example of %s", type).isNotNegative();
        int end = after.indexOf("```", start + 8);
        return after.substring(start + 8, end);
    }

    /** The schema's properties as the docs list them: nested objects' properties as {@code parent.child}. */
    static List<Field> schemaFields(JsonNode schema) {
        List<Field> fields = new ArrayList<>();
        collect(schema, "", fields);
        return fields;
    }

    private static void collect(JsonNode object, String prefix, List<Field> into) {
        Set<String> required = new TreeSet<>();
        object.path("required").forEach(r -> required.add(r.asText()));
        Iterator<Map.Entry<String, JsonNode>> properties = object.path("properties").fields();
        while (properties.hasNext()) {
            Map.Entry<String, JsonNode> p = properties.next();
            JsonNode s = p.getValue();
            String type = s.path("type").asText() + (s.has("format") ? " (" + s.path("format").asText() + ")" : "");
            into.add(new Field(prefix + p.getKey(), type, required.contains(p.getKey())));
            if (s.has("properties")) {
                collect(s, prefix + p.getKey() + ".", into);
            }
        }
    }

    private static JsonNode object(String field, String value) {
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        fields.put(field, NODES.textNode(value));
        return NODES.objectNode().setAll(fields);
    }

    private static JsonNode json(String text) {
        try {
            return EventJson.mapper().readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
