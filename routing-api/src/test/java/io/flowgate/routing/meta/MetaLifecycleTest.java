package io.flowgate.routing.meta;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.support.RoutingApiInstance.AdminAnswer;
import io.flowgate.testkit.FlowsAtMeta;
import io.flowgate.testkit.GraphApiStandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Flow lifecycle with Meta driven end to end over HTTP, routing-api against the Graph API stand-in
 * ({@link FlowsAtMeta}): create → upload with Meta's validation errors → fix → upload (through rate limits) →
 * publish refused by Meta (no endpoint) → set endpoint → publish → metrics read on the schedule and stored →
 * deprecate; Meta's errors reach the operator with Meta's code and message, and the token is never logged.
 */
@ExtendWith(OutputCaptureExtension.class)
class MetaLifecycleTest {

    private static final String FLOW = "meta_linear";
    private static GraphApiStandIn graph;
    private static RoutingApiInstance app;

    @BeforeAll
    static void start() {
        graph = GraphApiStandIn.start();
        RoutingApiInstance.Builder builder = RoutingApiInstance.builder()
                .property("flowgate.meta.waba-id", FlowsAtMeta.WABA_ID)
                .property("flowgate.meta.metrics-interval", "2s")
                .property("flowgate.whatsapp.retry-backoff", "50ms")
                .property("flowgate.whatsapp.max-attempts", "3")
                .property("logging.level.io.flowgate.routing.whatsapp", "DEBUG");
        graph.senderProperties().forEach(builder::property);
        app = builder.start();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (graph != null) {
            graph.close();
        }
    }

