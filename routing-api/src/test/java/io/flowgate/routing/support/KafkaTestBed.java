package io.flowgate.routing.support;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.EventJson;
import io.flowgate.events.FlowgateEvent;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * What the tests of routing-api's Kafka consumers run against: one real in-process Kafka broker (4
 * partitions per topic), a real routing-api on its own PostgreSQL database pointed at it, and a producer
 * that writes events the way their real producers do (EventJson, keyed, acks=all, idempotent). A bed
 * decides which topic an event goes to ({@link #topicOf}) and adds what its tests look at; the routing-api
 * can be stopped and started again, or joined by a sibling, on the same database and broker.
 */
public abstract class KafkaTestBed implements AutoCloseable {

    private final EmbeddedKafkaBroker broker;
    private final Map<String, Object> properties;
    private final KafkaProducer<String, byte[]> producer;
    private RoutingApiInstance app;

    /** Starts a broker and a routing-api on it with {@code settings} besides the Kafka ones. */
    protected KafkaTestBed(Map<String, Object> settings) {
        this.broker = EmbeddedKafkaBroker.start(4);
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("flowgate.kafka.bootstrap-servers", broker.bootstrapServers());
        all.put("flowgate.kafka.relay-poll-interval", "200ms");
        all.putAll(settings);
        this.properties = Map.copyOf(all);
        this.app = instance(null, properties);
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** The topic an event of this bed's tests is written to. */
    protected abstract String topicOf(FlowgateEvent event);

    private static RoutingApiInstance instance(String dbUrl, Map<String, Object> properties) {
        RoutingApiInstance.Builder builder = RoutingApiInstance.builder();
        properties.forEach(builder::property);
        if (dbUrl != null) {
            builder.database(dbUrl);
        }
        return builder.start();
    }

    public RoutingApiInstance app() {
        return app;
    }

    public EmbeddedKafkaBroker broker() {
        return broker;
    }

    /** The settings this bed's routing-api runs with (besides database, keys and tokens). */
    public Map<String, Object> properties() {
        return properties;
    }

    public JdbcClient jdbc() {
        return app.context().getBean(JdbcClient.class);
    }

    /** Another routing-api on the same database and broker, with extra settings (e.g. its own consumer group). */
    public RoutingApiInstance sibling(Map<String, Object> extra) {
        Map<String, Object> merged = new HashMap<>(properties);
        merged.putAll(extra);
        return instance(app.dbUrl(), merged);
    }

    /** Stops this routing-api; {@link #startAgain()} brings up a new one on the same database and broker. */
    public void stopApp() {
        app.close();
    }

    public void startAgain() {
        app = instance(app.dbUrl(), properties);
    }

    /** Writes the events one by one, waiting for Kafka's acknowledgement of each. */
    public void produce(FlowgateEvent... events) {
        try {
            for (FlowgateEvent e : events) {
                producer.send(new ProducerRecord<>(topicOf(e), e.key(), EventJson.toBytes(e))).get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not acknowledge", e);
        }
    }

    /** Writes the events without waiting for each acknowledgement, then waits for all (a burst). */
    public void produceAll(List<? extends FlowgateEvent> events) {
        for (FlowgateEvent e : events) {
            producer.send(new ProducerRecord<>(topicOf(e), e.key(), EventJson.toBytes(e)));
        }
        producer.flush();
    }

    /** Waits until routing-api has created {@code topic}. */
    protected void awaitTopic(String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.listTopics().names().get().contains(topic));
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        app.close();
        broker.close();
    }
}
