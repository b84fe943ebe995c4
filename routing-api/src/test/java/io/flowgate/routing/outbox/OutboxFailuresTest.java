package io.flowgate.routing.outbox;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.FlowTransition;
import io.flowgate.routing.kafka.KafkaStatus;
import io.flowgate.testkit.TopicReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Committed means published, through what goes wrong in production: a broker outage while transitions
 * keep committing, a relay stopped before it could publish, and a relay that dies after Kafka
 * acknowledged a batch but before it deleted the rows.
 */
class OutboxFailuresTest {

    private static final Duration PUBLISHED = Duration.ofSeconds(60);

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.withTopics();

    private final EmbeddedKafkaBroker broker = kafka.broker();
    private final TopicReader transitions = kafka.transitions();

    @Test
    void brokerOutageLosesNothingAndDuplicatesNothing() throws Exception {
        try (OutboxApp app = OutboxApp.start(broker.bootstrapServers())) {
            app.awaitKafkaAvailable();
            List<FlowTransition> committed = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean writing = new AtomicBoolean(true);
            ExecutorService writer = Executors.newSingleThreadExecutor();
            Future<?> writes = writer.submit(() -> {
                for (int step = 0; writing.get(); step++) {
                    for (int session = 0; session < 8; session++) {
                        committed.add(app.commitStep("outage-" + session, step));
                    }
                    Thread.sleep(5);
                }
                return null;
            });

            await().atMost(30, TimeUnit.SECONDS).until(() -> committed.size() >= 200);
            broker.stop();
            int atStop = committed.size();
            // the endpoint keeps committing while Kafka is away (long enough for routing-api to notice);
            // the events wait in the outbox
            await().atMost(30, TimeUnit.SECONDS).until(() -> !app.bean(KafkaStatus.class).isAvailable());
            await().atMost(30, TimeUnit.SECONDS).until(() -> committed.size() >= atStop + 400);
            assertThat(app.outboxRows()).isPositive();
            broker.start();
            int atRestart = committed.size();
            await().atMost(30, TimeUnit.SECONDS).until(() -> committed.size() >= atRestart + 200);
            writing.set(false);
            writes.get(30, TimeUnit.SECONDS);
            writer.shutdown();

            List<String> ids = committed.stream().map(FlowTransition::eventId).toList();
            transitions.awaitEventIds(ids, PUBLISHED);
            Map<String, Long> counts = transitions.countByEventId();
            assertThat(ids).allSatisfy(id -> assertThat(counts.get(id)).as(id).isEqualTo(1L));
            assertStepsInOrderPerSession(ids);
            await().atMost(10, TimeUnit.SECONDS).until(() -> app.outboxRows() == 0);
        } finally {
            broker.start();
        }
    }

    @Test
    void eventsOfARelayStoppedBeforePublishingArePublishedAfterRestart() {
        List<String> ids;
        String database;
        broker.stop();
        try {
            // routing-api starts and commits without Kafka; its relay stops with everything unpublished
            try (OutboxApp first = OutboxApp.start(broker.bootstrapServers())) {
                ids = first.commitSteps("stopped-relay", 0, 30).stream().map(FlowTransition::eventId).toList();
                assertThat(first.outboxRows()).isEqualTo(30);
                database = first.instance().dbUrl();
            }
        } finally {
            broker.start();
        }
        try (OutboxApp restarted = OutboxApp.start(broker.bootstrapServers(), database)) {
            transitions.awaitEventIds(ids, PUBLISHED);
            Map<String, Long> counts = transitions.countByEventId();
            assertThat(ids).allSatisfy(id -> assertThat(counts.get(id)).as(id).isEqualTo(1L));
            assertThat(transitions.byKey(ids).get("stopped-relay")).extracting(TopicReader.Received::eventId)
                    .containsExactlyElementsOf(ids);
            await().atMost(10, TimeUnit.SECONDS).until(() -> restarted.outboxRows() == 0);
        }
    }

    @Test
    void crashAfterKafkaAcknowledgedRepublishesWithTheSameEventIds() {
        try (OutboxApp app = OutboxApp.start(broker.bootstrapServers())) {
            app.awaitKafkaAvailable();
            // the relay's connection dies the first time it deletes published rows: Kafka has acknowledged
            // them, the database never learns it (exactly what a crash of the relay's host at that moment does)
            app.jdbc().sql("CREATE SEQUENCE crash_once").update();
            app.jdbc().sql("""
                    CREATE FUNCTION crash_relay() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF nextval('crash_once') = 1 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
                        RETURN OLD;
                    END $$""").update();
            app.jdbc().sql("CREATE TRIGGER crash_relay BEFORE DELETE ON outbox FOR EACH ROW EXECUTE FUNCTION crash_relay()").update();

            List<FlowTransition> events = app.commitSteps("crashed-relay", 0, 20);
            List<String> ids = events.stream().map(FlowTransition::eventId).toList();

            transitions.awaitEventIds(ids, PUBLISHED);
            await().atMost(30, TimeUnit.SECONDS).until(() -> app.outboxRows() == 0);
            await().atMost(10, TimeUnit.SECONDS).until(() ->
                    ids.stream().allMatch(id -> transitions.countByEventId().get(id) == 2));
            // the second copy is the same event: a consumer deduplicating by event_id sees it once
            for (String id : ids) {
                var copies = transitions.received().stream().filter(r -> id.equals(r.eventId())).toList();
                assertThat(copies.get(1).value()).isEqualTo(copies.get(0).value());
                assertThat(copies.get(1).key()).isEqualTo(copies.get(0).key());
            }
            assertThat(app.bean(OutboxRelay.class).isActive()).isTrue();
        }
    }

    private void assertStepsInOrderPerSession(List<String> ids) {
        transitions.byKey(ids).forEach((session, records) -> {
            List<Integer> steps = records.stream().map(OutboxApp::stepOf).toList();
            assertThat(steps).as(session).isSorted().doesNotHaveDuplicates();
        });
    }
}
