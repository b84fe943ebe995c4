package io.flowgate.ingest.kafka;

import io.flowgate.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes sure {@code flowgate.inbound} and its dead-letter topic exist before the first webhook is
 * accepted, so that no acknowledgement depends on the broker's auto-creation (often off in
 * production, and then every write would wait until the ack timeout). Both topics are created able to
 * hold a record as large as the largest accepted body: a dead letter is a whole raw body, and a single
 * update may be large. Topics that already exist are left as they are, with a warning when they could
 * not hold such a record.
 */
final class InboundTopics {

    private static final Logger log = LoggerFactory.getLogger(InboundTopics.class);
    static final List<String> NAMES = List.of(Topics.INBOUND, Topics.INBOUND_DEAD_LETTER);

    private InboundTopics() {
    }

    /**
     * @param adminConfig     how to reach the cluster (bootstrap servers and any security settings)
     * @param partitions      partitions of a topic created here
     * @param maxRecordBytes  the largest record ingest-api may write
     * @param timeout         how long to wait for the cluster
     */
    static void ensure(Map<String, Object> adminConfig, int partitions, int maxRecordBytes, Duration timeout) {
        long timeoutMs = timeout.toMillis();
        try (Admin admin = Admin.create(adminConfig)) {
            int brokers = admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS).size();
            // three copies where the cluster has them; one on a single-broker development cluster
            short replication = (short) Math.min(3, Math.max(1, brokers));
            Map<String, String> configs = Map.of(
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxRecordBytes),
                    TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, replication >= 3 ? "2" : "1");
            List<NewTopic> wanted = NAMES.stream()
                    .map(name -> new NewTopic(name, partitions, replication).configs(configs))
                    .toList();
            List<String> existing = new ArrayList<>();
            for (var created : admin.createTopics(wanted).values().entrySet()) {
                try {
                    created.getValue().get(timeoutMs, TimeUnit.MILLISECONDS);
                    log.info("created Kafka topic {} ({} partitions, replication {})", created.getKey(), partitions, replication);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create Kafka topic " + created.getKey() + ": " + e.getCause(), e.getCause());
                    }
                    existing.add(created.getKey());
                }
            }
            warnAboutSmallRecordLimits(admin, existing, maxRecordBytes, timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the inbound topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + adminConfig.get("bootstrap.servers")
                    + " within " + timeout + " to create the inbound topics: " + e, e);
        }
    }

    /**
     * Topics created elsewhere may refuse large records; that is worth a warning, not a failed start.
     * The topics created here carry the right limit already.
     */
    private static void warnAboutSmallRecordLimits(Admin admin, List<String> topics, int maxRecordBytes, long timeoutMs)
            throws InterruptedException {
        if (topics.isEmpty()) {
            return;
        }
        List<ConfigResource> resources = topics.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        Map<ConfigResource, Config> described;
        try {
            described = admin.describeConfigs(resources).all().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("could not check {} of Kafka topics {}: {}", TopicConfig.MAX_MESSAGE_BYTES_CONFIG, topics, e.toString());
            return;
        }
        for (var topic : described.entrySet()) {
            ConfigEntry limit = topic.getValue().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            if (limit != null && limit.value() != null && Long.parseLong(limit.value()) < maxRecordBytes) {
                log.warn("Kafka topic {} accepts records of at most {} bytes, but ingest-api may write {} bytes: "
                                + "a large update or dead letter would be refused and its webhook answered 503 until {} is raised",
                        topic.getKey().name(), limit.value(), maxRecordBytes, TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            }
        }
    }
}
