package io.flowgate.analytics;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.EventJson;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.events.Heartbeat;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Writes a transitions topic the way routing-api does: each event on its key's partition, and a
 * {@link Heartbeat} on every partition once per {@code every} of event time, never ahead of an event still
 * to come on that partition. Tests choose which partitions to write when, to make one lag behind the others.
 */
final class TransitionsTopic {

    private final EmbeddedKafkaBroker kafka;
    final String topic;
    final int partitions;

    TransitionsTopic(EmbeddedKafkaBroker kafka, String topic, int partitions) {
        this.kafka = kafka;
        this.topic = topic;
        this.partitions = partitions;
        // the tests' events are weeks old by the broker's clock: without these the broker would roll a segment
        // per append (segment.ms) and delete them all at its next retention check (retention.ms, 7 days)
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(Map.of(
                    "retention.ms", "-1", "segment.ms", Long.toString(Duration.ofDays(3650).toMillis()))))).all().get();
            // writing before every partition has its leader makes the producer retry, which can reorder
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!allLed(admin)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(topic + " has partitions without a leader");
                }
                Thread.sleep(100);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create " + topic, e);
        }
    }

    private boolean allLed(Admin admin) throws InterruptedException {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                    .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        } catch (java.util.concurrent.ExecutionException notYetKnown) {
            return false; // the new topic's metadata has not reached the broker's cache yet
        }
    }

    int partitionOf(FlowgateEvent event) {
        return Math.floorMod(event.key().hashCode(), partitions);
    }

    /** One record on one partition, published at {@code publishedAt} (the Kafka timestamp). */
    record Entry(int partition, long publishedAt, FlowgateEvent event) {
    }

    /**
     * The events on their partitions in publishing order, with heartbeats every {@code every} of event time
     * from the first event to {@code heartbeatsUntil} on every partition; a heartbeat at T follows every event
     * published up to T.
     */
    List<Entry> withHeartbeats(List<Scenario.Published> published, Duration every, Instant heartbeatsUntil) {
        List<Entry> entries = new ArrayList<>();
        for (Scenario.Published p : published) {
            entries.add(new Entry(partitionOf(p.event()), p.publishedAt(), p.event()));
        }
        long first = published.stream().mapToLong(Scenario.Published::publishedAt).min().orElseThrow();
        for (long t = first + every.toMillis(); t <= heartbeatsUntil.toEpochMilli(); t += every.toMillis()) {
            for (int partition = 0; partition < partitions; partition++) {
                entries.add(new Entry(partition, t, Heartbeat.of(Instant.ofEpochMilli(t), partition)));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::publishedAt)
                .thenComparing(e -> e.event() instanceof Heartbeat ? 1 : 0));
        return entries;
    }

    KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1",
                ProducerConfig.BATCH_SIZE_CONFIG, "262144", ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
                new StringSerializer(), new ByteArraySerializer());
    }

    void send(KafkaProducer<String, byte[]> producer, Entry e) {
        producer.send(new ProducerRecord<>(topic, e.partition(), e.publishedAt(), e.event().key(), EventJson.toBytes(e.event())));
    }

    /** Writes the entries of the given partitions, in order, and checks that Kafka has exactly them. */
    void write(List<Entry> entries, List<Integer> onlyPartitions) {
        Map<Integer, Long> written = new HashMap<>();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (Entry e : entries) {
                if (onlyPartitions.contains(e.partition())) {
                    send(producer, e);
                    written.merge(e.partition(), 1L, Long::sum);
                }
            }
            producer.flush();
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            for (var w : written.entrySet()) {
                TopicPartition tp = new TopicPartition(topic, w.getKey());
                long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
                if (end != w.getValue()) {
                    throw new IllegalStateException(tp + " holds " + end + " records, " + w.getValue() + " were written");
                }
            }
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot check " + topic, e);
        }
    }

    /** One heartbeat at {@code atMillis} on every partition, as the relay writes them. */
    void heartbeats(long atMillis) {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (int p = 0; p < partitions; p++) {
                send(producer, new Entry(p, atMillis, Heartbeat.of(Instant.ofEpochMilli(atMillis), p)));
            }
        }
    }

    /** Whether the consumer group has committed the end offset of every partition. */
    boolean consumedToTheEnd(String groupId) throws Exception {
        return consumedToTheEnd(groupId, IntStream.range(0, partitions).boxed().toList());
    }

    /** Whether the consumer group has committed the end offset of each of these partitions. */
    boolean consumedToTheEnd(String groupId, List<Integer> these) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p : these) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = admin.listOffsets(latest).all().get();
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get();
            return end.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                    && committed.get(e.getKey()).offset() >= e.getValue().offset());
        }
    }

    /** Events as {@link Scenario.Published} records published at their event time. */
    static List<Scenario.Published> atEventTime(List<? extends FlowgateEvent> events) {
        return events.stream().map(e -> new Scenario.Published(e, e.eventTime().toEpochMilli()))
                .collect(Collectors.toCollection(ArrayList::new));
    }
}
