package io.flowgate.routing.outbox;

import io.flowgate.events.EventJson;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.Topics;
import io.flowgate.testkit.TopicReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The outbox against a real broker and a real consumer: what commits is published once, as written. */
class OutboxRelayTest {

    private static final Duration PUBLISHED = Duration.ofSeconds(30);

    // the broker alone would auto-create topics with 1 partition: the 4 checked below come from routing-api
    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.withApp();

    private final OutboxApp app = kafka.app();
    private final TopicReader transitions = kafka.transitions();

    @Test
    void topicsAreCreatedAtStartWithTheConfiguredPartitions() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Map<String, TopicDescription> topics = admin.describeTopics(Topics.ALL).allTopicNames().get(10, TimeUnit.SECONDS);
            assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(Topics.ALL);
            topics.values().forEach(t -> assertThat(t.partitions()).as(t.name()).hasSize(4));
        }
    }

    @Test
    void committedTransitionIsPublishedOnceAsWritten() {
        FlowTransition event = app.commitStep("committed-session", 1);
        assertThat(app.businessRows(event.eventId())).isEqualTo(1);

        transitions.awaitEventIds(List.of(event.eventId()), PUBLISHED);
        // a later event proves the relay went on past the first one without sending it again
        FlowTransition later = app.commitStep("committed-session", 2);
        transitions.awaitEventIds(List.of(later.eventId()), PUBLISHED);

        var records = transitions.received().stream().filter(r -> event.eventId().equals(r.eventId())).toList();
        assertThat(records).hasSize(1);
        assertThat(records.get(0).key()).isEqualTo("committed-session");
        assertThat(records.get(0).value()).isEqualTo(EventJson.toJson(event));
        assertThat(EventJson.fromJson(records.get(0).value())).isEqualTo(event);
        await().atMost(10, TimeUnit.SECONDS).until(() -> app.outboxRows() == 0);
    }

    @Test
    void rolledBackTransitionIsNeverPublished() {
        FlowTransition rolledBack = app.rollBackStep("rollback-session", 1);
        FlowTransition committedAfter = app.commitStep("rollback-session", 1);

        transitions.awaitEventIds(List.of(committedAfter.eventId()), PUBLISHED);
        assertThat(transitions.countByEventId()).doesNotContainKey(rolledBack.eventId());
        assertThat(app.businessRows(rolledBack.eventId())).isZero();
    }

    @Test
    void appendOutsideATransactionIsRefused() {
        FlowTransition event = OutboxApp.step("no-tx-session", 1);
        assertThatThrownBy(() -> app.bean(Outbox.class).append(Topics.TRANSITIONS, event))
                .isInstanceOf(IllegalStateException.class);
        assertThat(app.jdbc().sql("SELECT count(*) FROM outbox WHERE event_id = ?").param(event.eventId())
                .query(Long.class).single()).isZero();
    }

    @Test
    void eventsOfOneTransactionArePublishedInTheirOrder() {
        List<FlowTransition> steps = app.commitSteps("ordered-session", 0, 50);
        List<String> ids = steps.stream().map(FlowTransition::eventId).toList();

        transitions.awaitEventIds(ids, PUBLISHED);
        assertThat(transitions.byKey(ids).get("ordered-session")).extracting(TopicReader.Received::eventId).containsExactlyElementsOf(ids);
    }

    @Test
    void eventKafkaRefusesIsParkedAndDoesNotBlockTheOthers() {
        // larger than the producer's max.request.size (1 MiB): Kafka will never take it
        FlowTransition tooLarge = new FlowTransition("too-large-" + System.nanoTime(), java.time.Instant.now(), OutboxApp.FLOW,
                "poison-session", "user", java.time.Instant.now(), "", "S1", "data_exchange",
                Map.of("blob", "x".repeat(1_200_000)), false, false, FlowTransition.SOURCE_FLOW);
        app.commit(tooLarge);
        FlowTransition next = app.commitStep("poison-session", 2);

        transitions.awaitEventIds(List.of(next.eventId()), PUBLISHED);
        assertThat(transitions.countByEventId()).doesNotContainKey(tooLarge.eventId());
        var parked = app.jdbc().sql("SELECT park_reason FROM outbox WHERE event_id = ? AND parked_at IS NOT NULL")
                .param(tooLarge.eventId()).query(String.class).list();
        assertThat(parked).singleElement().asString().contains("RecordTooLargeException");
        await().atMost(10, TimeUnit.SECONDS).until(() -> app.gauge("flowgate.outbox.parked") == 1);

        app.jdbc().sql("DELETE FROM outbox WHERE event_id = ?").param(tooLarge.eventId()).update();
    }

    @Test
    void commitWakesTheRelayWithoutWaitingForItsPoll() {
        // a relay that would poll (and send heartbeats) once an hour: only the wake-up after the commit can make it publish
        try (OutboxApp sleepy = OutboxApp.start(kafka.bootstrapServers(), null,
                Map.of("flowgate.kafka.relay-poll-interval", "1h", "flowgate.kafka.heartbeat-interval", "1h"))) {
            sleepy.awaitKafkaAvailable();
            await().atMost(10, TimeUnit.SECONDS).until(() -> sleepy.bean(OutboxRelay.class).isActive());
            FlowTransition event = sleepy.commitStep("woken-session", 1);
            transitions.awaitEventIds(List.of(event.eventId()), PUBLISHED);
        }
    }

    @Test
    void pollFindsRowsWhoseWakeUpWasLost() {
        // written behind the outbox's back, so nothing sends a wake-up: as after a crash right after a commit
        FlowTransition event = OutboxApp.step("unannounced-session", 1);
        app.jdbc().sql("INSERT INTO outbox (event_id, topic, record_key, payload) VALUES (?, ?, ?, CAST(? AS json))")
                .params(event.eventId(), Topics.TRANSITIONS, event.key(), EventJson.toJson(event)).update();
        transitions.awaitEventIds(List.of(event.eventId()), PUBLISHED);
    }

    @Test
    void metricsAreExposedForPrometheus() {
        FlowTransition event = app.commitStep("metrics-session", 1);
        transitions.awaitEventIds(List.of(event.eventId()), PUBLISHED);
        await().atMost(10, TimeUnit.SECONDS).until(() -> app.counter("flowgate.outbox.published") >= 1);

        String scrape = app.get("/actuator/prometheus");
        assertThat(scrape).startsWith("200 ").contains(
                "flowgate_outbox_backlog ", "flowgate_outbox_oldest_age_seconds ", "flowgate_outbox_parked ",
                "flowgate_outbox_published_total ", "flowgate_outbox_publish_errors_total ",
                "flowgate_outbox_relay_active 1.0", "flowgate_kafka_available 1.0",
                "flowgate_events_published_total ", "flowgate_events_dropped_total{reason=\"kafka_unavailable\"}");
    }
}
