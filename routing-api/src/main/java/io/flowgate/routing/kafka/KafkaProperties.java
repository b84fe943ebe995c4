package io.flowgate.routing.kafka;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * How routing-api reaches Kafka: the outbox relay, the direct event publisher and topic creation
 * (environment variables in parentheses). There is deliberately no switch to turn Kafka off: without a
 * broker the relay just waits, so committed events are never silently skipped.
 *
 * @param bootstrapServers     the brokers ({@code KAFKA_BOOTSTRAP_SERVERS}, default {@code localhost:9092})
 * @param topicPartitions      partitions of each topic created at start ({@code FLOWGATE_KAFKA_TOPIC_PARTITIONS}, default 4)
 * @param relayBatchSize       outbox rows published per relay transaction ({@code FLOWGATE_OUTBOX_BATCH_SIZE}, default 500)
 * @param relayPollInterval    how often the relay looks for rows when no notification woke it
 *                             ({@code FLOWGATE_OUTBOX_POLL_INTERVAL}, default 500 ms); also how often a
 *                             standby instance tries to become the relay
 * @param relayAckTimeout      how long the relay waits for Kafka to acknowledge a batch before it gives the
 *                             batch up and retries it later ({@code FLOWGATE_OUTBOX_ACK_TIMEOUT}, default 30 s)
 * @param publisherBufferBytes memory for events published directly while they wait to be sent; when it is
 *                             full, further events are dropped ({@code FLOWGATE_EVENTS_BUFFER_BYTES}, default 4 MiB)
 * @param heartbeatInterval    how often the relay writes a heartbeat to every partition of the transitions
 *                             topic, which moves the analytics' event time on in quiet periods
 *                             ({@code FLOWGATE_HEARTBEAT_INTERVAL}, default 1 s)
 */
@ConfigurationProperties("flowgate.kafka")
public record KafkaProperties(
        String bootstrapServers,
        int topicPartitions,
        int relayBatchSize,
        Duration relayPollInterval,
        Duration relayAckTimeout,
        long publisherBufferBytes,
        Duration heartbeatInterval) {

    static final int MAX_BATCH_SIZE = 10_000;

    public KafkaProperties {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            bootstrapServers = "localhost:9092";
        }
        if (topicPartitions <= 0) {
            topicPartitions = 4;
        }
        if (relayBatchSize <= 0) {
            relayBatchSize = 500;
        }
        relayBatchSize = Math.min(relayBatchSize, MAX_BATCH_SIZE);
        if (relayPollInterval == null || relayPollInterval.toMillis() <= 0) {
            relayPollInterval = Duration.ofMillis(500);
        }
        if (relayAckTimeout == null || relayAckTimeout.toMillis() <= 0) {
            relayAckTimeout = Duration.ofSeconds(30);
        }
        if (publisherBufferBytes <= 0) {
            publisherBufferBytes = 4L * 1024 * 1024;
        }
        if (heartbeatInterval == null || heartbeatInterval.toMillis() <= 0) {
            heartbeatInterval = Duration.ofSeconds(1);
        }
    }
}
