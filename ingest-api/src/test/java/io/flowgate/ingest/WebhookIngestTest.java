package io.flowgate.ingest;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.EventSchemas;
import io.flowgate.events.InboundUpdate;
import io.flowgate.events.TopicDefinition;
import io.flowgate.events.Topics;
import io.flowgate.testkit.HubSignature;
import io.flowgate.testkit.MetaWebhooks;
import io.flowgate.testkit.TopicReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static io.flowgate.testkit.MetaWebhooks.contact;
import static io.flowgate.testkit.MetaWebhooks.envelope;
import static io.flowgate.testkit.MetaWebhooks.messageWebhook;
import static io.flowgate.testkit.MetaWebhooks.phone;
import static io.flowgate.testkit.MetaWebhooks.text;
import static io.flowgate.testkit.MetaWebhooks.value;
import static io.flowgate.testkit.MetaWebhooks.wamid;
import static io.flowgate.testkit.TopicReader.update;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * POST and GET /webhook over real HTTP against the running application and a real Kafka broker, with
 * a real consumer reading back what landed on {@code flowgate.inbound} and its dead-letter topic.
 */
class WebhookIngestTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedKafkaBroker kafka;
    private static IngestApp app;
    private static WebhookClient meta;
    private static TopicReader inbound;
    private static TopicReader deadLetters;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafkaBroker.start(4);
        app = IngestApp.start(kafka.bootstrapServers());
        meta = new WebhookClient(app);
        inbound = TopicReader.fromBeginning(kafka.bootstrapServers(), Topics.INBOUND, EventSchemas::assertValid);
        deadLetters = TopicReader.fromBeginning(kafka.bootstrapServers(), Topics.INBOUND_DEAD_LETTER);
    }

    @AfterAll
    static void stop() throws Exception {
        IngestApp.closeAll(inbound, deadLetters, app, kafka);
    }

    // --- the GET handshake ---

    @Test
    void handshakeWithTheRightTokenEchoesTheChallengeAsPlainText() {
        var response = meta.get("/webhook?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=" + IngestApp.VERIFY_TOKEN);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("1158201444");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain"));
    }

    @Test
    void handshakeWithAWrongTokenOrModeOrNoTokenIsForbidden() {
        assertThat(meta.get("/webhook?hub.mode=subscribe&hub.challenge=42&hub.verify_token=guess").statusCode()).isEqualTo(403);
        assertThat(meta.get("/webhook?hub.mode=unsubscribe&hub.challenge=42&hub.verify_token=" + IngestApp.VERIFY_TOKEN).statusCode()).isEqualTo(403);
        assertThat(meta.get("/webhook?hub.mode=subscribe&hub.challenge=42").statusCode()).isEqualTo(403);
        assertThat(meta.get("/webhook").statusCode()).isEqualTo(403);
    }

    @Test
    void handshakeWithAnOverlongOrMissingChallengeIsNotEchoed() {
        String overlong = "9".repeat(257);
        var response = meta.get("/webhook?hub.mode=subscribe&hub.verify_token=" + IngestApp.VERIFY_TOKEN + "&hub.challenge=" + overlong);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).doesNotContain(overlong);
        assertThat(meta.get("/webhook?hub.mode=subscribe&hub.verify_token=" + IngestApp.VERIFY_TOKEN).statusCode()).isEqualTo(400);
    }

    // --- the signature ---

    @Test
    void webhookWithoutSignatureIsRefusedAndNothingIsWritten() {
        String wamid = wamid();
        byte[] body = messageWebhook(contact(phone()), text("16505550000", wamid, "hi")).getBytes(StandardCharsets.UTF_8);

        var response = meta.post(body, null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(inbound.readToEnd()).noneMatch(r -> update(r).eventId().equals(wamid));
    }

    @Test
    void webhookSignedWithAnotherSecretIsRefusedWithoutHintAndNothingIsWritten() {
        String wamid = wamid();
        byte[] body = messageWebhook(contact(phone()), text("16505550000", wamid, "hi")).getBytes(StandardCharsets.UTF_8);
        String expected = HubSignature.of(body, IngestApp.APP_SECRET);

        var response = meta.post(body, HubSignature.of(body, "not-the-app-secret"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).doesNotContain(expected.substring(7, 15)).doesNotContain(IngestApp.APP_SECRET);
        assertThat(inbound.readToEnd()).noneMatch(r -> update(r).eventId().equals(wamid));
    }

    @Test
    void signatureOverReserializedJsonDoesNotVerifyTheBytesSent() throws Exception {
        String wamid = wamid();
        String sent = """
                { "object": "whatsapp_business_account",
                  "entry": [ { "id": "1", "changes": [ { "field": "messages", "value": {
                    "metadata": { "phone_number_id": "2" }, "contacts": [ { "wa_id": "16505551234" } ],
                    "messages": [ { "from": "16505551234", "id": "%s", "timestamp": "1749416383", "type": "text", "text": { "body": "caf\\u00e9" } } ]
                  } } ] } ] }""".formatted(wamid);
        // what a framework that parsed and re-serialized the body before checking would have signed
        byte[] reserialized = JSON.writeValueAsBytes(JSON.readTree(sent));

        var response = meta.post(sent.getBytes(StandardCharsets.UTF_8), HubSignature.of(reserialized, IngestApp.APP_SECRET));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(inbound.readToEnd()).noneMatch(r -> update(r).eventId().equals(wamid));
    }

    @Test
    void webhookSignedWithThePreviousSecretIsAcceptedDuringARotation() {
        String wamid = wamid();
        byte[] body = messageWebhook(contact("16505551234"), text("16505551234", wamid, "hi")).getBytes(StandardCharsets.UTF_8);

        var response = meta.post(body, HubSignature.of(body, IngestApp.PREVIOUS_APP_SECRET));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(update(inbound.awaitEvent(wamid)).wamid()).isEqualTo(wamid);
    }

    // --- every shape of §2.3 ---

    static Stream<Arguments> messageTypes() {
        return Stream.of(
                messageType("text", (from, id) -> text(from, id, "I want a quote")),
                messageType("interactive", MetaWebhooks::buttonReply),
                messageType("interactive", MetaWebhooks::listReply),
                messageType("interactive", MetaWebhooks::flowCompletion),
                messageType("button", MetaWebhooks::templateButton),
                messageType("location", MetaWebhooks::location),
                messageType("image", (from, id) -> MetaWebhooks.media("image", from, id)),
                messageType("audio", (from, id) -> MetaWebhooks.media("audio", from, id)),
                messageType("video", (from, id) -> MetaWebhooks.media("video", from, id)),
                messageType("document", (from, id) -> MetaWebhooks.media("document", from, id)),
                messageType("sticker", (from, id) -> MetaWebhooks.media("sticker", from, id)),
                messageType("unsupported", MetaWebhooks::unsupported));
    }

    private static Arguments messageType(String type, BiFunction<String, String, String> message) {
        return Arguments.of(type, message);
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("messageTypes")
    void everyMessageTypeLandsKeyedByUserWithItsPayloadIntact(String type, BiFunction<String, String, String> message) throws Exception {
        String from = phone();
        String wamid = wamid();
        String sentMessage = message.apply(from, wamid);

        var response = meta.post(messageWebhook(contact(from), sentMessage));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"updates\":1");
        TopicReader.Received record = inbound.awaitEvent(wamid);
        InboundUpdate update = update(record);
        assertThat(record.key()).isEqualTo(from);
        assertThat(update.eventId()).isEqualTo(wamid);
        assertThat(update.kind()).isEqualTo(InboundUpdate.KIND_MESSAGE);
        assertThat(update.messageType()).isEqualTo(type);
        assertThat(update.userId()).isEqualTo(from);
        assertThat(update.waId()).isEqualTo(from);
        assertThat(update.wamid()).isEqualTo(wamid);
        assertThat(update.phoneNumberId()).isEqualTo(MetaWebhooks.PHONE_NUMBER_ID);
        assertThat(update.wabaId()).isEqualTo(MetaWebhooks.WABA_ID);
        assertThat(update.eventTime()).isEqualTo(Instant.ofEpochSecond(JSON.readTree(sentMessage).get("timestamp").asLong()));
        assertThat(update.contact().at("/profile/name").asText()).isEqualTo("Ana Lima");
        assertThat(update.payload()).isEqualTo(JSON.readTree(sentMessage));
    }

    @Test
    void flowCompletionKeepsItsResponseJsonForTheConsumer() {
        String from = phone();
        String wamid = wamid();

        meta.post(messageWebhook(contact(from), MetaWebhooks.flowCompletion(from, wamid)));

        InboundUpdate update = update(inbound.awaitEvent(wamid));
        assertThat(update.payload().at("/interactive/type").asText()).isEqualTo("nfm_reply");
        assertThat(update.payload().at("/interactive/nfm_reply/response_json").asText()).contains("\"flow_token\":\"ft_9f8e7d\"");
        assertThat(update.payload().at("/context/id").asText()).isEqualTo("wamid.flowmsg");
    }

    @Test
    void everyStatusBecomesOneUpdateIdentifiedByWamidAndStatus() throws Exception {
        String recipient = phone();
        String wamid = wamid();
        List<String> statuses = List.of(
                MetaWebhooks.status(wamid, "sent", recipient),
                MetaWebhooks.status(wamid, "delivered", recipient),
                MetaWebhooks.status(wamid, "read", recipient),
                MetaWebhooks.status(wamid, "played", recipient),
                MetaWebhooks.failedStatus(wamid, recipient));

        var response = meta.post(envelope(value(List.of(), List.of(), statuses, List.of())));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"updates\":5");
        for (String status : statuses) {
            JsonNode sent = JSON.readTree(status);
            String value = sent.get("status").asText();
            TopicReader.Received record = inbound.awaitEvent(wamid + ":" + value);
            InboundUpdate update = update(record);
            assertThat(record.key()).isEqualTo(recipient);
            assertThat(update.kind()).isEqualTo(InboundUpdate.KIND_STATUS);
            assertThat(update.messageType()).isEqualTo(value);
            assertThat(update.wamid()).isEqualTo(wamid);
            assertThat(update.payload()).isEqualTo(sent);
        }
        assertThat(update(inbound.awaitEvent(wamid + ":failed")).payload().at("/errors/0/code").asInt()).isEqualTo(131047);
    }

    @Test
    void errorsWithoutAMessageGetAnIdThatSurvivesRedelivery() throws Exception {
        // a code no other test uses, so the derived id is this test's own
        String webhook = envelope(value(List.of(), List.of(), List.of(), List.of(MetaWebhooks.error(130000 + (int) (Math.random() * 999)))));

        assertThat(meta.post(webhook).statusCode()).isEqualTo(200);
        assertThat(meta.post(webhook).statusCode()).isEqualTo(200);

        JsonNode sentError = JSON.readTree(webhook).at("/entry/0/changes/0/value/errors/0");
        // both answers were 200, so both records are acknowledged and below the current end offsets
        List<TopicReader.Received> records = inbound.readToEnd().stream()
                .filter(r -> update(r).payload().equals(sentError)).toList();
        assertThat(records).hasSize(2).allSatisfy(r -> assertThat(r.key()).isEqualTo(MetaWebhooks.PHONE_NUMBER_ID));
        List<InboundUpdate> errors = records.stream().map(TopicReader::update).toList();
        assertThat(errors.get(0).eventId()).startsWith("error:").isEqualTo(errors.get(1).eventId());
        assertThat(errors.get(0).kind()).isEqualTo(InboundUpdate.KIND_ERROR);
        assertThat(errors.get(0).messageType()).isEqualTo(sentError.get("code").asText());
        assertThat(errors.get(0).userId()).isNull();
    }

    @Test
    void userWithoutAPhoneNumberIsKeyedByTheBusinessScopedId() {
        String userId = "US.1349120865530" + (100000 + (int) (Math.random() * 899999));
        String wamid = wamid();
        String message = """
                {"from_user_id":"%s","id":"%s","timestamp":"1749416383","type":"text","text":{"body":"hello"}}"""
                .formatted(userId, wamid);

        assertThat(meta.post(messageWebhook(MetaWebhooks.contactWithoutPhone(userId), message)).statusCode()).isEqualTo(200);

        TopicReader.Received record = inbound.awaitEvent(wamid);
        assertThat(record.key()).isEqualTo(userId);
        assertThat(update(record).userId()).isEqualTo(userId);
        assertThat(update(record).waId()).isNull();
        assertThat(update(record).contact().at("/profile/username").asText()).isEqualTo("@ana");
    }

    @Test
    void businessScopedIdFromContactsIsPreferredToThePhoneNumber() {
        String from = phone();
        String userId = "BR.9" + from;
        String wamid = wamid();

        meta.post(messageWebhook(MetaWebhooks.contactWithUserId(from, userId), text(from, wamid, "oi")));

        TopicReader.Received record = inbound.awaitEvent(wamid);
        assertThat(record.key()).isEqualTo(userId);
        assertThat(update(record).waId()).isEqualTo(from);
    }

    @Test
    void batchOfAThousandUpdatesNearThreeMegabytesIsAcceptedWhole() {
        String filler = "x".repeat(2_880);
        List<String> contacts = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        List<String> wamids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String from = "1650" + String.format("%07d", i);
            String wamid = wamid();
            wamids.add(wamid);
            contacts.add(contact(from));
            messages.add(text(from, wamid, filler));
        }
        byte[] body = envelope(value(contacts, messages, List.of(), List.of())).getBytes(StandardCharsets.UTF_8);
        assertThat(body.length).isBetween(2_900_000, 3_145_728);

        var response = meta.post(body, HubSignature.of(body, IngestApp.APP_SECRET));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"updates\":1000");
        inbound.readUntil(all -> wamids.stream().allMatch(w -> !inbound.withEventId(w).isEmpty()), "all 1000 updates of the batch");
        assertThat(wamids).allSatisfy(w -> assertThat(inbound.withEventId(w)).hasSize(1));
    }

    @Test
    void redeliveriesOfTheSameWebhookCarryTheSameEventIds() {
        String from = phone();
        String wamid = wamid();
        String webhook = envelope(value(List.of(contact(from)), List.of(text(from, wamid, "same")),
                List.of(MetaWebhooks.status(wamid, "read", from)), List.of()));

        for (int delivery = 0; delivery < 3; delivery++) {
            assertThat(meta.post(webhook).statusCode()).isEqualTo(200);
        }

        // ingest-api writes each delivery; consumers deduplicate by event id
        assertThat(inbound.awaitEvent(wamid, 3)).hasSize(3).allSatisfy(r -> assertThat(r.key()).isEqualTo(from));
        assertThat(inbound.awaitEvent(wamid + ":read", 3)).hasSize(3);
    }

    // --- what cannot be routed ---

    @Test
    void malformedJsonIsAnswered400AndKeptOnTheDeadLetterTopic() {
        String marker = wamid();
        byte[] body = ("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"" + marker + "\"").getBytes(StandardCharsets.UTF_8);

        var response = meta.post(body, HubSignature.of(body, IngestApp.APP_SECRET));

        assertThat(response.statusCode()).isEqualTo(400);
        TopicReader.Received kept = awaitDeadLetter(marker);
        assertThat(kept.bytes()).isEqualTo(body);
        assertThat(kept.header("reason")).isEqualTo("malformed_json");
        assertThat(kept.header("detail")).startsWith("invalid JSON at line 1");
        assertThat(kept.header("received_at")).isNotBlank();
    }

    @Test
    void unknownEnvelopeIsAnswered400AndKeptOnTheDeadLetterTopic() {
        String marker = wamid();
        String json = """
                {"object":"whatsapp_business_account","entry":[{"id":"%s","changes":{"field":"messages"}}]}""".formatted(marker);

        var response = meta.post(json);

        assertThat(response.statusCode()).isEqualTo(400);
        TopicReader.Received kept = awaitDeadLetter(marker);
        assertThat(kept.value()).isEqualTo(json);
        assertThat(kept.header("reason")).isEqualTo("unknown_shape");
        assertThat(kept.header("detail")).isEqualTo("entry[0].changes is not an array");
    }

    @Test
    void changesOfOtherFieldsAreAcknowledgedWithoutWritingAnything() {
        String marker = wamid();
        String json = """
                {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"message_template_status_update",
                "value":{"event":"APPROVED","message_template_id":"%s"}}]}]}""".formatted(marker);

        var response = meta.post(json);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"updates\":0");
        assertThat(inbound.readToEnd()).noneMatch(r -> update(r).payload().toString().contains(marker));
    }

    @Test
    void bodyOverTheLimitIsAnswered413() {
        byte[] body = new byte[4 * 1024 * 1024];
        Arrays.fill(body, (byte) ' ');

        var response = meta.post(body, HubSignature.of(body, IngestApp.APP_SECRET));

        assertThat(response.statusCode()).isEqualTo(413);
    }

    // --- operations ---

    @Test
    void logsNeverShowMessageTextsOrWholePhoneNumbers() {
        Logger ingestLogger = (Logger) LoggerFactory.getLogger("io.flowgate.ingest");
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Level before = ingestLogger.getLevel();
        ingestLogger.addAppender(captured);
        ingestLogger.setLevel(Level.DEBUG);
        String from = phone();
        String secretText = "my budget is 7000 and my card ends 4242";
        try {
            String webhook = messageWebhook(contact(from), text(from, wamid(), secretText));
            assertThat(meta.post(webhook).statusCode()).isEqualTo(200);
            byte[] broken = (webhook + "}").getBytes(StandardCharsets.UTF_8);
            assertThat(meta.post(broken, HubSignature.of(broken, IngestApp.APP_SECRET)).statusCode()).isEqualTo(400);
        } finally {
            ingestLogger.detachAppender(captured);
            ingestLogger.setLevel(before);
        }

        List<String> lines = captured.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).anyMatch(l -> l.startsWith("POST /webhook accepted") && l.contains("***" + from.substring(from.length() - 4)));
        assertThat(lines).anyMatch(l -> l.contains("dead-letter"));
        assertThat(lines).noneMatch(l -> l.contains(from) || l.contains("7000") || l.contains(IngestApp.APP_SECRET));
    }

    @Test
    void theInboundTopicsAreCreatedAsTheEventsModuleDefinesThem() {
        for (String name : List.of(Topics.INBOUND, Topics.INBOUND_DEAD_LETTER)) {
            TopicDefinition defined = Topics.definition(name).orElseThrow();
            assertThat(kafka.describeTopic(name)).as(name)
                    .containsAllEntriesOf(defined.configsOn(1))
                    .containsEntry("partitions", Integer.toString(defined.partitions()));
        }
    }

    @Test
    void healthAndPrometheusShowTheWebhookFigures() {
        meta.post("{}".getBytes(StandardCharsets.UTF_8), "sha256=" + "0".repeat(64));
        String from = phone();
        meta.post(messageWebhook(contact(from), text(from, wamid(), "hi")));

        assertThat(meta.get("/actuator/health").body()).contains("\"status\":\"UP\"");
        HttpResponse<String> prometheus = meta.get("/actuator/prometheus");
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(metric(prometheus.body(), "flowgate_ingest_webhooks_total{application=\"ingest-api\",outcome=\"bad_signature\"}")).isPositive();
        assertThat(metric(prometheus.body(), "flowgate_ingest_webhooks_total{application=\"ingest-api\",outcome=\"accepted\"}")).isPositive();
        assertThat(metric(prometheus.body(), "flowgate_ingest_updates_total{application=\"ingest-api\",kind=\"message\"}")).isPositive();
        assertThat(metric(prometheus.body(), "flowgate_ingest_kafka_ack_seconds_count{application=\"ingest-api\"}")).isPositive();
        assertThat(prometheus.body()).contains("flowgate_ingest_dead_letters_total").contains("flowgate_ingest_in_flight");
    }

    /** The value of one series in a Prometheus text exposition. */
    static double metric(String exposition, String series) {
        return exposition.lines()
                .filter(l -> l.startsWith(series + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no series " + series));
    }

    private static TopicReader.Received awaitDeadLetter(String marker) {
        return deadLetters.readUntil(all -> all.stream().anyMatch(r -> contains(r, marker)), "dead letter " + marker)
                .stream().filter(r -> contains(r, marker)).findFirst().orElseThrow();
    }

    private static boolean contains(TopicReader.Received record, String marker) {
        return record.value().contains(marker);
    }
}
