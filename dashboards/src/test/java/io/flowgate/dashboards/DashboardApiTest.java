package io.flowgate.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static io.flowgate.dashboards.AnalyticsFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The dashboard's JSON over real analytics tables in a real PostgreSQL, through its real HTTP server. */
class DashboardApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Dashboard full;
    private static Dashboard empty;

    @BeforeAll
    static void start() throws Exception {
        DataSource data = migratedDatabase("dashboard_api");
        insertAll(data);
        full = Dashboard.start(0, data);
        empty = Dashboard.start(0, migratedDatabase("dashboard_api_empty"));
    }

    @AfterAll
    static void stop() {
        if (full != null) {
            full.close();
        }
        if (empty != null) {
            empty.close();
        }
    }

    @Test
    void funnelDefaultsToTheBusiestFlowAndItsNewestCohortWithScreensInFunnelOrder() throws Exception {
        JsonNode funnel = getJson(full, "/api/funnel");

        assertThat(texts(funnel.get("flows"), "flow_id")).containsExactly(FLOW, CHAT, HOSTILE_FLOW);
        assertThat(funnel.get("flows").get(1).get("source").asText()).isEqualTo("chat");
        assertThat(funnel.get("flow").asText()).isEqualTo(FLOW);
        assertThat(funnel.get("cohorts")).extracting(JsonNode::asText)
                .containsExactly("2026-11-02T11:00:00Z", "2026-11-02T10:00:00Z");
        assertThat(funnel.get("cohort").asText()).isEqualTo("2026-11-02T11:00:00Z");
        JsonNode screens = funnel.get("screens");
        assertThat(texts(screens, "screen")).containsExactly("WELCOME", "CONFIRM", "STANDARD_SCHEDULE", "EXPRESS_SCHEDULE", "NOTIFY_ME");
        JsonNode welcome = screens.get(0);
        assertThat(welcome.get("reached").asLong()).isEqualTo(120);
        assertThat(welcome.get("dropped").asLong()).isEqualTo(18);
        assertThat(welcome.get("completed").asLong()).isEqualTo(70);
        assertThat(welcome.get("drop_rate").asDouble()).isCloseTo(0.15, within(1e-9));
        assertThat(funnel.get("updated_at").asText()).isEqualTo("2026-11-02T11:52:00Z");
    }

    @Test
    void funnelOfAChosenFlowAndCohortShowsThatCohortOnly() throws Exception {
        JsonNode older = getJson(full, "/api/funnel?flow=" + FLOW + "&cohort=2026-11-02T10:00:00Z");
        assertThat(older.get("cohort").asText()).isEqualTo("2026-11-02T10:00:00Z");
        assertThat(older.get("screens").get(0).get("reached").asLong()).isEqualTo(60);

        JsonNode hostile = getJson(full, "/api/funnel?flow=" + encode(HOSTILE_FLOW));
        assertThat(hostile.get("flow").asText()).isEqualTo(HOSTILE_FLOW);
        assertThat(texts(hostile.get("screens"), "screen")).containsExactly(HOSTILE_SCREEN);
    }

    @Test
    void latencyDefaultsToTheBusiestSeriesOverTheHourEndingAtTheNewestMinute() throws Exception {
        JsonNode latency = getJson(full, "/api/latency");

        assertThat(latency.get("screen").asText()).isEqualTo(BUSY_SCREEN);
        assertThat(latency.get("action").asText()).isEqualTo(BUSY_ACTION);
        assertThat(latency.get("to").asText()).isEqualTo("2026-11-02T11:59:00Z");
        assertThat(latency.get("series")).hasSize(4);
        assertThat(latency.get("series").get(0).get("requests").asLong()).isEqualTo(40L * LATENCY_MINUTES);
        JsonNode points = latency.get("points");
        assertThat(points).hasSize(LATENCY_MINUTES);
        assertThat(points.get(0).get("minute").asText()).isEqualTo(minute(0).toInstant().toString());
        assertThat(points.get(SPIKE_MINUTE_INDEX).get("p90_ms").asDouble()).isEqualTo(busyP90(SPIKE_MINUTE_INDEX));
        assertThat(points.get(3).get("errors").asLong()).isEqualTo(2);
        assertThat(points.get(3).get("error_rate").asDouble()).isCloseTo(0.05, within(1e-9));
    }

    @Test
    void latencyOfRequestsWithoutAScreenIsSelectedByAnEmptyScreen() throws Exception {
        JsonNode latency = getJson(full, "/api/latency?screen=&action=INIT&minutes=15");

        assertThat(latency.get("screen").asText()).isEmpty();
        assertThat(latency.get("points")).hasSize(15);
        assertThat(latency.get("points").get(14).get("p99_ms").asDouble()).isEqualTo(70.0);
    }

    @Test
    void activeAlertsAreTheConditionsWhoseNewestStateIsFiring() throws Exception {
        JsonNode alerts = getJson(full, "/api/alerts");

        assertThat(alerts.get("active")).hasSize(1);
        JsonNode firing = alerts.get("active").get(0);
        assertThat(firing.get("rule_id").asLong()).isEqualTo(1);
        assertThat(firing.get("metric").asText()).isEqualTo("p90");
        assertThat(firing.get("value").asDouble()).isEqualTo(1240.0);
        assertThat(firing.get("description").asText()).contains("p90");
        assertThat(texts(alerts.get("recent"), "state")).containsExactly("FIRING", "RESOLVED", "FIRING");
        assertThat(alerts.get("rules")).hasSize(4);
        assertThat(alerts.get("rules").get(0).get("threshold_ms").asDouble()).isEqualTo(1000.0);
        assertThat(alerts.get("rules").get(1).get("error_rate_threshold").asDouble()).isEqualTo(0.05);
        // the two that fire before Meta's own alerts would (V18, docs/meta-health.md)
        assertThat(alerts.get("rules").get(2).get("threshold_ms").asDouble()).isEqualTo(800.0);
        assertThat(alerts.get("rules").get(2).get("window_minutes").asInt()).isEqualTo(10);
        assertThat(alerts.get("rules").get(3).get("error_rate_threshold").asDouble()).isEqualTo(0.03);
    }

    @Test
    void staleSessionsAreCountedPerBucketWithQuietBucketsAsZero() throws Exception {
        JsonNode stale = getJson(full, "/api/stale?hours=6");

        assertThat(stale.get("bucket_minutes").asInt()).isEqualTo(5);
        assertThat(stale.get("buckets")).hasSize(6 * 12);
        assertThat(stale.get("to").asText()).isEqualTo("2026-11-02T12:00:00Z");
        assertThat(stale.get("total").asLong()).isEqualTo(STALE_SESSIONS);
        long sum = 0;
        for (JsonNode bucket : stale.get("buckets")) {
            sum += bucket.get("sessions").asLong();
        }
        assertThat(sum).isEqualTo(STALE_SESSIONS);
        assertThat(stale.get("buckets").get(0).get("sessions").asLong()).isZero();
        assertThat(texts(stale.get("by_screen"), "screen")).containsExactly("WELCOME", "STANDARD_SCHEDULE", "EXPRESS_SCHEDULE");
        assertThat(stale.get("by_screen").get(0).get("sessions").asLong()).isEqualTo(18);
    }

    @Test
    void leadScoresAreCountedPerDecileAndTier() throws Exception {
        JsonNode leads = getJson(full, "/api/leads");

        assertThat(leads.get("total").asLong()).isEqualTo(LEADS);
        long[] expected = new long[10];
        long hot = 0;
        for (int i = 0; i < LEADS; i++) {
            expected[Math.min(score(i) / 10, 9)]++;
            hot += tier(score(i)).equals("hot") ? 1 : 0;
        }
        JsonNode buckets = leads.get("buckets");
        assertThat(buckets).hasSize(10);
        for (int b = 0; b < 10; b++) {
            JsonNode bucket = buckets.get(b);
            assertThat(bucket.get("hot").asLong() + bucket.get("warm").asLong() + bucket.get("cold").asLong())
                    .as("leads scored %d-%d", bucket.get("from").asInt(), bucket.get("to").asInt())
                    .isEqualTo(expected[b]);
        }
        assertThat(buckets.get(9).get("to").asInt()).isEqualTo(100);
        assertThat(buckets.get(0).get("hot").asLong()).isZero();
        assertThat(leads.get("tiers").get(0).get("tier").asText()).isEqualTo("hot");
        assertThat(leads.get("tiers").get(0).get("users").asLong()).isEqualTo(hot);
    }

    @Test
    void inventoryListsTheMostDemandedItemsFirstWithinTheLimit() throws Exception {
        JsonNode inventory = getJson(full, "/api/inventory?limit=5");

        assertThat(texts(inventory.get("items"), "item_id")).containsExactly("item-00", "item-01", "item-02", "item-03", "item-04");
        assertThat(inventory.get("items").get(0).get("demand").asLong()).isEqualTo(demand(0));
        assertThat(inventory.get("hot_items").asLong()).isEqualTo(IntStream.range(0, ITEMS).filter(AnalyticsFixtures::hot).count());

        JsonNode all = getJson(full, "/api/inventory?limit=50");
        assertThat(all.get("items")).hasSize(ITEMS);
        JsonNode outOfStock = all.get("items").get(9);
        assertThat(outOfStock.get("stock").asInt()).isZero();
        assertThat(outOfStock.get("hot").asBoolean()).isTrue();
        assertThat(outOfStock.get("stockout_at").asText()).isEqualTo(outOfStock.get("window_end").asText());
        assertThat(all.get("items").get(11).get("stock").isNull()).isTrue();
    }

    @Test
    void experimentsShowEachVariantWithItsIntervalDecisionAndGuardrailStop() throws Exception {
        JsonNode experiments = getJson(full, "/api/experiments");
        assertThat(experiments.get("experiment").asText()).isEqualTo(EXPERIMENT);
        assertThat(experiments.get("experiments").get(0).get("flow_id").asText()).isEqualTo(FLOW);
        JsonNode variants = experiments.get("variants");
        assertThat(variants).extracting(v -> v.get("variant").asText()).containsExactly("control", "b", "slow");
        assertThat(variants.get(0).get("control").asBoolean()).isTrue();
        assertThat(variants.get(0).get("ci_low").isNull()).isTrue();
        assertThat(variants.get(1).get("decision").asText()).isEqualTo("winner");
        assertThat(variants.get(1).get("ci_low").asDouble()).isEqualTo(0.031);
        assertThat(variants.get(1).get("stopped_by").isNull()).isTrue();
        JsonNode slow = variants.get(2);
        assertThat(slow.get("stopped_by").asText()).isEqualTo("p90_latency");
        assertThat(slow.get("stop_observed").asDouble()).isEqualTo(2140.0);
        assertThat(slow.get("stop_threshold").asDouble()).isEqualTo(1000.0);
        assertThat(slow.get("stopped_at").asText()).isEqualTo("2026-11-02T10:12:00Z");
        assertThat(experiments.get("screens")).hasSize(9);

        JsonNode unknown = getJson(full, "/api/experiments?experiment=nope");
        assertThat(unknown.get("experiment").asText()).isEqualTo("nope");
        assertThat(unknown.get("variants")).isEmpty();
        assertThat(getJson(empty, "/api/experiments").get("variants")).isEmpty();
        assertThat(get(full, "/api/experiments?experiment=" + "x".repeat(201)).statusCode()).isEqualTo(400);
    }

    @Test
    void versionsCompareTheTwoNewestVersionsOfTheBusiestFlowOrTheOnesAsked() throws Exception {
        JsonNode versions = getJson(full, "/api/versions");
        assertThat(versions.get("flow").asText()).isEqualTo(FLOW);
        assertThat(versions.get("versions").toString()).isEqualTo("[2,1]");
        assertThat(versions.get("compared")).extracting(v -> v.get("version").asInt()).containsExactly(1, 2);
        JsonNode newer = versions.get("compared").get(1);
        // both cohorts summed: 120 + 60 reached WELCOME, 10 + 5 dropped there
        assertThat(newer.get("funnel").get(0).toString())
                .isEqualTo("{\"screen\":\"WELCOME\",\"reached\":180,\"dropped\":15,\"completed\":135,\"drop_rate\":0.08333333333333333}");
        assertThat(newer.get("screen_time").get(0).get("p90_moved_on_ms").asDouble()).isEqualTo(18_000.0);
        assertThat(newer.get("paths")).hasSize(5);
        assertThat(newer.get("paths").get(0).toString())
                .isEqualTo("{\"from\":\"\",\"to\":\"WELCOME\",\"action\":\"INIT\",\"transitions\":180}");

        JsonNode one = getJson(full, "/api/versions?flow=" + FLOW + "&a=2&b=2");
        assertThat(one.get("compared")).extracting(v -> v.get("version").asInt()).containsExactly(2);
        assertThat(getJson(full, "/api/versions?flow=nope").get("compared")).isEmpty();
        assertThat(getJson(empty, "/api/versions").get("flow").isNull()).isTrue();
        for (String path : List.of("/api/versions?a=-1", "/api/versions?b=two")) {
            assertThat(get(full, path).statusCode()).as(path).isEqualTo(400);
            assertThat(get(full, path).body()).as(path).contains(path.substring(14, 15));
        }
    }

    @Test
    void emptyTablesAnswerEmptyViewsRatherThanErrors() throws Exception {
        JsonNode funnel = getJson(empty, "/api/funnel");
        assertThat(funnel.get("flows")).isEmpty();
        assertThat(funnel.get("flow").isNull()).isTrue();
        assertThat(funnel.get("screens")).isEmpty();

        JsonNode latency = getJson(empty, "/api/latency");
        assertThat(latency.get("points")).isEmpty();
        assertThat(latency.get("to").isNull()).isTrue();

        JsonNode alerts = getJson(empty, "/api/alerts");
        assertThat(alerts.get("active")).isEmpty();
        assertThat(alerts.get("recent")).isEmpty();
        assertThat(alerts.get("rules")).as("the migrations' default rules").hasSize(4);

        assertThat(getJson(empty, "/api/stale").get("total").asLong()).isZero();
        assertThat(getJson(empty, "/api/leads").get("total").asLong()).isZero();
        assertThat(getJson(empty, "/api/inventory").get("items")).isEmpty();
    }

    @Test
    void parametersOutsideTheirBoundsAreRefusedWith400() throws Exception {
        for (String path : List.of("/api/latency?minutes=100000", "/api/latency?minutes=abc", "/api/latency?screen=WELCOME",
                "/api/stale?hours=0", "/api/inventory?limit=51", "/api/funnel?cohort=yesterday",
                "/api/funnel?flow=" + "x".repeat(201), "/api/leads?" + "a=b&".repeat(600))) {
            HttpResponse<String> response = get(full, path);
            assertThat(response.statusCode()).as(path).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).get("error").asText()).as(path).isEqualTo("bad_parameter");
        }
    }

    @Test
    void onlyReadsAreAccepted() throws Exception {
        for (String path : List.of("/api/leads", "/")) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(full.uri().resolve(path))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(405);
            assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
        }
    }

    @Test
    void onlyTheDashboardsOwnFilesAreServed() throws Exception {
        HttpResponse<String> page = get(full, "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-inline"));
        assertThat(page.body()).contains("<canvas id=\"funnel-chart\"");

        HttpResponse<String> chartJs = get(full, "/chart.umd.js");
        assertThat(chartJs.statusCode()).isEqualTo(200);
        assertThat(chartJs.body()).contains("Chart.js v4");

        for (String path : List.of("/pom.xml", "/../pom.xml", "/META-INF/MANIFEST.MF",
                "/io/flowgate/dashboards/Dashboard.class", "/api/../dashboard.properties", "/api/nothing")) {
            assertThat(get(full, path).statusCode()).as(path).isEqualTo(404);
        }
    }

    @Test
    void anUnreachableDatabaseAnswers503WithoutItsDetails() throws Exception {
        String password = "never-shown-" + System.nanoTime();
        try (Dashboard unreachable = Dashboard.start(0, "jdbc:postgresql://127.0.0.1:9/flowgate", "flowgate", password)) {
            HttpResponse<String> response = get(unreachable, "/api/leads");

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("database_unavailable");
            assertThat(response.body()).doesNotContain(password).doesNotContain("127.0.0.1");
            assertThat(get(unreachable, "/").statusCode()).as("the page still loads and says so").isEqualTo(200);
        }
    }

    @Test
    void thePortComesFromTheEnvironmentOrDefaultsTo8090() {
        assertThat(Dashboard.port(null)).isEqualTo(8090);
        assertThat(Dashboard.port(" 9000 ")).isEqualTo(9000);
        assertThatThrownBy(() -> Dashboard.port("80a")).hasMessageContaining("DASHBOARD_PORT");
        assertThatThrownBy(() -> Dashboard.port("70000")).hasMessageContaining("DASHBOARD_PORT");
    }

    @Test
    void metaHealthShowsMetasFiguresBesideFlowgatesForTheSameWindowAndTheDifference() throws Exception {
        JsonNode health = getJson(full, "/api/meta-health");

        assertThat(texts(health.get("flows"), "meta_flow_id")).containsExactly(META_FLOW, OTHER_META_FLOW);
        assertThat(health.get("flow").asText()).isEqualTo(META_FLOW);
        assertThat(health.get("flow_id").asText()).isEqualTo(FLOW);
        assertThat(health.get("status").asText()).isEqualTo("THROTTLED");
        JsonNode points = health.get("points");
        assertThat(texts(points, "kind")).containsExactly("ENDPOINT_AVAILABILITY", "FLOW_STATUS_CHANGE", "ENDPOINT_LATENCY",
                "ENDPOINT_ERROR_RATE");
        JsonNode latency = points.get(2);
        assertThat(latency.get("window_start").asText()).isEqualTo(META_REPORTED.minusMinutes(30).toInstant().toString());
        assertThat(latency.get("meta_p90_ms").asDouble()).isEqualTo(8000.0);
        assertThat(latency.get("flowgate_p90_ms").asDouble()).isCloseTo(flowgateP90(30, 59), within(1e-6));
        assertThat(latency.get("p90_difference_ms").asDouble()).isCloseTo(8000.0 - flowgateP90(30, 59), within(1e-6));
        assertThat(latency.get("flowgate_requests").asLong()).isEqualTo(30 * 70 + 15);
        JsonNode errors = points.get(3);
        assertThat(errors.get("meta_error_rate").asDouble()).isEqualTo(14.28);
        // minutes 30..59: errors 2 in minutes 33, 43, 53 and 1 in minute 50, of 2,115 requests
        assertThat(errors.get("flowgate_error_rate").asDouble()).isCloseTo(100.0 * 7 / (30 * 70 + 15), within(1e-9));
        JsonNode hourly = points.get(0);
        assertThat(hourly.get("source").asText()).isEqualTo("metrics_api");
        assertThat(hourly.get("window_end").asText()).isEqualTo(minute(0).plusHours(1).toInstant().toString());

        JsonNode other = getJson(full, "/api/meta-health?flow=" + OTHER_META_FLOW);
        assertThat(other.get("points").get(0).get("meta_availability").asDouble()).isEqualTo(75.0);
        assertThat(other.get("points").get(0).get("flowgate_requests").isNull()).as("no Flowgate minutes then").isTrue();
        assertThat(getJson(full, "/api/meta-health?flow=" + FLOW).get("flow").asText()).as("by Flowgate's id").isEqualTo(META_FLOW);
    }

    @Test
    void metaStatusListsTheFlowsMetaThrottlesOrBlocksUntilTheyRecover() throws Exception {
        JsonNode status = getJson(full, "/api/meta-status");
        assertThat(texts(status.get("degraded"), "meta_flow_id")).containsExactly(META_FLOW);
        assertThat(status.get("degraded").get(0).get("status").asText()).isEqualTo("THROTTLED");
        assertThat(status.get("degraded").get(0).get("flow_id").asText()).isEqualTo(FLOW);

        assertThat(getJson(empty, "/api/meta-status").get("degraded")).isEmpty();
        JsonNode none = getJson(empty, "/api/meta-health");
        assertThat(none.get("flows")).isEmpty();
        assertThat(none.get("points")).isEmpty();
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.get(field).asText()));
        return values;
    }

    private static JsonNode getJson(Dashboard dashboard, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(dashboard, path);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> get(Dashboard dashboard, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(dashboard.uri().toString().replaceAll("/$", "") + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
