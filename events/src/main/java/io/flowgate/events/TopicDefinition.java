package io.flowgate.events;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How one Kafka topic is to be set up: the single description every creator of the topic uses
 * ({@link TopicSetup}), so that whichever service starts first creates it the same way.
 *
 * <p>The replication factor and {@code min.insync.replicas} are the production values. On a smaller
 * cluster (a single development or embedded broker) they are scaled down, never up:
 * replication = min(configured, brokers) and min.insync.replicas = min(configured, replication). A
 * three-broker cluster thus gets three copies with two needed for an {@code acks=all} write; a single
 * broker gets one of each instead of refusing to create the topic.
 *
 * @param name              the topic name (see {@link Topics})
 * @param partitions        partitions of a topic created here (a creator may take this from its own setting)
 * @param replicationFactor copies of each partition on a cluster with at least that many brokers
 * @param minInsyncReplicas copies that must have a record before an {@code acks=all} write is acknowledged
 * @param maxMessageBytes   the largest record batch the topic accepts ({@code max.message.bytes})
 * @param retention         how long records are kept ({@code retention.ms})
 * @param cleanupPolicy     {@code delete} or {@code compact} ({@code cleanup.policy})
 * @param purpose           one line for the documentation table
 */
public record TopicDefinition(String name, int partitions, int replicationFactor, int minInsyncReplicas,
                              int maxMessageBytes, Duration retention, String cleanupPolicy, String purpose) {

    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String RETENTION_MS = "retention.ms";
    public static final String CLEANUP_POLICY = "cleanup.policy";

    public TopicDefinition {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a topic needs a name");
        }
        if (partitions < 1 || replicationFactor < 1 || minInsyncReplicas < 1 || maxMessageBytes < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions, replication, min.insync.replicas "
                    + "and max.message.bytes must be positive");
        }
        if (minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("topic " + name + ": min.insync.replicas " + minInsyncReplicas
                    + " exceeds the replication factor " + replicationFactor);
        }
        if (retention == null || retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("topic " + name + ": retention must be positive");
        }
        if (!cleanupPolicy.equals("delete") && !cleanupPolicy.equals("compact")) {
            throw new IllegalArgumentException("topic " + name + ": cleanup policy must be delete or compact");
        }
    }

    /** The same topic with another partition count (a creator's own setting). */
    public TopicDefinition withPartitions(int count) {
        return new TopicDefinition(name, count, replicationFactor, minInsyncReplicas, maxMessageBytes, retention, cleanupPolicy, purpose);
    }

    /** The same topic keeping its records for {@code time} (a throwaway test broker replaying old days). */
    public TopicDefinition withRetention(Duration time) {
        return new TopicDefinition(name, partitions, replicationFactor, minInsyncReplicas, maxMessageBytes, time, cleanupPolicy, purpose);
    }

    /** The same topic accepting records of at least {@code bytes} (a creator that may write larger ones). */
    public TopicDefinition withMaxMessageBytesAtLeast(int bytes) {
        return new TopicDefinition(name, partitions, replicationFactor, minInsyncReplicas, Math.max(maxMessageBytes, bytes),
                retention, cleanupPolicy, purpose);
    }

    /** The replication factor on a cluster of {@code brokers} brokers: min(configured, brokers). */
    public int replicationOn(int brokers) {
        return Math.max(1, Math.min(replicationFactor, brokers));
    }

    /** {@code min.insync.replicas} on a cluster of {@code brokers} brokers: min(configured, replication). */
    public int minInsyncReplicasOn(int brokers) {
        return Math.min(minInsyncReplicas, replicationOn(brokers));
    }

    /** The topic configs to create it with, and to compare an existing topic against, on a cluster of {@code brokers}. */
    public Map<String, String> configsOn(int brokers) {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put(MIN_INSYNC_REPLICAS, Integer.toString(minInsyncReplicasOn(brokers)));
        configs.put(MAX_MESSAGE_BYTES, Integer.toString(maxMessageBytes));
        configs.put(RETENTION_MS, Long.toString(retention.toMillis()));
        configs.put(CLEANUP_POLICY, cleanupPolicy);
        return configs;
    }
}
