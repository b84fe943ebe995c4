package io.flowgate.events;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
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
 * Creates the Flowgate topics from their {@link TopicDefinition}s, and checks the ones that exist
 * against them: the only code that creates a {@code flowgate.*} topic, used by routing-api, ingest-api
 * and the embedded run alike. A missing topic is created with its partitions, replication and configs
 * (scaled to the cluster's size, see {@link TopicDefinition}). An existing topic is left as it is, and
 * each way it differs from its definition (partitions, replication factor, each config) is logged as one
 * warning naming the setting, what it is and what it should be. When two creators race, the one that
 * loses sees {@link TopicExistsException} and checks the winner's topic like any other existing one.
 */
public final class TopicSetup {

    private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);
    private static final Duration METADATA_SETTLES = Duration.ofSeconds(5);

    private TopicSetup() {
    }

    /**
     * Creates what is missing and warns about every difference of what exists.
     *
     * @return the names of the topics this call created
     * @throws TopicSetupException when the cluster cannot be reached within {@code timeout} or refuses to
     *                             create a topic for a reason other than authorization or policy
     */
    public static List<String> ensure(Admin admin, List<TopicDefinition> topics, Duration timeout) {
        long timeoutMs = timeout.toMillis();
        try {
            int brokers = admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS).size();
            List<NewTopic> wanted = topics.stream().map(t -> new NewTopic(t.name(), t.partitions(), (short) t.replicationOn(brokers))
                    .configs(t.configsOn(brokers))).toList();
            Map<String, KafkaFuture<Void>> results = admin.createTopics(wanted).values();
            List<String> created = new ArrayList<>();
            List<TopicDefinition> existing = new ArrayList<>();
            for (TopicDefinition topic : topics) {
                try {
                    results.get(topic.name()).get(timeoutMs, TimeUnit.MILLISECONDS);
                    created.add(topic.name());
                    log.info("created Kafka topic {} ({} partitions, replication {}, {})", topic.name(), topic.partitions(),
                            topic.replicationOn(brokers), topic.configsOn(brokers));
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof TopicExistsException) {
                        existing.add(topic);
                    } else if (cause instanceof AuthorizationException || cause instanceof PolicyViolationException) {
                        // a managed cluster where topics are provisioned by their owners: check what is there
                        log.warn("not allowed to create Kafka topic {} ({}); assuming it is provisioned elsewhere",
                                topic.name(), cause.getMessage());
                        existing.add(topic);
                    } else {
                        throw new TopicSetupException("cannot create Kafka topic " + topic.name() + ": " + cause, cause);
                    }
                }
            }
            check(admin, existing, brokers, timeoutMs);
            return created;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicSetupException("interrupted while setting up the Kafka topics", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new TopicSetupException("cannot reach Kafka within " + timeout + " to set up the topics: " + cause, cause);
        }
    }

    /** One warning per difference between an existing topic and its definition; never fails the caller. */
    private static void check(Admin admin, List<TopicDefinition> topics, int brokers, long timeoutMs) throws InterruptedException {
        for (TopicDefinition topic : topics) {
            try {
                TopicDescription described = describe(admin, topic.name(), timeoutMs);
                int partitions = described.partitions().size();
                if (partitions != topic.partitions()) {
                    log.warn("Kafka topic {} has {} partitions, Flowgate defines {}; partitions can only be added "
                            + "(kafka-topics --alter --partitions), which moves keys to other partitions", topic.name(), partitions, topic.partitions());
                }
                int replication = described.partitions().get(0).replicas().size();
                if (replication != topic.replicationOn(brokers)) {
                    log.warn("Kafka topic {} has replication factor {}, Flowgate defines {} on this {}-broker cluster; "
                            + "reassign its partitions (kafka-reassign-partitions)", topic.name(), replication, topic.replicationOn(brokers), brokers);
                }
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic.name());
                Config config = admin.describeConfigs(List.of(resource)).all().get(timeoutMs, TimeUnit.MILLISECONDS).get(resource);
                for (Map.Entry<String, String> wanted : topic.configsOn(brokers).entrySet()) {
                    ConfigEntry actual = config.get(wanted.getKey());
                    String value = actual == null ? null : actual.value();
                    if (!wanted.getValue().equals(value)) {
                        log.warn("Kafka topic {} has {}={}, Flowgate defines {}; set it with kafka-configs --alter "
                                        + "--entity-type topics --entity-name {} --add-config {}={}", topic.name(), wanted.getKey(), value,
                                wanted.getValue(), topic.name(), wanted.getKey(), wanted.getValue());
                    }
                }
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                log.warn("could not check the settings of Kafka topic {}: {}", topic.name(), cause.toString());
            }
        }
    }

    /** The topic's description; a topic another creator has only just made may take a moment to be known. */
    private static TopicDescription describe(Admin admin, String name, long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + METADATA_SETTLES.toNanos();
        while (true) {
            try {
                return admin.describeTopics(List.of(name)).topicNameValues().get(name).get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /** The topics could not be set up: Kafka unreachable, or a topic refused. */
    public static final class TopicSetupException extends IllegalStateException {
        TopicSetupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
