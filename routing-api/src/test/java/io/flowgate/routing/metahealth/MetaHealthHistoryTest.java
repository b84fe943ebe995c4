package io.flowgate.routing.metahealth;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.events.EventJson;
import io.flowgate.events.EventSchemas;
import io.flowgate.events.MetaFlowAlert;
import io.flowgate.events.MetaFlowSignal;
import io.flowgate.events.Topics;
import io.flowgate.routing.chat.ChatTestBed;
import io.flowgate.testkit.MetaFlowsWebhooks;
import io.flowgate.testkit.TopicReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * routing-api keeps Meta's view of each Flow: signals of Meta's {@code flows} webhook, as ingest-api
 * writes them to {@code flowgate.meta-health} (values of Meta's documented bodies, {@link MetaFlowsWebhooks}),
 * become rows of {@code meta_flow_health}, once each, name the Flowgate Flow from {@code meta_flows}, set its
 * {@code meta_status}, and put Meta's alerts on {@code flowgate.alerts} through the outbox.
 */
class MetaHealthHistoryTest {

    private static ChatTestBed bed;
    private static TopicReader alerts;

    @BeforeAll
    static void start() {
        bed = ChatTestBed.start();
        alerts = TopicReader.fromBeginning(bed.broker().bootstrapServers(), Topics.ALERTS);
    }

    @AfterAll
    static void stop() {
        List<String> violations = alerts.violations(EventSchemas::violations);
        alerts.close();
        bed.close();
        assertThat(violations).isEmpty();
    }

    @Test
    void aLatencyAlertOfAKnownFlowIsStoredWithMetasFiguresAndGoesToTheAlertsTopic() {
        String metaFlowId = metaFlowId();
        knownFlow("device_repair_" + metaFlowId, metaFlowId);
        MetaFlowSignal signal = signal(MetaFlowsWebhooks.ENDPOINT_LATENCY, metaFlowId, 1_795_000_000L);

        bed.produce(signal);

        Map<String, Object> row = awaitRows(metaFlowId, 1).get(0);
        assertThat(row).containsEntry("flow_id", "device_repair_" + metaFlowId).containsEntry("source", "webhook")
                .containsEntry("kind", "ENDPOINT_LATENCY").containsEntry("alert_state", "ACTIVATED")
                .containsEntry("p50_ms", 500.0).containsEntry("p90_ms", 8000.0).containsEntry("requests", 34L)
                .containsEntry("threshold", 7000.0).containsEntry("dedup_key", signal.eventId());
        assertThat(((java.sql.Timestamp) row.get("observed_at")).toInstant()).isEqualTo(Instant.ofEpochSecond(1_795_000_000L));
        assertThat(ChatTestBed.parse((String) row.get("payload_text"))).isEqualTo(signal.payload());

        MetaFlowAlert alert = awaitAlerts(metaFlowId, 1).get(0);
        assertThat(alert.eventId()).isEqualTo("meta-alert:" + signal.eventId());
        assertThat(alert.state()).isEqualTo("FIRING");
        assertThat(alert.flowId()).isEqualTo("device_repair_" + metaFlowId);
        assertThat(alert.value()).isEqualTo(8000.0);
        assertThat(alert.threshold()).isEqualTo(7000.0);
    }

    @Test
    void aDuplicateDeliveryIsStoredOnceAndAlertsOnce() {
        String metaFlowId = metaFlowId();
        MetaFlowSignal activated = signal(MetaFlowsWebhooks.ENDPOINT_ERROR_RATE, metaFlowId, 1_795_000_100L);
        MetaFlowSignal deactivated = signal(MetaFlowsWebhooks.with(MetaFlowsWebhooks.ENDPOINT_ERROR_RATE, "alert_state",
                "\"ACTIVATED\"", "\"DEACTIVATED\""), metaFlowId, 1_795_001_900L);

        bed.produce(activated, activated, deactivated, activated);

        List<Map<String, Object>> rows = awaitRows(metaFlowId, 2);
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).until(() -> true);
        assertThat(rows(metaFlowId)).hasSize(2);
        assertThat(rows).extracting(r -> r.get("alert_state")).containsExactly("ACTIVATED", "DEACTIVATED");
        assertThat(rows).extracting(r -> r.get("error_rate")).containsExactly(14.28, 14.28);
        assertThat(rows.get(0).get("flow_id")).as("not in meta_flows").isNull();
        assertThat(awaitAlerts(metaFlowId, 2)).extracting(MetaFlowAlert::state).containsExactly("FIRING", "RESOLVED");
        assertThat(alertsOf(metaFlowId)).hasSize(2);
    }

    @Test
    void statusChangesKeepAHistorySetTheFlowsStatusAndAlertOnThrottledBlockedAndRecovery() {
        String metaFlowId = metaFlowId();
        knownFlow("quote_" + metaFlowId, metaFlowId);
        String throttled = status("PUBLISHED", "THROTTLED");
        String blocked = status("THROTTLED", "BLOCKED");
        String recovering = status("BLOCKED", "THROTTLED");
        String recovered = status("THROTTLED", "PUBLISHED");

        bed.produce(signal(throttled, metaFlowId, 1_795_000_000L), signal(blocked, metaFlowId, 1_795_003_600L));
        awaitRows(metaFlowId, 2);
        assertThat(metaStatus(metaFlowId)).isEqualTo("BLOCKED");
        // Meta's deliveries come in any order: an older change does not overwrite a newer status
        bed.produce(signal(recovered, metaFlowId, 1_795_010_800L), signal(recovering, metaFlowId, 1_795_007_200L));

        List<Map<String, Object>> history = awaitRows(metaFlowId, 4);
        assertThat(history).extracting(r -> r.get("old_status") + ">" + r.get("new_status"))
                .containsExactly("PUBLISHED>THROTTLED", "THROTTLED>BLOCKED", "BLOCKED>THROTTLED", "THROTTLED>PUBLISHED");
        assertThat(metaStatus(metaFlowId)).isEqualTo("PUBLISHED");
        assertThat(awaitAlerts(metaFlowId, 4)).extracting(a -> a.state() + " " + a.newStatus())
                .containsExactlyInAnyOrder("FIRING THROTTLED", "FIRING BLOCKED", "FIRING THROTTLED", "RESOLVED PUBLISHED");
    }

    @Test
    void anUnknownEventIsKeptWholeAndRaisesNoAlert() {
        String metaFlowId = metaFlowId();
        String body = MetaFlowsWebhooks.with(MetaFlowsWebhooks.STATUS_CHANGE, "event", "\"FLOW_STATUS_CHANGE\"",
                "\"FLOW_VERSION_EXPIRY_WARNING\", \"expires_at\": 1795000000");
        MetaFlowSignal signal = signal(body, metaFlowId, 1_795_000_000L);

        bed.produce(signal);

        Map<String, Object> row = awaitRows(metaFlowId, 1).get(0);
        assertThat(row.get("kind")).isEqualTo("FLOW_VERSION_EXPIRY_WARNING");
        assertThat(ChatTestBed.parse((String) row.get("payload_text")).path("expires_at").asLong()).isEqualTo(1_795_000_000L);
        assertThat(metaStatus(metaFlowId)).isNull();
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> true);
        assertThat(alertsOf(metaFlowId)).isEmpty();
    }

    /** A signal as ingest-api makes it of a body of Meta's (its id is that of ingest-api: digest of waba, time, value). */
    private static MetaFlowSignal signal(String body, String metaFlowId, long entryTime) {
        JsonNode root = ChatTestBed.parse(MetaFlowsWebhooks.withFlow(body, metaFlowId, entryTime));
        JsonNode value = root.at("/entry/0/changes/0/value");
        String id = "meta:" + UUID.nameUUIDFromBytes((root.at("/entry/0/id").asText() + entryTime + value).getBytes())
                .toString().replace("-", "");
        return new MetaFlowSignal(id, Instant.ofEpochSecond(entryTime), value.path("event").asText(), metaFlowId,
                root.at("/entry/0/id").asText(), Instant.now(), value);
    }

    private static String status(String from, String to) {
        return MetaFlowsWebhooks.with(MetaFlowsWebhooks.with(MetaFlowsWebhooks.STATUS_CHANGE, "old_status", "\"DRAFT\"",
                "\"" + from + "\""), "new_status", "\"PUBLISHED\"", "\"" + to + "\"");
    }

    private static void knownFlow(String flowId, String metaFlowId) {
        bed.jdbc().sql("INSERT INTO meta_flows (flow_id, meta_flow_id, meta_status) VALUES (?, ?, 'PUBLISHED')")
                .params(flowId, metaFlowId).update();
    }

    private static String metaStatus(String metaFlowId) {
        return bed.jdbc().sql("SELECT meta_status FROM meta_flows WHERE meta_flow_id = ?").param(metaFlowId)
                .query(String.class).optional().orElse(null);
    }

    private static List<Map<String, Object>> rows(String metaFlowId) {
        return bed.jdbc().sql("SELECT *, payload::text AS payload_text FROM meta_flow_health WHERE meta_flow_id = ? ORDER BY observed_at, id")
                .param(metaFlowId).query().listOfRows();
    }

    private static List<Map<String, Object>> awaitRows(String metaFlowId, int count) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> rows(metaFlowId).size() >= count);
        return rows(metaFlowId);
    }

    private static List<MetaFlowAlert> alertsOf(String metaFlowId) {
        return alerts.received().stream().filter(r -> metaFlowId.equals(r.key()))
                .map(r -> (MetaFlowAlert) EventJson.fromJson(r.value())).toList();
    }

    private static List<MetaFlowAlert> awaitAlerts(String metaFlowId, int count) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> alertsOf(metaFlowId).size() >= count);
        return alertsOf(metaFlowId);
    }

    private static String metaFlowId() {
        return Long.toString(Math.floorMod(UUID.randomUUID().getLeastSignificantBits(), 1_000_000_000_000_000L));
    }
}
