package io.flowgate.events;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventJsonTest {

    private static final Instant T = Instant.parse("2026-11-22T10:15:30.123Z");

    @Test
    void transitionRoundTripsWithTypeKeyAndSnakeCase() throws Exception {
        var event = new FlowTransition("e1", T, "flow-1", "s1", "15550001111", T.minusSeconds(60),
                "WELCOME", "DETAILS", "data_exchange", Map.of("budget", "7000"), false, false,
                FlowTransition.SOURCE_FLOW);
        String json = EventJson.toJson(event);
        JsonNode tree = EventJson.mapper().readTree(json);
        assertThat(tree.get("type").asText()).isEqualTo("flow_transition");
        assertThat(tree.get("event_id").asText()).isEqualTo("e1");
        assertThat(tree.get("event_time").asText()).isEqualTo("2026-11-22T10:15:30.123Z");
        assertThat(tree.get("key").asText()).isEqualTo("s1");
        assertThat(tree.get("to_screen").asText()).isEqualTo("DETAILS");
        assertThat(EventJson.fromJson(json)).isEqualTo(event);
    }

    @Test
    void endpointRequestWithoutSessionIsKeyedByEndpoint() {
        var event = new EndpointRequest("e2", T, null, null, "", "ping", 200, EndpointRequest.OUTCOME_OK, 850);
        assertThat(event.key()).isEqualTo("endpoint");
        assertThat(EventJson.fromBytes(EventJson.toBytes(event))).isEqualTo(event);
    }

    @Test
    void leadStateUpdateKeepsTheCrmShape() throws Exception {
        var event = new LeadStateUpdated("e3", T, new LeadStateUpdated.Data("1234567890", "AWAITING_NAME",
                "AWAITING_BUDGET", 10, Map.of("name", "John Doe"), "normal"));
        JsonNode tree = EventJson.mapper().readTree(EventJson.toJson(event));
        assertThat(tree.get("event").asText()).isEqualTo("lead_state_updated");
        assertThat(tree.at("/data/wa_id").asText()).isEqualTo("1234567890");
        assertThat(tree.at("/data/lead_metadata/name").asText()).isEqualTo("John Doe");
        assertThat(EventJson.fromJson(EventJson.toJson(event))).isEqualTo(event);
    }

    @Test
    void unknownFieldsAreIgnoredButUnknownTypesAreRefused() {
        String withExtra = "{\"type\":\"stale_session\",\"event_id\":\"e4\",\"event_time\":\"2026-11-22T10:00:00Z\","
                + "\"user_id\":\"u\",\"added_later\":42}";
        assertThat(EventJson.fromJson(withExtra)).isInstanceOf(StaleSession.class);
        assertThatThrownBy(() -> EventJson.fromJson("{\"type\":\"nope\"}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventJson.fromJson("not json"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void heartbeatNamesItsPartitionAndRoundTrips() throws Exception {
        Heartbeat heartbeat = Heartbeat.of(T, 3);
        JsonNode tree = EventJson.mapper().readTree(EventJson.toJson(heartbeat));
        assertThat(tree.get("type").asText()).isEqualTo("heartbeat");
        assertThat(tree.get("event_id").asText()).isEqualTo("heartbeat:3:" + T.toEpochMilli());
        assertThat(tree.get("partition").asInt()).isEqualTo(3);
        assertThat(tree.get("key").asText()).isEqualTo("heartbeat:3");
        assertThat(EventJson.fromBytes(EventJson.toBytes(heartbeat))).isEqualTo(heartbeat);
    }
}
