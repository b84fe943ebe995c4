package io.flowgate.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.testkit.HubSignature;
import io.flowgate.testkit.MetaFlowsWebhooks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Meta's health signals end to end, on the embedded run: the bodies of Meta's documentation
 * ({@link MetaFlowsWebhooks}, source cited there), signed with the app secret, posted to ingest-api's
 * {@code /webhook}, through Kafka {@code flowgate.meta-health} to routing-api, into {@code meta_flow_health}
 * and {@code meta_flows.meta_status}, and out of the dashboard's JSON. A redelivery is stored once, an
 * unknown event and unknown fields are kept, a bad signature is refused as for messages.
 */
class MetaHealthEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FLOW = "device_repair";
    private static final String META_FLOW = "691244242662581";
    private static final long REPORTED = 1_795_000_000L;

    @TempDir
    Path home;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void metasDocumentedWebhooksReachTheHistoryAndTheDashboard() throws Exception {
        try (EmbeddedFlowgate flowgate = EmbeddedFlowgate.start(TestStack.environment(home, "15s")::get)) {
            sql(flowgate, "INSERT INTO meta_flows (flow_id, meta_flow_id, meta_status) VALUES ('" + FLOW + "', '"
                    + META_FLOW + "', 'PUBLISHED')");
            String latency = MetaFlowsWebhooks.withFlow(MetaFlowsWebhooks.ENDPOINT_LATENCY, META_FLOW, REPORTED);
            String errors = MetaFlowsWebhooks.withFlow(MetaFlowsWebhooks.ENDPOINT_ERROR_RATE, META_FLOW, REPORTED);
            String availability = MetaFlowsWebhooks.withFlow(MetaFlowsWebhooks.ENDPOINT_AVAILABILITY, META_FLOW, REPORTED);
            String client = MetaFlowsWebhooks.withFlow(MetaFlowsWebhooks.CLIENT_ERROR_RATE, META_FLOW, REPORTED);
            String throttled = MetaFlowsWebhooks.with(MetaFlowsWebhooks.with(MetaFlowsWebhooks.withFlow(
                    MetaFlowsWebhooks.STATUS_CHANGE, META_FLOW, REPORTED + 60), "old_status", "\"DRAFT\"", "\"PUBLISHED\""),
                    "new_status", "\"PUBLISHED\"", "\"THROTTLED\"");
            String unknown = MetaFlowsWebhooks.with(MetaFlowsWebhooks.withFlow(MetaFlowsWebhooks.ENDPOINT_LATENCY, META_FLOW,
                    REPORTED + 120), "event", "\"ENDPOINT_LATENCY\"", "\"ENDPOINT_TLS_HANDSHAKE\", \"tls_p90\": 950");

            for (String body : List.of(latency, errors, availability, client, throttled, unknown, latency)) {
                assertThat(post(flowgate, body, flowgate.appSecret()).statusCode()).as(body).isEqualTo(200);
            }
            String refused = MetaFlowsWebhooks.with(availability, "availability", "75", "12");
            assertThat(post(flowgate, refused, "not-the-app-secret").statusCode()).isEqualTo(401);

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> rows(flowgate).size() >= 6 && "THROTTLED".equals(metaStatus(flowgate)));
            List<Map<String, Object>> rows = rows(flowgate);
            assertThat(rows).extracting(r -> r.get("kind")).containsExactly("CLIENT_ERROR_RATE", "ENDPOINT_AVAILABILITY",
                    "ENDPOINT_ERROR_RATE", "ENDPOINT_LATENCY", "FLOW_STATUS_CHANGE", "ENDPOINT_TLS_HANDSHAKE");
            assertThat(rows).allSatisfy(r -> assertThat(r).containsEntry("flow_id", FLOW).containsEntry("source", "webhook"));
            Map<String, Object> latencyRow = rows.get(3);
            assertThat(latencyRow).containsEntry("p50_ms", 500.0).containsEntry("p90_ms", 8000.0)
                    .containsEntry("requests", 34L).containsEntry("threshold", 7000.0).containsEntry("alert_state", "ACTIVATED");
            assertThat(JSON.readTree((String) latencyRow.get("payload_text")))
                    .isEqualTo(JSON.readTree(latency).at("/entry/0/changes/0/value"));
            assertThat(rows.get(1)).containsEntry("availability", 75.0).containsEntry("threshold", 90.0);
            assertThat(JSON.readTree((String) rows.get(5).get("payload_text")).path("tls_p90").asInt()).isEqualTo(950);

            JsonNode health = getJson(flowgate.dashboard().resolve("/api/meta-health?flow=" + FLOW));
            assertThat(health.get("flow").asText()).isEqualTo(META_FLOW);
            assertThat(health.get("status").asText()).isEqualTo("THROTTLED");
            List<String> kinds = new ArrayList<>();
            List<Double> latencyP90s = new ArrayList<>();
            health.get("points").forEach(p -> {
                kinds.add(p.get("kind").asText());
                if (p.get("kind").asText().equals("ENDPOINT_LATENCY")) {
                    latencyP90s.add(p.get("meta_p90_ms").asDouble());
                }
            });
            assertThat(kinds).hasSize(6).contains("ENDPOINT_TLS_HANDSHAKE");
            assertThat(latencyP90s).as("delivered twice, shown once").containsExactly(8000.0);
            JsonNode status = getJson(flowgate.dashboard().resolve("/api/meta-status"));
            assertThat(status.get("degraded").get(0).get("flow_id").asText()).isEqualTo(FLOW);
        }
    }

    private HttpResponse<String> post(EmbeddedFlowgate flowgate, String body, String secret) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return http.send(HttpRequest.newBuilder(flowgate.ingestApi().resolve("/webhook")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Hub-Signature-256", HubSignature.of(bytes, secret))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(URI uri) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<Map<String, Object>> rows(EmbeddedFlowgate flowgate) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (var c = DriverManager.getConnection(flowgate.dbUrl(), "postgres", "");
             var rs = c.createStatement().executeQuery("SELECT *, payload::text AS payload_text FROM meta_flow_health "
                     + "WHERE meta_flow_id = '" + META_FLOW + "' ORDER BY observed_at, kind")) {
            while (rs.next()) {
                Map<String, Object> row = new java.util.HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static String metaStatus(EmbeddedFlowgate flowgate) throws Exception {
        try (var c = DriverManager.getConnection(flowgate.dbUrl(), "postgres", "");
             var rs = c.createStatement().executeQuery("SELECT meta_status FROM meta_flows WHERE meta_flow_id = '" + META_FLOW + "'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void sql(EmbeddedFlowgate flowgate, String statement) throws Exception {
        try (var c = DriverManager.getConnection(flowgate.dbUrl(), "postgres", "")) {
            c.createStatement().execute(statement);
        }
    }
}
