package io.flowgate.ingest;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.EventSchemas;
import io.flowgate.events.Topics;
import io.flowgate.testkit.HubSignature;
import io.flowgate.testkit.TopicReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static io.flowgate.testkit.MetaWebhooks.contact;
import static io.flowgate.testkit.MetaWebhooks.messageWebhook;
import static io.flowgate.testkit.MetaWebhooks.phone;
import static io.flowgate.testkit.MetaWebhooks.text;
import static io.flowgate.testkit.MetaWebhooks.wamid;
import static io.flowgate.testkit.TopicReader.update;
import static io.flowgate.ingest.WebhookIngestTest.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The bounds that protect ingest-api and Meta's retries: in-flight work, and a missing app secret. */
class WebhookProtectionTest {

    private static EmbeddedKafkaBroker kafka;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafkaBroker.start(4);
    }

    @AfterAll
    static void stop() throws Exception {
        IngestApp.closeAll(kafka);
    }

    @Test
    void webhookBeyondTheInFlightBoundIsAnswered503AtOnceWhileTheOneInFlightCompletes() throws Exception {
        try (IngestApp app = IngestApp.start(kafka.bootstrapServers(), Map.of("flowgate.ingest.max-in-flight", 1));
             Socket slowClient = new Socket("localhost", app.port())) {
            WebhookClient meta = new WebhookClient(app);
            String from = phone();
            String wamid = wamid();
            byte[] body = messageWebhook(contact(from), text(from, wamid, "slow")).getBytes(StandardCharsets.UTF_8);

            // the first POST takes the only place and holds it while its body trickles in
            OutputStream out = slowClient.getOutputStream();
            out.write(("POST /webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "X-Hub-Signature-256: " + HubSignature.of(body, IngestApp.APP_SECRET) + "\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2);
            out.flush();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> metric(meta.get("/actuator/prometheus").body(), "flowgate_ingest_in_flight{application=\"ingest-api\"}") == 1.0);

            var refused = meta.post(messageWebhook(contact(from), text(from, wamid(), "one too many")));

            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("overloaded");
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();

            out.write(body, body.length / 2, body.length - body.length / 2);
            out.flush();
            var in = new BufferedReader(new InputStreamReader(slowClient.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("HTTP/1.1 200");
            try (TopicReader inbound = TopicReader.fromBeginning(kafka.bootstrapServers(), Topics.INBOUND, EventSchemas::assertValid)) {
                assertThat(update(inbound.awaitEvent(wamid)).userId()).isEqualTo(from);
            }
            assertThat(meta.post(messageWebhook(contact(from), text(from, wamid(), "room again"))).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withoutAnAppSecretEveryWebhookIsRefusedSoThatMetaRetriesLater() {
        try (IngestApp app = IngestApp.start(kafka.bootstrapServers(),
                Map.of("flowgate.ingest.app-secret", "", "flowgate.ingest.previous-app-secret", ""))) {
            WebhookClient meta = new WebhookClient(app);
            String from = phone();
            String webhook = messageWebhook(contact(from), text(from, wamid(), "hi"));

            var signed = meta.post(webhook);
            var unsigned = meta.post(webhook.getBytes(StandardCharsets.UTF_8), null);

            assertThat(signed.statusCode()).isEqualTo(503);
            assertThat(signed.body()).contains("no_app_secret");
            assertThat(signed.headers().firstValue("Retry-After")).isPresent();
            assertThat(unsigned.statusCode()).isEqualTo(503);
        }
    }
}