    @Test
    void aFlowGoesThroughItsLifeAtMeta(CapturedOutput output) throws Exception {
        String linear = resource("/flows/linear.json");
        // Flowgate takes a Flow JSON version Meta does not publish: only Meta finds that
        assertThat(app.admin("PUT", "/api/flows/" + FLOW, linear.replace("\"7.3\"", "\"2.1\"")).status()).isEqualTo(201);

        AdminAnswer invalid = app.admin("POST", "/api/meta/flows/" + FLOW, "{\"categories\":[\"LEAD_GENERATION\",\"NOPE\"]}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().path("details").toString()).contains("NOPE");

        AdminAnswer created = app.admin("POST", "/api/meta/flows/" + FLOW, "{\"name\":\"Linear\",\"categories\":[\"LEAD_GENERATION\"]}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        String metaId = created.json().path("meta_flow_id").asText();
        assertThat(graph.meta().flow(metaId).name).isEqualTo("Linear");
        assertThat(created.json().path("meta_status").asText()).isEqualTo("DRAFT");

        // Meta refuses a second Flow of the same name: its code and user message reach the operator
        assertThat(app.admin("PUT", "/api/flows/meta_twin", linear).status()).isEqualTo(201);
        AdminAnswer twin = app.admin("POST", "/api/meta/flows/meta_twin", "{\"name\":\"Linear\",\"categories\":[\"OTHER\"]}");
        assertThat(twin.status()).isEqualTo(400);
        assertThat(twin.json().path("error").asText()).isEqualTo("meta_refused");
        assertThat(twin.json().path("meta").path("code").asInt()).isEqualTo(100);
        assertThat(twin.json().path("meta").path("error_user_msg").asText()).contains("not unique");

        AdminAnswer withErrors = app.admin("POST", "/api/meta/flows/" + FLOW + "/upload", null);
        assertThat(withErrors.status()).as(withErrors.raw()).isEqualTo(422);
        assertThat(withErrors.json().path("validation_errors").path(0).path("error").asText()).isEqualTo("INVALID_PROPERTY_VALUE");
        assertThat(withErrors.json().path("validation_errors").path(0).path("message").asText()).contains("version");
        assertThat(withErrors.json().path("uploaded_revision").asInt()).isEqualTo(1);
        AdminAnswer refusedPublish = app.admin("POST", "/api/meta/flows/" + FLOW + "/publish", null);
        assertThat(refusedPublish.status()).isEqualTo(409);
        assertThat(refusedPublish.json().path("error").asText()).isEqualTo("invalid_at_meta");

        // fixed in Flowgate: Meta has an older revision, so publishing waits for the upload
        assertThat(app.admin("PUT", "/api/flows/" + FLOW, linear).status()).isEqualTo(200);
        assertThat(app.admin("POST", "/api/meta/flows/" + FLOW + "/publish", null).json().path("error").asText()).isEqualTo("stale");

        // two rate-limit answers (WABA limit 80007) are retried by the policy; the third call goes through
        graph.meta().rateLimitNext(2, 80007, "/assets");
        AdminAnswer uploaded = app.admin("POST", "/api/meta/flows/" + FLOW + "/upload", null);
        assertThat(uploaded.status()).as(uploaded.raw()).isEqualTo(200);
        assertThat(uploaded.json().path("validation_errors").size()).isZero();
        assertThat(uploaded.json().path("uploaded_revision").asInt()).isEqualTo(2);
        assertThat(graph.meta().calls().stream().filter(c -> c.equals("POST /v23.0/" + metaId + "/assets")).count()).isEqualTo(4);
        assertThat(graph.meta().flow(metaId).flowJson.path("version").asText()).isEqualTo("7.3");

        // an endpoint Flow without endpoint_uri: Meta refuses to publish and says why
        AdminAnswer noEndpoint = app.admin("POST", "/api/meta/flows/" + FLOW + "/publish", null);
        assertThat(noEndpoint.status()).isEqualTo(400);
        assertThat(noEndpoint.json().path("meta").path("code").asInt()).isEqualTo(139001);
        assertThat(noEndpoint.json().path("meta").path("error_user_title").asText()).isEqualTo("Endpoint URI is missing");

        assertThat(app.admin("PUT", "/api/meta/flows/" + FLOW + "/endpoint-uri", "{\"endpoint_uri\":\"http://plain\"}").status())
                .isEqualTo(400);
        AdminAnswer endpoint = app.admin("PUT", "/api/meta/flows/" + FLOW + "/endpoint-uri",
                "{\"endpoint_uri\":\"https://flows.example.com/flows/endpoint\"}");
        assertThat(endpoint.status()).as(endpoint.raw()).isEqualTo(200);
        assertThat(graph.meta().flow(metaId).endpointUri).isEqualTo("https://flows.example.com/flows/endpoint");

        AdminAnswer published = app.admin("POST", "/api/meta/flows/" + FLOW + "/publish", null);
        assertThat(published.status()).as(published.raw()).isEqualTo(200);
        assertThat(published.json().path("meta_status").asText()).isEqualTo("PUBLISHED");
        assertThat(graph.meta().flow(metaId).status).isEqualTo("PUBLISHED");
        assertThat(app.admin("GET", "/api/meta/flows/" + FLOW + "?refresh=true", null).json().path("meta_status").asText())
                .isEqualTo("PUBLISHED");

        // Meta's metrics, read by the schedule and stored one row per data point
        String day = LocalDate.now(ZoneOffset.UTC).toString();
        graph.meta().metric(metaId, "ENDPOINT_REQUEST_COUNT", points(day, "[{\"key\":\"value\",\"value\":315}]"));
        graph.meta().metric(metaId, "ENDPOINT_REQUEST_ERROR_RATE", points(day, "[{\"key\":\"value\",\"value\":0.04}]"));
        graph.meta().metric(metaId, "ENDPOINT_AVAILABILITY", points(day, "[{\"key\":\"value\",\"value\":0.99}]"));
        graph.meta().metric(metaId, "ENDPOINT_REQUEST_LATENCY_SECONDS_CEIL",
                points(day, "[{\"key\":\"1\",\"value\":250},{\"key\":\"2\",\"value\":40},{\"key\":\"5\",\"value\":25}]"));
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(health(metaId)).hasSize(4));
        List<String> rows = health(metaId);
        assertThat(rows).contains(
                "ENDPOINT_AVAILABILITY DAY " + day + " value=0.99 requests=null error_rate=null availability=99.0 p90=null",
                "ENDPOINT_REQUEST_COUNT DAY " + day + " value=315.0 requests=315 error_rate=null availability=null p90=null",
                "ENDPOINT_REQUEST_ERROR_RATE DAY " + day + " value=0.04 requests=null error_rate=4.0 availability=null p90=null",
                "ENDPOINT_REQUEST_LATENCY_SECONDS_CEIL DAY " + day + " value=2.0 requests=315 error_rate=null availability=null p90=2000.0");
        long countRow = rowId(metaId, "ENDPOINT_REQUEST_COUNT");
        // the day's point grows as Meta's late figures arrive: updated in place, not added
        graph.meta().metric(metaId, "ENDPOINT_REQUEST_COUNT", points(day, "[{\"key\":\"value\",\"value\":400}]"));
        AdminAnswer read = app.admin("POST", "/api/meta/flows/" + FLOW + "/metrics/read", null);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("points").asInt()).isEqualTo(4);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(health(metaId))
                .contains("ENDPOINT_REQUEST_COUNT DAY " + day + " value=400.0 requests=400 error_rate=null availability=null p90=null")
                .hasSize(4));
        assertThat(rowId(metaId, "ENDPOINT_REQUEST_COUNT")).isEqualTo(countRow);

