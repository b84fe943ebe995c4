package io.flowgate.ingest.kafka;

import io.flowgate.ingest.system.IngestProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The Kafka producer behind ingest-api, configured for durability first (acks=all, idempotence) and
 * then for latency (a short linger, so that concurrent webhooks share batches without waiting long).
 * The topics are created before the producer exists, so the first webhook does not wait for them.
 */
@Configuration(proxyBeanMethods = false)
class KafkaConfiguration {

    private static final Logger log = LoggerFactory.getLogger(KafkaConfiguration.class);

    /** What a record may hold beyond the body it came from: the event's own fields and the headers. */
    static final int RECORD_OVERHEAD_BYTES = 64 * 1024;

    /** Settings the durability promise rests on: {@code flowgate.ingest.kafka.producer} may not change them. */
    static final Set<String> FIXED_SETTINGS = Set.of(
            ProducerConfig.ACKS_CONFIG,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG);

    @Bean(destroyMethod = "close")
    InboundPublisher inboundPublisher(IngestProperties properties, MeterRegistry meters) {
        int maxRecordBytes = maxRecordBytes(properties);
        Map<String, Object> config = producerConfig(properties, maxRecordBytes);
        IngestProperties.Kafka kafka = properties.kafka();
        if (kafka.createTopics()) {
            InboundTopics.ensure(adminConfig(config), kafka.partitions(), maxRecordBytes, kafka.startupTimeout());
        }
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config);
        warmUp(producer);
        return new InboundPublisher(producer, meters);
    }

    static int maxRecordBytes(IngestProperties properties) {
        return Math.toIntExact(properties.maxBodySize().toBytes() + RECORD_OVERHEAD_BYTES);
    }

    static Map<String, Object> producerConfig(IngestProperties properties, int maxRecordBytes) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "flowgate-ingest");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(64L * 1024 * 1024, 8L * maxRecordBytes));
        // send() must not block a request thread beyond the time the webhook may wait anyway
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, properties.ackTimeout().toMillis());
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        // records of a webhook answered 503 expire after this instead of lingering through a long outage
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        for (var override : properties.kafka().producer().entrySet()) {
            if (FIXED_SETTINGS.contains(override.getKey())) {
                throw new IllegalArgumentException("flowgate.ingest.kafka.producer[" + override.getKey()
                        + "] cannot be set: ingest-api fixes it (acks=all, idempotence, serializers, bootstrap servers)");
            }
            config.put(override.getKey(), override.getValue());
        }
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    /** The admin client reaches the cluster the way the producer does (bootstrap, TLS, SASL), nothing more. */
    static Map<String, Object> adminConfig(Map<String, Object> producerConfig) {
        Map<String, Object> admin = new HashMap<>();
        Set<String> known = AdminClientConfig.configNames();
        producerConfig.forEach((name, value) -> {
            if (known.contains(name) && !name.equals(ProducerConfig.CLIENT_ID_CONFIG)) {
                admin.put(name, value);
            }
        });
        admin.put(AdminClientConfig.CLIENT_ID_CONFIG, "flowgate-ingest-admin");
        return admin;
    }

    /** Fetches the topics' metadata now, so the first webhook does not pay for it. */
    private static void warmUp(KafkaProducer<String, byte[]> producer) {
        for (String topic : InboundTopics.NAMES) {
            try {
                producer.partitionsFor(topic);
            } catch (KafkaException e) {
                log.warn("no metadata yet for Kafka topic {} ({}); the first webhooks may wait for it", topic, e.toString());
            }
        }
    }
}
