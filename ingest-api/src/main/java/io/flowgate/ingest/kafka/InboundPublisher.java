package io.flowgate.ingest.kafka;

import io.flowgate.events.EventJson;
import io.flowgate.events.InboundUpdate;
import io.flowgate.events.MetaFlowSignal;
import io.flowgate.events.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes a webhook's updates to {@code flowgate.inbound} and its {@code flows} changes to
 * {@code flowgate.meta-health}, or its raw body to the dead-letter topic,
 * and returns only once Kafka acknowledged every record (acks=all, idempotent producer). All records
 * of a webhook are handed to the producer first and awaited together, so a batch of 1000 updates
 * costs about one round trip, and concurrent webhooks share the producer's batches.
 *
 * <p>When the time runs out the records stay in the producer and may still be written; the webhook is
 * answered 503, Meta sends it again, and consumers see the same event ids twice, which they
 * deduplicate. That is the price of never answering 200 for something not durably written.
 */
public final class InboundPublisher implements AutoCloseable {

    /** Header of a dead letter: why the body was not accepted ({@code malformed_json}, {@code unknown_shape}). */
    public static final String HEADER_REASON = "reason";
    /** Header of a dead letter: where the body went wrong, without quoting it. */
    public static final String HEADER_DETAIL = "detail";
    /** Header of a dead letter: when ingest-api received the body (ISO-8601). */
    public static final String HEADER_RECEIVED_AT = "received_at";

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Producer<String, byte[]> producer;
    private final KafkaClientMetrics producerMetrics;
    private final Timer ackLatency;
    private final Map<String, Counter> updatesWritten;
    private final Counter signalsWritten;

    InboundPublisher(Producer<String, byte[]> producer, MeterRegistry meters) {
        this.producer = producer;
        // the producer's own figures (buffer use, errors, request latency) next to ours on /actuator/prometheus
        this.producerMetrics = new KafkaClientMetrics(producer);
        this.producerMetrics.bindTo(meters);
        this.ackLatency = Timer.builder("flowgate.ingest.kafka.ack")
                .description("Time from handing a webhook's records to the producer until Kafka acknowledged them all")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(meters);
        this.updatesWritten = Map.of(
                InboundUpdate.KIND_MESSAGE, updatesCounter(meters, InboundUpdate.KIND_MESSAGE),
                InboundUpdate.KIND_STATUS, updatesCounter(meters, InboundUpdate.KIND_STATUS),
                InboundUpdate.KIND_ERROR, updatesCounter(meters, InboundUpdate.KIND_ERROR));
        this.signalsWritten = Counter.builder("flowgate.ingest.meta.signals")
                .description("Changes of Meta's flows webhook field written to flowgate.meta-health and acknowledged by Kafka")
                .register(meters);
    }

    private static Counter updatesCounter(MeterRegistry meters, String kind) {
        return Counter.builder("flowgate.ingest.updates")
                .description("Updates written to flowgate.inbound and acknowledged by Kafka")
                .tag("kind", kind)
                .register(meters);
    }

    /** Writes each update keyed by its user; returns when all are acknowledged. */
    public void publish(List<InboundUpdate> updates, Duration timeout) throws NotAcknowledgedException {
        publish(updates, List.of(), timeout);
    }

    /**
     * Writes each update keyed by its user and each {@code flows} change keyed by Meta's Flow; returns
     * when all records of the webhook, on both topics, are acknowledged.
     */
    public void publish(List<InboundUpdate> updates, List<MetaFlowSignal> signals, Duration timeout) throws NotAcknowledgedException {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(updates.size() + signals.size());
        for (InboundUpdate update : updates) {
            records.add(new ProducerRecord<>(Topics.INBOUND, update.key(), EventJson.toBytes(update)));
        }
        for (MetaFlowSignal signal : signals) {
            records.add(new ProducerRecord<>(Topics.META_HEALTH, signal.key(), EventJson.toBytes(signal)));
        }
        sendAndAwait(records, timeout);
        signalsWritten.increment(signals.size());
        for (InboundUpdate update : updates) {
            Counter counter = updatesWritten.get(update.kind());
            if (counter != null) {
                counter.increment();
            }
        }
    }

    /**
     * Keeps a body that could not be accepted, byte for byte, on the dead-letter topic. The key is a
     * digest of the body, so Meta's retries of the same body are recognisable as such.
     */
    public void deadLetter(byte[] body, String reason, String detail, Instant receivedAt, Duration timeout)
            throws NotAcknowledgedException {
        var headers = new RecordHeaders()
                .add(new RecordHeader(HEADER_REASON, reason.getBytes(StandardCharsets.UTF_8)))
                .add(new RecordHeader(HEADER_DETAIL, detail.getBytes(StandardCharsets.UTF_8)))
                .add(new RecordHeader(HEADER_RECEIVED_AT, receivedAt.toString().getBytes(StandardCharsets.UTF_8)));
        sendAndAwait(List.of(new ProducerRecord<>(Topics.INBOUND_DEAD_LETTER, null, digest(body), body, headers)), timeout);
    }

    private void sendAndAwait(List<ProducerRecord<String, byte[]>> records, Duration timeout) throws NotAcknowledgedException {
        if (records.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        Acks acks = new Acks(records.size());
        for (ProducerRecord<String, byte[]> record : records) {
            if (System.nanoTime() - deadline >= 0) {
                throw new NotAcknowledgedException("Kafka did not take the records within " + timeout, true, null);
            }
            try {
                producer.send(record, acks);
            } catch (KafkaException e) {
                // send() throws when it cannot even queue the record: no metadata or a full buffer after max.block.ms
                throw new NotAcknowledgedException("Kafka refused a record: " + e, e instanceof org.apache.kafka.common.errors.TimeoutException, e);
            }
        }
        try {
            acks.all.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            ackLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new NotAcknowledgedException("Kafka did not acknowledge " + acks.pending.get() + " of "
                    + records.size() + " records within " + timeout, true, e);
        } catch (ExecutionException e) {
            throw new NotAcknowledgedException("Kafka refused a record: " + e.getCause(), false, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotAcknowledgedException("interrupted while waiting for Kafka", false, e);
        }
    }

    private static String digest(byte[] body) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(body);
            return "sha256:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** Flushes what the producer still holds (graceful shutdown lets in-flight webhooks finish first). */
    @Override
    public void close() {
        producerMetrics.close();
        producer.close(CLOSE_TIMEOUT);
    }

    /** Completes when every record of one webhook is acknowledged, or at the first refusal. */
    private static final class Acks implements Callback {
        private final AtomicInteger pending;
        private final CompletableFuture<Void> all = new CompletableFuture<>();

        Acks(int records) {
            this.pending = new AtomicInteger(records);
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            if (exception != null) {
                all.completeExceptionally(exception);
            } else if (pending.decrementAndGet() == 0) {
                all.complete(null);
            }
        }
    }
}
