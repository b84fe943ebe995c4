package io.flowgate.routing.kafka;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.EndpointRequest;
import io.flowgate.events.EventJson;
import io.flowgate.events.TopicDefinition;
import io.flowgate.events.Topics;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.testkit.TopicReader;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Endpoint-request events go straight to Kafka, and a Kafka outage never holds up the caller. */
class KafkaEventPublisherTest {

    private static EmbeddedKafkaBroker broker;
    private static RoutingApiInstance app;
    private static TopicReader transitions;

    /** One broker and one routing-api, which creates the topics (the broker alone would make 1-partition ones). */
    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(1);
        app = RoutingApiInstance.builder().property("flowgate.kafka.bootstrap-servers", broker.bootstrapServers()).start();
        awaitKafkaAvailable();
        transitions = TopicReader.fromBeginning(broker.bootstrapServers(), Topics.TRANSITIONS);
    }

    @AfterAll
    static void stop() {
        transitions.close();
        app.close();
        broker.close();
    }

    @Test
    void routingApiCreatesEveryTopicAsTheEventsModuleDefinesIt() {
        for (TopicDefinition defined : Topics.DEFINITIONS) {
            assertThat(broker.describeTopic(defined.name())).as(defined.name())
                    .containsAllEntriesOf(defined.configsOn(1))
                    .containsEntry("partitions", Integer.toString(defined.partitions()));
        }
    }

    @Test
    void publishedEventReachesKafkaWithItsKeyAndJson() {
        EndpointRequest event = request("direct-session");
        bean(EventPublisher.class).publish(Topics.TRANSITIONS, event);

        transitions.awaitEventIds(List.of(event.eventId()), Duration.ofSeconds(30));
        var record = transitions.received().stream().filter(r -> event.eventId().equals(r.eventId())).findFirst().orElseThrow();
        assertThat(record.key()).isEqualTo("direct-session");
        assertThat(record.value()).isEqualTo(EventJson.toJson(event));
        await().atMost(10, TimeUnit.SECONDS).until(() -> bean(MeterRegistry.class).get("flowgate.events.published").counter().count() >= 1);
    }

    @Test
    void publishNeverBlocksWhileTheBrokerIsDown() {
        EventPublisher publisher = bean(EventPublisher.class);
        broker.stop();
        try {
            // at once after the outage began, before anything noticed it: the producer's buffer takes them
            long started = System.nanoTime();
            for (int i = 0; i < 5_000; i++) {
                publisher.publish(Topics.TRANSITIONS, request("outage-session"));
            }
            long micros = (System.nanoTime() - started) / 1_000;
            System.out.printf("5000 publishes with the broker just stopped returned after %d µs in total%n", micros);

            // once the outage is known, every event is dropped on the spot and counted
            await().atMost(30, TimeUnit.SECONDS).until(() -> !bean(KafkaStatus.class).isAvailable());
            double before = dropped("kafka_unavailable");
            started = System.nanoTime();
            publisher.publish(Topics.TRANSITIONS, request("outage-session"));
            System.out.printf("one publish with the broker known down returned after %d µs%n", (System.nanoTime() - started) / 1_000);
            assertThat(dropped("kafka_unavailable")).isEqualTo(before + 1);
        } finally {
            broker.start();
        }
        awaitKafkaAvailable();
        EndpointRequest afterwards = request("after-outage-session");
        publisher.publish(Topics.TRANSITIONS, afterwards);
        transitions.awaitEventIds(List.of(afterwards.eventId()), Duration.ofSeconds(30));
    }

    private double dropped(String reason) {
        return bean(MeterRegistry.class).get(KafkaEventPublisher.DROPPED).tags("reason", reason).counter().count();
    }

    private static void awaitKafkaAvailable() {
        await().atMost(30, TimeUnit.SECONDS).until(() -> bean(KafkaStatus.class).isAvailable());
    }

    private static <T> T bean(Class<T> type) {
        return app.context().getBean(type);
    }

    private static EndpointRequest request(String session) {
        return new EndpointRequest(UUID.randomUUID().toString(), Instant.now(), "flow", session, "WELCOME",
                "data_exchange", 200, EndpointRequest.OUTCOME_OK, 1234);
    }
}
