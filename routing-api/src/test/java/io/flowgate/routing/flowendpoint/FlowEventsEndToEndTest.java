package io.flowgate.routing.flowendpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.EventSchemas;
import io.flowgate.events.Topics;
import io.flowgate.routing.examples.DeviceRepairExample;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import io.flowgate.testkit.TopicReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.flowgate.routing.testclient.WhatsAppFlowClient.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A scripted journey through the example Flow over HTTP lands the expected screens, and exactly the
 * expected events reach a real Kafka broker, once each: one transition per step (none for a double
 * tap's repeats) through the outbox, and one endpoint-request event per answered request.
 */
class FlowEventsEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddedKafkaBroker broker;
    private static RoutingApiInstance app;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(2);
        app = RoutingApiInstance.builder().property("flowgate.kafka.bootstrap-servers", broker.bootstrapServers()).start();
        new DeviceRepairExample(app.uri("/"), RoutingApiInstance.ADMIN_TOKEN).install();
        app.awaitKafkaAvailable();
    }

    @AfterAll
    static void stop() {
        app.close();
        broker.close();
    }

    @Test
    void journeyPublishesEachTransitionOnceAndEveryRequest() throws Exception {
        WhatsAppFlowClient client = app.client();
        JsonNode minted = app.mint("15550000001", DeviceRepairExample.FLOW_ID, null);
        String token = minted.path("flow_token").asText();
        String session = minted.path("session_id").asText();

        List<String> screens = new ArrayList<>();
        screens.add(client.send(payload("INIT", "", token)).screen());
        ObjectNode welcome = payload("data_exchange", "WELCOME", token);
        welcome.with("data").put("item_id", "iphone-13-screen").put("budget", "300").put("name", "Ana Free Text");
        var taps = List.of(client.seal(welcome), client.seal(welcome), client.seal(welcome));
        List<CompletableFuture<WhatsAppFlowClient.Answer>> tapped = taps.stream()
                .map(s -> CompletableFuture.supplyAsync(() -> client.post(s))).toList();
        for (var t : tapped) {
            screens.add(t.get().screen());
        }
        ObjectNode schedule = payload("data_exchange", "EXPRESS_SCHEDULE", token);
        schedule.with("data").put("slot", "express-1");
        screens.add(client.send(schedule).screen());
        screens.add(client.send(payload("data_exchange", "CONFIRM", token)).screen());
        // Meta's health check carries no token: its event is keyed by "endpoint", not by a session
        screens.add(client.send(payload("ping", null, null)).json().at("/data/status").asText());
        assertThat(screens).containsExactly("WELCOME", "EXPRESS_SCHEDULE", "EXPRESS_SCHEDULE", "EXPRESS_SCHEDULE",
                "CONFIRM", "SUCCESS", "active");

        try (TopicReader reader = TopicReader.fromBeginning(broker.bootstrapServers(), Topics.TRANSITIONS)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> transitions(reader, session).size() >= 4
                    && endpointRequests(reader, session).size() >= 6 && !pings(reader).isEmpty());
            Thread.sleep(1_000); // anything duplicated would arrive right behind
            List<JsonNode> transitions = transitions(reader, session);
            assertThat(transitions).extracting(t -> t.path("from_screen").asText() + ">" + t.path("to_screen").asText())
                    .containsExactly(">WELCOME", "WELCOME>EXPRESS_SCHEDULE", "EXPRESS_SCHEDULE>CONFIRM", "CONFIRM>SUCCESS");
            assertThat(transitions).extracting(t -> t.path("event_id").asText()).doesNotHaveDuplicates();
            JsonNode choice = transitions.get(1);
            assertThat(choice.path("flow_id").asText()).isEqualTo(DeviceRepairExample.FLOW_ID);
            assertThat(choice.path("user_id").asText()).isEqualTo("15550000001");
            assertThat(choice.path("action").asText()).isEqualTo("data_exchange");
            assertThat(choice.path("fields").path("item_id").asText()).isEqualTo("iphone-13-screen");
            assertThat(choice.path("fields").path("budget").asText()).isEqualTo("300");
            assertThat(choice.path("fields").has("name")).as("free text never leaves in events").isFalse();
            assertThat(choice.path("session_started_at").asText()).isNotBlank();
            assertThat(transitions.get(3).path("completed").asBoolean()).isTrue();
            assertThat(transitions.get(2).path("completed").asBoolean()).isFalse();

            List<JsonNode> requests = endpointRequests(reader, session);
            assertThat(requests).hasSize(6);
            assertThat(requests).allSatisfy(r -> {
                assertThat(r.path("status").asInt()).isEqualTo(200);
                assertThat(r.path("latency_micros").asLong()).isPositive();
            });
            assertThat(pings(reader)).allSatisfy(p -> assertThat(p.path("key").asText()).isEqualTo("endpoint"));
            // what routing-api really published matches the events' JSON Schemas (docs/events.md)
            assertThat(reader.violations(EventSchemas::violations)).isEmpty();
        }
    }

    @Test
    void sessionsCarryTheFlowVersionTheyStartedOnAndEveryVersionStaysReadable() throws Exception {
        String flowId = "versioned-linear";
        app.uploadFlow(flowId, "linear.json");
        JsonNode first = app.admin("GET", "/api/flows/" + flowId, null).json();
        JsonNode before = app.mint("15550000002", flowId, null);
        assertThat(before.path("flow_version").asInt()).isEqualTo(1);

        ObjectNode changed = first.deepCopy();
        ((ObjectNode) changed.at("/screens/0/layout/children/0")).put("label", "Your full name");
        assertThat(app.admin("PUT", "/api/flows/" + flowId, changed.toString()).json().path("revision").asInt()).isEqualTo(2);
        JsonNode after = app.mint("15550000003", flowId, null);
        assertThat(after.path("flow_version").asInt()).isEqualTo(2);

        // the session minted before the upload stays on version 1 for all its requests, also after it
        WhatsAppFlowClient client = app.client();
        for (JsonNode minted : List.of(before, after)) {
            String token = minted.path("flow_token").asText();
            client.send(payload("INIT", "", token));
            ObjectNode welcome = payload("data_exchange", "WELCOME", token);
            welcome.with("data").put("name", "Ana");
            assertThat(client.send(welcome).screen()).isEqualTo("DETAILS");
        }
        try (TopicReader reader = TopicReader.fromBeginning(broker.bootstrapServers(), Topics.TRANSITIONS)) {
            for (JsonNode minted : List.of(before, after)) {
                String session = minted.path("session_id").asText();
                int version = minted.path("flow_version").asInt();
                await().atMost(Duration.ofSeconds(60)).until(() -> transitions(reader, session).size() >= 2
                        && endpointRequests(reader, session).size() >= 2);
                assertThat(transitions(reader, session)).allSatisfy(t -> assertThat(t.path("flow_version").asInt()).isEqualTo(version));
                assertThat(endpointRequests(reader, session)).allSatisfy(r -> assertThat(r.path("flow_version").asInt()).isEqualTo(version));
            }
            assertThat(reader.violations(EventSchemas::violations)).isEmpty();
        }

        var versions = app.admin("GET", "/api/flows/" + flowId + "/versions", null);
        assertThat(versions.status()).isEqualTo(200);
        assertThat(versions.json().path("current").asInt()).isEqualTo(2);
        assertThat(versions.json().path("versions")).extracting(v -> v.path("version").asInt()).containsExactly(1, 2);
        assertThat(versions.json().at("/versions/0/entry_screen").asText()).isEqualTo("WELCOME");
        assertThat(app.admin("GET", "/api/flows/" + flowId + "/versions/1", null).json()).isEqualTo(first);
        assertThat(app.admin("GET", "/api/flows/" + flowId + "/versions/2", null).json()).isEqualTo(changed);

        var notANumber = app.admin("GET", "/api/flows/" + flowId + "/versions/one", null);
        assertThat(notANumber.status()).isEqualTo(400);
        assertThat(notANumber.raw()).contains("version");
        assertThat(app.admin("GET", "/api/flows/" + flowId + "/versions/0", null).status()).isEqualTo(400);
        assertThat(app.admin("GET", "/api/flows/" + flowId + "/versions/3", null).status()).isEqualTo(404);
        assertThat(app.admin("GET", "/api/flows/no-such-flow/versions", null).status()).isEqualTo(404);
    }

    private static List<JsonNode> pings(TopicReader reader) {
        return reader.received().stream().map(r -> parse(r.value()))
                .filter(e -> e.path("type").asText().equals("endpoint_request") && e.path("action").asText().equals("ping"))
                .toList();
    }

    private static List<JsonNode> transitions(TopicReader reader, String session) {
        return events(reader, session, "flow_transition");
    }

    private static List<JsonNode> endpointRequests(TopicReader reader, String session) {
        return events(reader, session, "endpoint_request");
    }

    private static List<JsonNode> events(TopicReader reader, String session, String type) {
        return reader.events(type, session);
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
