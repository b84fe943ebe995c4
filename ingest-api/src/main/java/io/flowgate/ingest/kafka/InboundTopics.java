package io.flowgate.ingest.kafka;

import io.flowgate.events.TopicDefinition;
import io.flowgate.events.TopicSetup;
import io.flowgate.events.Topics;
import org.apache.kafka.clients.admin.Admin;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Makes sure {@code flowgate.inbound}, its dead-letter topic and {@code flowgate.meta-health} exist before the first webhook is
 * accepted, so that no acknowledgement depends on the broker's auto-creation (often off in
 * production, and then every write would wait until the ack timeout). They are created as
 * {@link Topics#DEFINITIONS} describes them, through {@link TopicSetup} like every other creator, able
 * to hold a record as large as the largest accepted body (a dead letter is a whole raw body, and a
 * single update may be large). Topics that already exist are left as they are, with one warning per
 * setting that differs.
 */
final class InboundTopics {

    static final List<String> NAMES = List.of(Topics.INBOUND, Topics.INBOUND_DEAD_LETTER, Topics.META_HEALTH);

    private InboundTopics() {
    }

    /**
     * @param adminConfig     how to reach the cluster (bootstrap servers and any security settings)
     * @param partitions      partitions of a topic created here
     * @param maxRecordBytes  the largest record ingest-api may write
     * @param timeout         how long to wait for the cluster
     */
    static void ensure(Map<String, Object> adminConfig, int partitions, int maxRecordBytes, Duration timeout) {
        try (Admin admin = Admin.create(adminConfig)) {
            TopicSetup.ensure(admin, definitions(partitions, maxRecordBytes), timeout);
        } catch (TopicSetup.TopicSetupException e) {
            throw new IllegalStateException("Kafka at " + adminConfig.get("bootstrap.servers") + ": " + e.getMessage(), e);
        }
    }

    static List<TopicDefinition> definitions(int partitions, int maxRecordBytes) {
        return Topics.definitions(NAMES).stream()
                .map(topic -> topic.withPartitions(partitions).withMaxMessageBytesAtLeast(maxRecordBytes))
                .toList();
    }
}
