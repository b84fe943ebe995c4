package io.flowgate.routing.kafka;

import io.flowgate.events.EventJson;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.events.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Sends events straight to Kafka, for the ones whose loss is tolerable and which must never slow the
 * Flow endpoint's answer to Meta (one endpoint-request event per request). The caller's thread only
 * serializes the event and hands it to the producer's bounded buffer ({@code max.block.ms=0}); whatever
 * cannot be handed over at once (Kafka unavailable, buffer full, topic metadata not known yet) is dropped
 * and counted in {@code flowgate.events.dropped}, never waited for.
 */
@Component
class KafkaEventPublisher implements EventPublisher, DisposableBean {

    static final String DROPPED = "flowgate.events.dropped";

    private static final Logger log = LoggerFactory.getLogger(KafkaEventPublisher.class);
    private static final Duration METADATA_WARM_UP = Duration.ofSeconds(5);

    private final KafkaProperties properties;
    private final KafkaAvailability kafka;
    private final Counter published;
    private final Counter droppedUnavailable;
    private final Counter droppedBufferFull;
    private final Counter droppedFailed;
    private volatile Producer<String, byte[]> producer;

    KafkaEventPublisher(KafkaProperties properties, KafkaAvailability kafka, MeterRegistry registry) {
        this.properties = properties;
        this.kafka = kafka;
        this.published = Counter.builder("flowgate.events.published")
                .description("events sent straight to Kafka and acknowledged").register(registry);
        this.droppedUnavailable = dropCounter(registry, "kafka_unavailable");
        this.droppedBufferFull = dropCounter(registry, "buffer_full");
        this.droppedFailed = dropCounter(registry, "send_failed");
        kafka.onAvailable(this::connect);
        kafka.onUnavailable(this::disconnect);
    }

    private static Counter dropCounter(MeterRegistry registry, String reason) {
        return Counter.builder(DROPPED).tag("reason", reason)
                .description("events meant to be sent straight to Kafka that were dropped").register(registry);
    }

    @Override
    public void publish(String topic, FlowgateEvent event) {
        Producer<String, byte[]> p = producer;
        if (p == null || !kafka.isAvailable()) {
            droppedUnavailable.increment();
            return;
        }
        try {
            RecordHeaders headers = new RecordHeaders();
            headers.add("event_id", event.eventId().getBytes(StandardCharsets.UTF_8));
            p.send(new ProducerRecord<>(topic, null, null, event.key(), EventJson.toBytes(event), headers), (metadata, e) -> {
                if (e == null) {
                    published.increment();
                } else if (e instanceof BufferExhaustedException) {
                    droppedBufferFull.increment();
                } else {
                    droppedFailed.increment();
                }
            });
        } catch (RuntimeException e) {
            // a closed producer during shutdown, a bad event: the caller must not notice
            droppedFailed.increment();
            log.debug("event not sent: {}", e.toString());
        }
    }

    /**
     * Creates the producer once Kafka is reachable (never on a caller's thread: it takes a moment) and
     * fetches the topics' metadata, since a send that would have to wait for metadata is dropped instead.
     */
    private void connect() {
        Producer<String, byte[]> p = producer;
        if (p == null) {
            p = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.bootstrapServers(),
                    ProducerConfig.CLIENT_ID_CONFIG, "flowgate-routing-events",
                    ProducerConfig.ACKS_CONFIG, "1",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                    ProducerConfig.LINGER_MS_CONFIG, 5,
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 0,
                    ProducerConfig.BUFFER_MEMORY_CONFIG, properties.publisherBufferBytes(),
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
                    // an idle topic's metadata must stay cached: without it a send is dropped, not delayed
                    ProducerConfig.METADATA_MAX_IDLE_CONFIG, (int) Duration.ofDays(1).toMillis()),
                    new StringSerializer(), new ByteArraySerializer());
            producer = p;
        }
        long deadline = System.nanoTime() + METADATA_WARM_UP.toNanos();
        for (String topic : Topics.ALL) {
            while (!hasMetadata(p, topic) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Closes the producer while Kafka is away: it would retry, and log, about once a second until it is
     * back, for events that are dropped anyway. What it still buffered is dropped with it.
     */
    private void disconnect() {
        Producer<String, byte[]> p = producer;
        producer = null;
        if (p != null) {
            p.close(Duration.ZERO);
        }
    }

    private static boolean hasMetadata(Producer<String, byte[]> p, String topic) {
        try {
            // with max.block.ms=0 this asks for the metadata and returns at once
            return !p.partitionsFor(topic).isEmpty();
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    @Override
    public void destroy() {
        Producer<String, byte[]> p = producer;
        producer = null;
        if (p != null) {
            // what is still buffered gets a moment to go out
            p.close(Duration.ofSeconds(2));
        }
    }
}
