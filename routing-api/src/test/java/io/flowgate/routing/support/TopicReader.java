package io.flowgate.routing.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.events.EventSchemas;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * A real Kafka consumer that reads every partition of a topic from the beginning in the background and
 * keeps what it read, so a test can ask what reached Kafka (and how often) the way a downstream consumer
 * would see it. No consumer group: nothing to join, nothing to rebalance.
 */
public final class TopicReader implements AutoCloseable {

    /** One record as read from Kafka. {@code eventId} is the {@code event_id} header, if any. */
    public record Received(String key, String eventId, String value, int partition, long offset) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<Received> received = new ArrayList<>();
    private final Thread poller;
    private volatile boolean open = true;

    private TopicReader(KafkaConsumer<String, byte[]> consumer) {
        this.consumer = consumer;
        this.poller = new Thread(this::poll, "topic-reader");
        this.poller.setDaemon(true);
    }

    /** Reads {@code topic} from its beginning; waits until the topic exists. */
    public static TopicReader fromBeginning(String bootstrapServers, String topic) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // read only what producers have committed for good
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        await().atMost(30, TimeUnit.SECONDS).until(() -> {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            partitions.clear();
            infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
            return !partitions.isEmpty();
        });
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        TopicReader reader = new TopicReader(consumer);
        reader.poller.start();
        return reader;
    }

    private void poll() {
        try {
            while (open) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    Header id = r.headers().lastHeader("event_id");
                    Received one = new Received(r.key(), id == null ? null : new String(id.value(), StandardCharsets.UTF_8),
                            new String(r.value(), StandardCharsets.UTF_8), r.partition(), r.offset());
                    synchronized (received) {
                        received.add(one);
                    }
                }
            }
        } catch (WakeupException closing) {
            // close() was called
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    /** Everything read so far, in the order read (per partition: the order on Kafka). */
    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** The events of one type and session read so far, parsed, in the order read. */
    public List<JsonNode> events(String type, String sessionId) {
        ObjectMapper json = new ObjectMapper();
        return received().stream().map(r -> {
                    try {
                        return json.readTree(r.value());
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException("not JSON: " + r.value(), e);
                    }
                })
                .filter(e -> e.path("type").asText().equals(type) && e.path("session_id").asText().equals(sessionId))
                .toList();
    }

    /**
     * What is wrong with the records read so far, checked against their events' JSON Schemas (docs/events.md):
     * one line per violation, with the record. Empty when every record is a valid event.
     */
    public List<String> schemaViolations() {
        return received().stream()
                .flatMap(r -> EventSchemas.violations(r.value()).stream().map(v -> v + " in " + r.value()))
                .toList();
    }

    /** How many times each {@code event_id} header was read. */
    public Map<String, Long> countByEventId() {
        return received().stream().filter(r -> r.eventId() != null).collect(Collectors.groupingBy(Received::eventId, LinkedHashMap::new, Collectors.counting()));
    }

    /** Waits until every one of {@code eventIds} was read at least once. */
    public void awaitEventIds(Collection<String> eventIds, Duration atMost) {
        Set<String> wanted = Set.copyOf(eventIds);
        await().atMost(atMost).pollInterval(Duration.ofMillis(50))
                .until(() -> countByEventId().keySet().containsAll(wanted));
    }

    /** The records whose {@code event_id} is one of {@code eventIds}, grouped by key, in the order read. */
    public Map<String, List<Received>> byKey(Collection<String> eventIds) {
        Set<String> wanted = Set.copyOf(eventIds);
        return received().stream().filter(r -> wanted.contains(r.eventId()))
                .collect(Collectors.groupingBy(Received::key, LinkedHashMap::new, Collectors.toList()));
    }

    @Override
    public void close() {
        open = false;
        consumer.wakeup();
        try {
            poller.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
