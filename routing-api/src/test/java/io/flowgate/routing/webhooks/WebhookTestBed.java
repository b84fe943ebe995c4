package io.flowgate.routing.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.EventJson;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.events.LeadStateUpdated;
import io.flowgate.events.Topics;
import io.flowgate.routing.support.RoutingApiInstance;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the webhook tests run against: one real in-process Kafka broker, a real routing-api on its own
 * PostgreSQL database with webhook settings shortened for tests, and a producer that writes committed events
 * to {@code flowgate.lead-updates} and {@code flowgate.transitions} the way the outbox relay does (EventJson,
 * keyed, acks=all).
 */
final class WebhookTestBed implements AutoCloseable {

    static final String SECRET_KEY = Base64.getEncoder().encodeToString(new byte[32]);

    private final EmbeddedKafkaBroker broker;
    private final Map<String, Object> properties;
    private final KafkaProducer<String, byte[]> producer;
    private RoutingApiInstance app;

    private WebhookTestBed(EmbeddedKafkaBroker broker, RoutingApiInstance app, Map<String, Object> properties) {
        this.broker = broker;
        this.app = app;
        this.properties = properties;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new ByteArraySerializer());
    }

    static WebhookTestBed start(Map<String, Object> extra) {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(4);
        Map<String, Object> properties = new HashMap<>();
        properties.put("flowgate.kafka.bootstrap-servers", broker.bootstrapServers());
        properties.put("flowgate.kafka.relay-poll-interval", "200ms");
        properties.put("flowgate.webhooks.secret-key", SECRET_KEY);
        properties.put("flowgate.webhooks.poll-interval", "50ms");
        properties.putAll(extra);
        return new WebhookTestBed(broker, instance(null, properties), properties);
    }

    private static RoutingApiInstance instance(String dbUrl, Map<String, Object> properties) {
        RoutingApiInstance.Builder builder = RoutingApiInstance.builder();
        properties.forEach(builder::property);
        if (dbUrl != null) {
            builder.database(dbUrl);
        }
        return builder.start();
    }

    RoutingApiInstance app() {
        return app;
    }

    EmbeddedKafkaBroker broker() {
        return broker;
    }

    /** The settings this bed's routing-api runs with (besides database, keys and tokens). */
    Map<String, Object> properties() {
        return Map.copyOf(properties);
    }

    JdbcClient jdbc() {
        return app.context().getBean(JdbcClient.class);
    }

    void stopApp() {
        app.close();
    }

    void startAgain() {
        app = instance(app.dbUrl(), properties);
    }

    /** Creates a subscription; returns {subscription_id, secret, subscription}. */
    JsonNode subscribe(String json) {
        RoutingApiInstance.AdminAnswer answer = app.admin("POST", "/api/webhooks", json);
        if (answer.status() != 201) {
            throw new IllegalStateException("subscription refused: " + answer.raw());
        }
        return answer.json();
    }

    /** Update number {@code n} of lead {@code waId}: state S{n}, score n, one answer. */
    static LeadStateUpdated update(String waId, int n, String status) {
        return new LeadStateUpdated("lead:" + waId + ":" + n, Instant.now(), new LeadStateUpdated.Data(
                waId, n == 0 ? "" : "S" + (n - 1), "S" + n, n, Map.of("budget", 1000L * n, "note", "free text " + n),
                "normal", status));
    }

    /** Writes the events without waiting for each acknowledgement, then waits for all (a burst). */
    void produceAll(java.util.List<? extends FlowgateEvent> events) {
        for (FlowgateEvent e : events) {
            producer.send(new ProducerRecord<>(e instanceof LeadStateUpdated ? Topics.LEAD_UPDATES : Topics.TRANSITIONS,
                    e.key(), EventJson.toBytes(e)));
        }
        producer.flush();
    }

    void produce(FlowgateEvent... events) {
        try {
            for (FlowgateEvent e : events) {
                String topic = e instanceof LeadStateUpdated ? Topics.LEAD_UPDATES : Topics.TRANSITIONS;
                producer.send(new ProducerRecord<>(topic, e.key(), EventJson.toBytes(e))).get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException("Kafka did not acknowledge", e);
        }
    }

    @Override
    public void close() {
        producer.close();
        if (app != null) {
            app.close();
        }
        broker.close();
    }
}
