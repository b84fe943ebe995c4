package io.flowgate.routing.outbox;

import io.flowgate.routing.kafka.KafkaProperties;
import io.flowgate.routing.outbox.OutboxTable.Row;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The outbox relay's Kafka producer: idempotent, {@code acks=all}, created when first needed and replaced
 * after any failure. Sends a batch of rows in order and sorts Kafka's answers into acknowledged rows,
 * poison rows (refused for good: too large, invalid topic) and a failure that a retry may fix; a batch not
 * acknowledged within {@code relay-ack-timeout} is given up by aborting the producer.
 */
public final class RelayProducer {

    // the relay's log, as it was before the producer left OutboxRelay
    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final Duration ABORTED_BATCH_GRACE = Duration.ofSeconds(5);

    private final KafkaProperties properties;
    private volatile Producer<String, byte[]> producer;

    RelayProducer(KafkaProperties properties) {
        this.properties = properties;
    }

    /** What Kafka made of a batch: rows acknowledged, rows refused for good, and a failure to retry (or null). */
    record Sent(List<Row> acked, Map<Row, Throwable> poison, Throwable failure) {
    }

    /** Sends the rows in order and waits for Kafka's answers; never throws. */
    Sent send(List<Row> rows) {
        List<Future<RecordMetadata>> futures = new ArrayList<>(rows.size());
        try {
            Producer<String, byte[]> p = producer();
            for (Row row : rows) {
                Future<RecordMetadata> future;
                try {
                    future = p.send(record(row));
                } catch (RuntimeException e) {
                    future = CompletableFuture.failedFuture(e);
                }
                futures.add(future);
                if (future.isDone() && !succeeded(future)) {
                    break; // refused at once: the rows behind it (maybe the same key) must not overtake it
                }
            }
        } catch (RuntimeException cannotCreateProducer) {
            return new Sent(List.of(), Map.of(), cannotCreateProducer);
        }
        List<Row> acked = new ArrayList<>(futures.size());
        Map<Row, Throwable> poison = new LinkedHashMap<>();
        Throwable failure = null;
        long deadline = System.nanoTime() + properties.relayAckTimeout().toNanos();
        boolean aborted = false;
        for (int i = 0; i < futures.size(); i++) {
            Row row = rows.get(i);
            try {
                futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                acked.add(row);
            } catch (ExecutionException e) {
                if (isPoison(e.getCause())) {
                    poison.put(row, e.getCause());
                } else if (failure == null) {
                    failure = e.getCause();
                }
            } catch (TimeoutException e) {
                if (aborted) {
                    break;
                }
                // no answer in time: stop this producer so every pending send fails now, and collect what
                // was acknowledged before; the rest is retried by a fresh producer
                failure = new TimeoutException("Kafka did not acknowledge within " + properties.relayAckTimeout());
                abort();
                aborted = true;
                deadline = System.nanoTime() + ABORTED_BATCH_GRACE.toNanos();
                i--;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e;
                break;
            }
        }
        if (failure != null) {
            abort(); // a producer that failed may hold state that makes retries misbehave
        }
        return new Sent(acked, poison, failure);
    }

    private static ProducerRecord<String, byte[]> record(Row row) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("event_id", row.eventId().getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(row.topic(), null, null, row.key(), row.payload().getBytes(StandardCharsets.UTF_8), headers);
    }

    private static boolean succeeded(Future<?> done) {
        try {
            done.get();
            return true;
        } catch (ExecutionException | InterruptedException | RuntimeException e) {
            return false;
        }
    }

    /** Failures that a retry cannot fix: the record itself is unacceptable to Kafka. */
    private static boolean isPoison(Throwable t) {
        return t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
                || t instanceof InvalidRecordException || t instanceof InvalidTopicException
                || t instanceof SerializationException;
    }

    /**
     * The relay's producer settings: acknowledged by all replicas, idempotent, in order per key, no linger.
     * Public for the benchmarks' framework-free relay, which must send as this one does.
     */
    public static Map<String, Object> settings(String bootstrapServers, String clientId, Duration ackTimeout) {
        return Map.ofEntries(
                Map.entry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                Map.entry(ProducerConfig.CLIENT_ID_CONFIG, clientId),
                Map.entry(ProducerConfig.ACKS_CONFIG, "all"),
                Map.entry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                Map.entry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5),
                Map.entry(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE),
                // the relay bounds each batch itself (relay-ack-timeout) and then aborts the producer;
                // a record expiring inside the producer instead could let a later one of its key overtake it
                Map.entry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE),
                Map.entry(ProducerConfig.MAX_BLOCK_MS_CONFIG, ackTimeout.toMillis()),
                Map.entry(ProducerConfig.LINGER_MS_CONFIG, 0),
                Map.entry(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024));
    }

    /** The producer, created if there is none (the heartbeats go through it too, to keep their order with the rows). */
    Producer<String, byte[]> producer() {
        Producer<String, byte[]> p = producer;
        if (p == null) {
            Map<String, Object> config = settings(properties.bootstrapServers(), "flowgate-outbox-relay",
                    properties.relayAckTimeout());
            p = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
            producer = p;
        }
        return p;
    }

    /** Closes the producer at once, failing whatever it has not sent; safe from any thread. */
    void abort() {
        close(Duration.ZERO);
    }

    /** Closes the producer, giving what it still holds a second to go out. */
    void close() {
        close(Duration.ofSeconds(1));
    }

    private void close(Duration timeout) {
        Producer<String, byte[]> p = producer;
        producer = null;
        if (p != null) {
            try {
                p.close(timeout);
            } catch (RuntimeException e) {
                log.debug("outbox producer did not close cleanly: {}", e.toString());
            }
        }
    }
}
