package io.flowgate.ingest;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.EventSchemas;
import io.flowgate.events.Topics;
import io.flowgate.testkit.HubSignature;
import io.flowgate.testkit.TopicReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static io.flowgate.testkit.MetaWebhooks.contact;
import static io.flowgate.testkit.MetaWebhooks.messageWebhook;
import static io.flowgate.testkit.MetaWebhooks.phone;
import static io.flowgate.testkit.MetaWebhooks.text;
import static io.flowgate.testkit.MetaWebhooks.wamid;
import static io.flowgate.testkit.TopicReader.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kafka goes away: no webhook may be answered 200 while its updates are not durably written, and
 * Meta's retry must succeed once Kafka is back. Its own broker, since this test stops it.
 */
class KafkaOutageTest {

    private static EmbeddedKafkaBroker kafka;
    private static IngestApp app;
    private static WebhookClient meta;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafkaBroker.start(4);
        app = IngestApp.start(kafka.bootstrapServers(), Map.of("flowgate.ingest.ack-timeout", "2s"));
        meta = new WebhookClient(app);
    }

    @AfterAll
    static void stop() throws Exception {
        IngestApp.closeAll(app, kafka);
    }

    @Test
    void webhooksAreAnswered503WhileKafkaIsDownAndTheRetryIsAcceptedOnceItIsBack() {
        String from = phone();
        assertThat(meta.post(messageWebhook(contact(from), text(from, wamid(), "before"))).statusCode()).isEqualTo(200);
        String wamid = wamid();
        String webhook = messageWebhook(contact(from), text(from, wamid, "during the outage"));

        kafka.stop();
        var duringOutage = meta.post(webhook);
        byte[] broken = "{\"object\":".getBytes(StandardCharsets.UTF_8);
        var brokenDuringOutage = meta.post(broken, HubSignature.of(broken, IngestApp.APP_SECRET));
        kafka.start();

        assertThat(duringOutage.statusCode()).isEqualTo(503);
        assertThat(duringOutage.headers().firstValue("Retry-After")).isPresent();
        // a body that cannot even be kept on the dead-letter topic is not answered 400 either
        assertThat(brokenDuringOutage.statusCode()).isEqualTo(503);

        // Meta retries with backoff; the producer reconnects on its own
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> meta.post(webhook).statusCode() == 200);
        try (TopicReader inbound = TopicReader.fromBeginning(kafka.bootstrapServers(), Topics.INBOUND, EventSchemas::assertValid)) {
            assertThat(update(inbound.awaitEvent(wamid)).payload().at("/text/body").asText()).isEqualTo("during the outage");
        }
    }
}