        AdminAnswer deprecated = app.admin("POST", "/api/meta/flows/" + FLOW + "/deprecate", null);
        assertThat(deprecated.status()).as(deprecated.raw()).isEqualTo(200);
        assertThat(deprecated.json().path("meta_status").asText()).isEqualTo("DEPRECATED");
        assertThat(graph.meta().flow(metaId).status).isEqualTo("DEPRECATED");

        JsonNode listed = app.admin("GET", "/api/meta/flows", null).json();
        assertThat(listed.path("flows").toString()).contains(metaId);
        assertThat(output.getAll()).doesNotContain(GraphApiStandIn.ACCESS_TOKEN);
    }

    @Test
    void aRateLimitOutlastingTheRetriesReachesTheOperatorAs429WithMetasCode() {
        assertThat(app.admin("PUT", "/api/flows/meta_limited", resourceUnchecked()).status()).isEqualTo(201);
        String metaId = app.admin("POST", "/api/meta/flows/meta_limited", "{\"categories\":[\"OTHER\"]}").json().path("meta_flow_id").asText();
        graph.meta().rateLimitNext(3, 4, "/assets");
        AdminAnswer limited = app.admin("POST", "/api/meta/flows/meta_limited/upload", null);
        assertThat(limited.status()).as(limited.raw()).isEqualTo(429);
        assertThat(limited.json().path("meta").path("code").asInt()).isEqualTo(4);
        assertThat(limited.json().path("meta").path("message").asText()).contains("Application request limit reached");
        assertThat(limited.json().path("attempts").asInt()).isEqualTo(3);
        assertThat(app.admin("GET", "/api/meta/flows/meta_limited", null).json().path("uploaded_revision").isNull()).isTrue();
        assertThat(graph.meta().flow(metaId).flowJson).isNull();
    }

    private static String points(String day, String data) {
        return "[{\"timestamp\":\"" + day + "T00:00:00+0000\",\"data\":" + data + "}]";
    }

    private static List<String> health(String metaId) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(app.dbUrl(), "postgres", "");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT kind, granularity, (observed_at AT TIME ZONE 'UTC')::date AS day, metric_value, "
                     + "requests, error_rate, availability, p90_ms, source, flow_id, dedup_key, payload::text FROM meta_flow_health "
                     + "WHERE meta_flow_id = '" + metaId + "' ORDER BY kind")) {
            while (rs.next()) {
                assertThat(rs.getString("source")).isEqualTo("metrics_api");
                assertThat(rs.getString("flow_id")).isEqualTo(FLOW);
                assertThat(rs.getString("dedup_key")).startsWith(metaId + ":" + rs.getString("kind") + ":DAY:");
                assertThat(rs.getString("payload")).contains("timestamp");
                rows.add(rs.getString("kind") + " " + rs.getString("granularity") + " " + rs.getString("day")
                        + " value=" + rs.getObject("metric_value") + " requests=" + rs.getObject("requests")
                        + " error_rate=" + round(rs.getObject("error_rate")) + " availability=" + round(rs.getObject("availability"))
                        + " p90=" + rs.getObject("p90_ms"));
            }
        }
        return rows;
    }

    private static Object round(Object percent) {
        return percent == null ? null : Math.round((Double) percent * 100) / 100.0;
    }

    private static long rowId(String metaId, String kind) throws SQLException {
        try (Connection c = DriverManager.getConnection(app.dbUrl(), "postgres", "");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM meta_flow_health WHERE meta_flow_id = '" + metaId + "' AND kind = '" + kind + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String resourceUnchecked() {
        try {
            return resource("/flows/linear.json");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = MetaLifecycleTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
