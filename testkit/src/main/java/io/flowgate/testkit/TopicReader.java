package io.flowgate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.events.EventJson;
import io.flowgate.events.InboundUpdate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A real Kafka consumer that reads every partition of a topic from the beginning in the background and
 * keeps what it read, so a test asks what really reached Kafka (and how often) the way a downstream
 * consumer sees it, not what the producer believes it sent. Only what producers committed for good
 * ({@code read_committed}); no consumer group: nothing to join, nothing to rebalance. Waits give up
 * after 60 s with an {@link AssertionError} that says what was awaited.
 */
public final class TopicReader implements AutoCloseable {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One record as read from Kafka: {@code value} as UTF-8 text and {@code bytes} as sent;
     * {@code eventId} is the {@code event_id} header or, without one, the value's {@code event_id} field.
     */
    public record Received(String key, String eventId, String value, int partition, long offset,
                           Map<String, String> headers, byte[] bytes) {

        /** The last header of that name, as UTF-8 text; null if there is none. */
        public String header(String name) {
            return headers.get(name);
        }
    }

    private final String bootstrapServers;
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final Consumer<String> check;
    private final List<Received> received = new ArrayList<>();
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final Thread poller;
    private volatile Throwable failed;
    private volatile boolean open = true;

    private TopicReader(String bootstrapServers, String topic, Consumer<String> check) {
        this.bootstrapServers = bootstrapServers;
        this.check = check;
        this.consumer = newConsumer(bootstrapServers);
        this.partitions = partitionsOf(topic);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.poller = new Thread(this::poll, "topic-reader-" + topic);
        this.poller.setDaemon(true);
    }

    /** Reads {@code topic} from its beginning; waits until the topic exists. */
    public static TopicReader fromBeginning(String bootstrapServers, String topic) {
        return fromBeginning(bootstrapServers, topic, value -> { });
    }

    /**
     * Reads {@code topic} from its beginning and passes every value read to {@code check} (e.g. a JSON
     * Schema assertion): the first failure is thrown by the next question asked of this reader.
     */
    public static TopicReader fromBeginning(String bootstrapServers, String topic, Consumer<String> check) {
        TopicReader reader = new TopicReader(bootstrapServers, topic, check);
        reader.poller.start();
        return reader;
    }

    private static KafkaConsumer<String, byte[]> newConsumer(String bootstrapServers) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // read only what producers have committed for good
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 * 1024 * 1024),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    private List<TopicPartition> partitionsOf(String topic) {
        List<TopicPartition> found = new ArrayList<>();
        waitFor(() -> {
            found.clear();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(5))) {
                found.add(new TopicPartition(info.topic(), info.partition()));
            }
            return !found.isEmpty();
        }, "the topic " + topic);
        return List.copyOf(found);
    }

    private void poll() {
        try {
            while (open) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    Received one = received(r);
                    try {
                        check.accept(one.value());
                    } catch (RuntimeException | AssertionError e) {
                        if (failed == null) {
                            failed = e;
                        }
                    }
                    synchronized (received) {
                        received.add(one);
                    }
                }
                for (TopicPartition p : partitions) {
                    positions.put(p, consumer.position(p, Duration.ofSeconds(5)));
                }
            }
        } catch (WakeupException closing) {
            // close() was called
        } catch (RuntimeException e) {
            failed = e;
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    private static Received received(ConsumerRecord<String, byte[]> r) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : r.headers()) {
            headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        String value = r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8);
        String eventId = headers.containsKey("event_id") ? headers.get("event_id") : eventIdField(value);
        return new Received(r.key(), eventId, value, r.partition(), r.offset(), headers, r.value());
    }

    private static String eventIdField(String value) {
        if (value == null || !value.startsWith("{")) {
            return null;
        }
        try {
            return JSON.readTree(value).path("event_id").textValue();
        } catch (IOException notJson) {
            return null;
        }
    }

    /** Everything read so far, in the order read (per partition: the order on Kafka). */
    public List<Received> received() {
        Throwable f = failed;
        if (f != null) {
            throw new AssertionError("reading the topic failed: " + f, f);
        }
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** Every record up to the topic's end as of now. */
    public List<Received> readToEnd() {
        Map<TopicPartition, Long> end;
        try (KafkaConsumer<String, byte[]> ends = newConsumer(bootstrapServers)) {
            end = ends.endOffsets(partitions, PATIENCE);
        }
        waitFor(() -> {
            received();
            return end.entrySet().stream().allMatch(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue());
        }, "the end of " + partitions);
        return received();
    }

    /** Waits until the records read so far satisfy {@code done}; returns them. */
    public List<Received> readUntil(Predicate<List<Received>> done, String what) {
        waitFor(() -> done.test(received()), what);
        return received();
    }

    /** The records of one event id read so far. */
    public List<Received> withEventId(String eventId) {
        return received().stream().filter(r -> eventId.equals(r.eventId())).toList();
    }

    /** The records of one event id, waiting until there are at least {@code count}. */
    public List<Received> awaitEvent(String eventId, int count) {
        waitFor(() -> withEventId(eventId).size() >= count, count + " records of " + eventId);
        return withEventId(eventId);
    }

    public Received awaitEvent(String eventId) {
        return awaitEvent(eventId, 1).get(0);
    }

    /** Waits until every one of {@code eventIds} was read at least once. */
    public void awaitEventIds(Collection<String> eventIds, Duration atMost) {
        Set<String> wanted = Set.copyOf(eventIds);
        waitFor(() -> countByEventId().keySet().containsAll(wanted), atMost, "the event ids " + wanted);
    }

    /** How many times each event id was read. */
    public Map<String, Long> countByEventId() {
        return received().stream().filter(r -> r.eventId() != null)
                .collect(Collectors.groupingBy(Received::eventId, LinkedHashMap::new, Collectors.counting()));
    }

    /** The records whose event id is one of {@code eventIds}, grouped by key, in the order read. */
    public Map<String, List<Received>> byKey(Collection<String> eventIds) {
        Set<String> wanted = Set.copyOf(eventIds);
        return received().stream().filter(r -> wanted.contains(r.eventId()))
                .collect(Collectors.groupingBy(Received::key, LinkedHashMap::new, Collectors.toList()));
    }

    /** The events of one type and session read so far, parsed, in the order read. */
    public List<JsonNode> events(String type, String sessionId) {
        return received().stream().map(r -> {
                    try {
                        return JSON.readTree(r.value());
                    } catch (IOException e) {
                        throw new IllegalStateException("not JSON: " + r.value(), e);
                    }
                })
                .filter(e -> e.path("type").asText().equals(type) && e.path("session_id").asText().equals(sessionId))
                .toList();
    }

    /**
     * What {@code violations} finds wrong with the records read so far (e.g. the events' JSON Schemas):
     * one line per violation, with the record. Empty when there is nothing.
     */
    public List<String> violations(Function<String, List<String>> violations) {
        return received().stream().flatMap(r -> violations.apply(r.value()).stream().map(v -> v + " in " + r.value())).toList();
    }

    /** The inbound update a {@code flowgate.inbound} record holds. */
    public static InboundUpdate update(Received record) {
        return (InboundUpdate) EventJson.fromBytes(record.bytes());
    }

    private static void waitFor(BooleanSupplier done, String what) {
        waitFor(done, PATIENCE, what);
    }

    private static void waitFor(BooleanSupplier done, Duration atMost, String what) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not on the topic within " + atMost + ": " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
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
