package io.flowgate.ingest.kafka;

import io.flowgate.ingest.system.IngestProperties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The producer settings the durability promise rests on, and the room left to operators. */
class KafkaConfigurationTest {

    private static IngestProperties withProducer(Map<String, String> producer) {
        return new IngestProperties("secret", null, "token", DataSize.ofKilobytes(3584), Duration.ofSeconds(5), 64,
                new IngestProperties.Kafka("kafka:9092", true, 4, Duration.ofSeconds(30), producer));
    }

    @Test
    void producerWaitsForAllReplicasIdempotentlyAndCanCarryTheLargestBody() {
        IngestProperties properties = withProducer(Map.of());
        int maxRecord = KafkaConfiguration.maxRecordBytes(properties);
        Map<String, Object> config = KafkaConfiguration.producerConfig(properties, maxRecord);

        assertThat(config).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092")
                .containsEntry(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecord)
                .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000L);
        assertThat((long) maxRecord).isGreaterThan(properties.maxBodySize().toBytes());
    }

    @Test
    void operatorsMayTuneTheProducerButNotItsDurability() {
        Map<String, Object> tuned = KafkaConfiguration.producerConfig(
                withProducer(Map.of("linger.ms", "5", "security.protocol", "SSL")), 1 << 22);
        assertThat(tuned).containsEntry("linger.ms", "5").containsEntry("security.protocol", "SSL");

        for (String fixed : KafkaConfiguration.FIXED_SETTINGS) {
            assertThatThrownBy(() -> KafkaConfiguration.producerConfig(withProducer(Map.of(fixed, "1")), 1 << 22))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(fixed);
        }
    }

    @Test
    void adminClientReachesTheClusterLikeTheProducerWithoutProducerOnlySettings() {
        Map<String, Object> producer = KafkaConfiguration.producerConfig(
                withProducer(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN")), 1 << 22);

        Map<String, Object> admin = KafkaConfiguration.adminConfig(producer);

        assertThat(admin).containsEntry("bootstrap.servers", "kafka:9092")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .doesNotContainKeys("linger.ms", "acks", "compression.type", "key.serializer");
    }
}
