package io.flowgate.routing.outbox;

import io.flowgate.events.EndpointRequest;
import io.flowgate.events.EventJson;
import io.flowgate.events.TopicDefinition;
import io.flowgate.events.Topics;
import io.flowgate.routing.support.TopicReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Endpoint-request events go straight to Kafka, and a Kafka outage never holds up the caller. */
class KafkaEventPublisherTest {

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.withApp();

    private final OutboxApp app = kafka.app();
    private final TopicReader transitions = kafka.transitions();

    @Test
    void routingApiCreatesEveryTopicAsTheEventsModuleDefinesIt() {
        for (TopicDefinition defined : Topics.DEFINITIONS) {
            assertThat(kafka.broker().describeTopic(defined.name())).as(defined.name())
                    .containsAllEntriesOf(defined.configsOn(1))
                    .containsEntry("partitions", Integer.toString(defined.partitions()));
        }
    }

    @Test
    void publishedEventReachesKafkaWithItsKeyAndJson() {
        EndpointRequest event = request("direct-session");
        app.bean(EventPublisher.class).publish(Topics.TRANSITIONS, event);

        transitions.awaitEventIds(List.of(event.eventId()), Duration.ofSeconds(30));
        var record = transitions.received().stream().filter(r -> event.eventId().equals(r.eventId())).findFirst().orElseThrow();
        assertThat(record.key()).isEqualTo("direct-session");
        assertThat(record.value()).isEqualTo(EventJson.toJson(event));
        await().atMost(10, TimeUnit.SECONDS).until(() -> app.counter("flowgate.events.published") >= 1);
    }

    @Test
    void publishNeverBlocksWhileTheBrokerIsDown() {
        EventPublisher publisher = app.bean(EventPublisher.class);
        kafka.broker().stop();
        try {
            // at once after the outage began, before anything noticed it: the producer's buffer takes them
            long started = System.nanoTime();
            for (int i = 0; i < 5_000; i++) {
                publisher.publish(Topics.TRANSITIONS, request("outage-session"));
            }
            long micros = (System.nanoTime() - started) / 1_000;
            System.out.printf("5000 publishes with the broker just stopped returned after %d µs in total%n", micros);

            // once the outage is known, every event is dropped on the spot and counted
            await().atMost(30, TimeUnit.SECONDS).until(() -> !app.bean(KafkaAvailability.class).isAvailable());
            double before = dropped("kafka_unavailable");
            started = System.nanoTime();
            publisher.publish(Topics.TRANSITIONS, request("outage-session"));
            System.out.printf("one publish with the broker known down returned after %d µs%n", (System.nanoTime() - started) / 1_000);
            assertThat(dropped("kafka_unavailable")).isEqualTo(before + 1);
        } finally {
            kafka.broker().start();
        }
        app.awaitKafkaAvailable();
        EndpointRequest afterwards = request("after-outage-session");
        publisher.publish(Topics.TRANSITIONS, afterwards);
        transitions.awaitEventIds(List.of(afterwards.eventId()), Duration.ofSeconds(30));
    }

    private double dropped(String reason) {
        return app.counter(KafkaEventPublisher.DROPPED, "reason", reason);
    }

    private static EndpointRequest request(String session) {
        return new EndpointRequest(UUID.randomUUID().toString(), Instant.now(), "flow", session, "WELCOME",
                "data_exchange", 200, EndpointRequest.OUTCOME_OK, 1234);
    }
}
