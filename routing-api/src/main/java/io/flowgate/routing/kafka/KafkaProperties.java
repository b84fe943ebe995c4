package io.flowgate.routing.kafka;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

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
@Validated
public record KafkaProperties(
        @DefaultValue("localhost:9092") @NotBlank String bootstrapServers,
        @DefaultValue("4") @Min(1) @Max(10_000) int topicPartitions,
        @DefaultValue("500") @Min(1) @Max(MAX_BATCH_SIZE) int relayBatchSize,
        @DefaultValue("500ms") @DurationMin(millis = 1) Duration relayPollInterval,
        @DefaultValue("30s") @DurationMin(millis = 1) Duration relayAckTimeout,
        @DefaultValue("4194304") @Min(1024) long publisherBufferBytes,
        @DefaultValue("1s") @DurationMin(millis = 1) Duration heartbeatInterval) {

    static final int MAX_BATCH_SIZE = 10_000;
}
