package io.flowgate.ingest;

import io.flowgate.events.EventJson;
import io.flowgate.events.EventSchemas;
import io.flowgate.events.InboundUpdate;
import io.flowgate.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A plain Kafka consumer reading a topic from its beginning, as routing-api will: what the tests
 * assert is what is really on the topic, not what the producer believes it sent.
 */
final class TopicReader implements AutoCloseable {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
    private final boolean events;
    private final Map<String, List<ConsumerRecord<String, byte[]>>> byEventId = new HashMap<>();

    /** @param topic {@code flowgate.inbound} or {@code flowgate.meta-health}, whose records are indexed by event id, or any other topic */
    TopicReader(String bootstrapServers, String topic) {
        events = Topics.INBOUND.equals(topic) || Topics.META_HEALTH.equals(topic);
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 * 1024 * 1024));
        List<PartitionInfo> infos = consumer.partitionsFor(topic, PATIENCE);
        partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Every record up to the topic's end as of now. */
    List<ConsumerRecord<String, byte[]>> readToEnd() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, PATIENCE);
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey(), PATIENCE) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("could not read to the end of " + partitions);
            }
            poll();
        }
        return List.copyOf(seen);
    }

    /** Polls until the records seen so far satisfy {@code done}; fails after 30 s. */
    List<ConsumerRecord<String, byte[]>> readUntil(Predicate<List<ConsumerRecord<String, byte[]>>> done, String what) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!done.test(seen)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not on the topic within " + PATIENCE + ": " + what);
            }
            poll();
        }
        return List.copyOf(seen);
    }

    /** The records of one event id, waiting until there are at least {@code count}. */
    List<ConsumerRecord<String, byte[]>> awaitEvent(String eventId, int count) {
        readUntil(all -> withEventId(eventId).size() >= count, count + " records of " + eventId);
        return withEventId(eventId);
    }

    /** The records of one event id seen so far. */
    List<ConsumerRecord<String, byte[]>> withEventId(String eventId) {
        return List.copyOf(byEventId.getOrDefault(eventId, List.of()));
    }

    ConsumerRecord<String, byte[]> awaitEvent(String eventId) {
        return awaitEvent(eventId, 1).get(0);
    }

    static InboundUpdate update(ConsumerRecord<String, byte[]> record) {
        return (InboundUpdate) EventJson.fromBytes(record.value());
    }

    static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private void poll() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            seen.add(record);
            if (events) {
                // every event a test sees was really published by ingest-api: it must match its schema
                EventSchemas.assertValid(new String(record.value(), StandardCharsets.UTF_8));
                byEventId.computeIfAbsent(EventJson.fromBytes(record.value()).eventId(), id -> new ArrayList<>()).add(record);
            }
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
