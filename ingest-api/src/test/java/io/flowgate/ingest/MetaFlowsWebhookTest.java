package io.flowgate.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.EventJson;
import io.flowgate.events.EventSchemas;
import io.flowgate.events.MetaFlowSignal;
import io.flowgate.events.Topics;
import io.flowgate.testkit.HubSignature;
import io.flowgate.testkit.MetaFlowsWebhooks;
import io.flowgate.testkit.TopicReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Meta's {@code flows} webhook field, with the bodies of Meta's documentation ({@link MetaFlowsWebhooks},
 * source cited there), signed with the app secret, over real HTTP into a real broker: each change lands
 * on {@code flowgate.meta-health} before the 200, whole, keyed by Meta's Flow id; unknown events and
 * fields are kept; a redelivery has the same event id; a bad signature is refused as for messages.
 */
class MetaFlowsWebhookTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedKafkaBroker kafka;
    private static IngestApp app;
    private static WebhookClient meta;
    private static TopicReader health;
    private static TopicReader inbound;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafkaBroker.start(4);
        app = IngestApp.start(kafka.bootstrapServers());
        meta = new WebhookClient(app);
        health = TopicReader.fromBeginning(kafka.bootstrapServers(), Topics.META_HEALTH, EventSchemas::assertValid);
        inbound = TopicReader.fromBeginning(kafka.bootstrapServers(), Topics.INBOUND, EventSchemas::assertValid);
    }

    @AfterAll
    static void stop() throws Exception {
        IngestApp.closeAll(health, inbound, app, kafka);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ENDPOINT_LATENCY", "ENDPOINT_ERROR_RATE", "ENDPOINT_AVAILABILITY", "CLIENT_ERROR_RATE", "FLOW_STATUS_CHANGE"})
    void everyDocumentedEventLandsWholeOnTheMetaHealthTopicKeyedByFlow(String event) throws Exception {
        String flowId = flowId();
        String body = MetaFlowsWebhooks.withFlow(documented(event), flowId, 1_795_000_000L);

        var response = meta.post(body);

        assertThat(response.statusCode()).isEqualTo(200);
        TopicReader.Received record = awaitSignal(flowId);
        assertThat(record.key()).isEqualTo(flowId);
        MetaFlowSignal signal = (MetaFlowSignal) EventJson.fromBytes(record.bytes());
        assertThat(signal.event()).isEqualTo(event);
        assertThat(signal.metaFlowId()).isEqualTo(flowId);
        assertThat(signal.eventTime()).isEqualTo(Instant.ofEpochSecond(1_795_000_000L));
        assertThat(signal.wabaId()).isIn("106181168862417", "644600416743275");
        assertThat(signal.eventId()).matches("meta:[0-9a-f]{32}");
        JsonNode value = JSON.readTree(body).at("/entry/0/changes/0/value");
        assertThat(signal.payload()).isEqualTo(value);
        // nothing of it goes to the chat consumer's topic
        assertThat(inbound.readToEnd()).noneMatch(r -> r.value().contains(flowId));
    }

    @Test
    void anUnknownEventAndUnknownFieldsAreKeptNotRefused() {
        String flowId = flowId();
        String body = MetaFlowsWebhooks.with(MetaFlowsWebhooks.withFlow(MetaFlowsWebhooks.ENDPOINT_LATENCY, flowId, 1_795_000_100L),
                "event", "\"ENDPOINT_LATENCY\"", "\"ENDPOINT_TLS_HANDSHAKE\", \"tls_p90\": 950, \"region\": {\"name\": \"eu\"}");

        var response = meta.post(body);

        assertThat(response.statusCode()).isEqualTo(200);
        MetaFlowSignal signal = (MetaFlowSignal) EventJson.fromBytes(awaitSignal(flowId).bytes());
        assertThat(signal.event()).isEqualTo("ENDPOINT_TLS_HANDSHAKE");
        assertThat(signal.payload().path("tls_p90").asInt()).isEqualTo(950);
        assertThat(signal.payload().at("/region/name").asText()).isEqualTo("eu");
        assertThat(signal.payload().path("p90_latency").asInt()).isEqualTo(8000);
    }

    @Test
    void aRedeliveryCarriesTheSameEventIdAndAnotherChangeAnother() {
        String flowId = flowId();
        String activated = MetaFlowsWebhooks.withFlow(MetaFlowsWebhooks.ENDPOINT_LATENCY, flowId, 1_795_000_200L);
        String deactivated = MetaFlowsWebhooks.with(activated, "alert_state", "\"ACTIVATED\"", "\"DEACTIVATED\"");

        assertThat(meta.post(activated).statusCode()).isEqualTo(200);
        assertThat(meta.post(activated).statusCode()).isEqualTo(200);
        assertThat(meta.post(deactivated).statusCode()).isEqualTo(200);

        List<String> ids = health.readUntil(all -> signalsOf(all, flowId).size() >= 3, "3 signals of " + flowId)
                .stream().filter(r -> flowId.equals(r.key()))
                .map(r -> EventJson.fromBytes(r.bytes()).eventId()).toList();
        assertThat(ids).hasSize(3);
        assertThat(ids.get(0)).isEqualTo(ids.get(1)).isNotEqualTo(ids.get(2));
    }

    @Test
    void aBadOrMissingSignatureIsRefusedAsForMessagesAndNothingIsWritten() {
        String flowId = flowId();
        byte[] body = MetaFlowsWebhooks.withFlow(MetaFlowsWebhooks.ENDPOINT_AVAILABILITY, flowId, 1_795_000_300L)
                .getBytes(StandardCharsets.UTF_8);

        assertThat(meta.post(body, HubSignature.of(body, "not-the-app-secret")).statusCode()).isEqualTo(401);
        assertThat(meta.post(body, null).statusCode()).isEqualTo(401);

        assertThat(health.readToEnd()).noneMatch(r -> flowId.equals(r.key()));
    }

    private static String documented(String event) {
        return switch (event) {
            case "ENDPOINT_LATENCY" -> MetaFlowsWebhooks.ENDPOINT_LATENCY;
            case "ENDPOINT_ERROR_RATE" -> MetaFlowsWebhooks.ENDPOINT_ERROR_RATE;
            case "ENDPOINT_AVAILABILITY" -> MetaFlowsWebhooks.ENDPOINT_AVAILABILITY;
            case "CLIENT_ERROR_RATE" -> MetaFlowsWebhooks.CLIENT_ERROR_RATE;
            default -> MetaFlowsWebhooks.STATUS_CHANGE;
        };
    }

    private static TopicReader.Received awaitSignal(String flowId) {
        return signalsOf(health.readUntil(all -> !signalsOf(all, flowId).isEmpty(), "a signal of " + flowId), flowId).get(0);
    }

    private static List<TopicReader.Received> signalsOf(List<TopicReader.Received> records, String flowId) {
        return records.stream().filter(r -> flowId.equals(r.key())).toList();
    }

    /** A fresh Flow id, so that each test finds its own records on the shared topic. */
    private static String flowId() {
        return Long.toString(Math.floorMod(UUID.randomUUID().getLeastSignificantBits(), 1_000_000_000_000_000L));
    }
}
