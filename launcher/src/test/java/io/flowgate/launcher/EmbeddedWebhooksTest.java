package io.flowgate.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.flowgate.routing.webhooks.WebhookSigner;
import io.flowgate.simulator.Simulator;
import io.flowgate.simulator.SimulatorConfig;
import io.flowgate.simulator.report.LoadReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The embedded run with a webhook subscription: the simulator's chat users talk to the bot through
 * ingest-api and Kafka, and a receiver on localhost gets every lead's changes as signed webhooks, in order
 * per lead, ending in the state PostgreSQL holds for the lead; the generated webhook key is in
 * {@code secrets.properties}.
 */
class EmbeddedWebhooksTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    record Delivery(String id, String timestamp, String signature, byte[] body, JsonNode json) {
    }

    @Test
    void theSimulatorsChatUsersDriveASubscriptionEndToEnd() throws Exception {
        List<Delivery> received = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        receiver.createContext("/crm", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                var h = exchange.getRequestHeaders();
                received.add(new Delivery(h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"), h.getFirst("webhook-signature"),
                        body, JSON.readTree(body)));
                exchange.sendResponseHeaders(204, -1);
            }
        });
        receiver.start();
        Map<String, String> env = TestStack.environment(home, "15s");
        env.put("FLOWGATE_WHATSAPP_PER_USER_INTERVAL", "100ms");
        try (EmbeddedFlowgate flowgate = EmbeddedFlowgate.start(env::get)) {
            assertThat(Files.readString(home.resolve("secrets.properties"))).contains("webhook_secret_key=");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(flowgate.routingApi().resolve("/api/webhooks"))
                    .header("Authorization", "Bearer " + flowgate.adminToken()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"name":"crm","url":"http://localhost:%d/crm",
                             "event_types":["lead.updated","lead.qualified","lead.handover","lead.cold"]}"""
                            .formatted(receiver.getAddress().getPort()))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String secret = JSON.readTree(created.body()).path("secret").asText();

            LoadReport report = Simulator.start(SimulatorConfig.load()
                    .routingApi(flowgate.routingApi()).ingestApi(flowgate.ingestApi())
                    .publicKey(flowgate.publicKey()).appSecret(flowgate.appSecret()).adminToken(flowgate.adminToken())
                    .graphApi(flowgate.graphApi()).chatShare(1.0)
                    .rate(4).duration(Duration.ofSeconds(8)).users(100).seed(11)
                    .build()).await();
            assertThat(report.errors()).as(report.table()).isZero();
            assertThat(report.chats().acknowledged()).isPositive();

            // every lead's last delivery is the lead as PostgreSQL holds it
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                Map<String, String> leads = leads(flowgate.dbUrl());
                assertThat(leads).isNotEmpty();
                Map<String, String> last = new HashMap<>();
                for (Delivery d : received) {
                    JsonNode lead = d.json().path("lead");
                    last.put(lead.path("wa_id").asText(), lead.path("state").asText() + "/" + lead.path("status").asText()
                            + "/" + lead.path("score").asInt());
                }
                assertThat(last).isEqualTo(leads);
            });
            Map<String, List<Delivery>> byLead = new LinkedHashMap<>();
            for (Delivery d : received) {
                assertThat(d.signature()).isEqualTo(WebhookSigner.sign(secret, d.id(), Long.parseLong(d.timestamp()), d.body()));
                assertThat(d.json().path("schema_version").asInt()).isEqualTo(1);
                // the example machine asks for a name (free text): it does not leave without include_free_text
                assertThat(d.json().path("lead").path("answers").has("name")).isFalse();
                byLead.computeIfAbsent(d.json().path("lead").path("wa_id").asText(), k -> new ArrayList<>()).add(d);
            }
            byLead.forEach((lead, deliveries) -> assertThat(deliveries.stream().map(d -> d.json().path("occurred_at").asText())
                    .map(java.time.Instant::parse).toList()).as("deliveries of %s", lead).isSorted());
            assertThat(received.stream().map(d -> d.json().path("type").asText()).distinct())
                    .as("types seen").contains("lead.updated");
        } finally {
            receiver.stop(0);
        }
    }

    /** state/status/score of every lead that has a state. */
    private static Map<String, String> leads(String dbUrl) throws Exception {
        Map<String, String> out = new HashMap<>();
        try (var c = DriverManager.getConnection(dbUrl, "postgres", "");
             var rs = c.createStatement().executeQuery(
                     "SELECT wa_id, current_state, status, qualification_score FROM lead_qualifications WHERE current_state <> ''")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2) + "/" + rs.getString(3) + "/" + rs.getInt(4));
            }
        }
        return out;
    }
}
