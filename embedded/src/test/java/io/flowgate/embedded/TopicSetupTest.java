package io.flowgate.embedded;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.flowgate.events.TopicDefinition;
import io.flowgate.events.TopicSetup;
import io.flowgate.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link TopicSetup} against a real single-broker KRaft cluster: what it creates, what it warns about, races. */
class TopicSetupTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static EmbeddedKafkaBroker broker;
    private static Admin admin;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger setupLog = (Logger) LoggerFactory.getLogger(TopicSetup.class);

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(1);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    @AfterAll
    static void stopBroker() {
        admin.close();
        broker.close();
    }

    @BeforeEach
    void captureLogs() {
        logs.start();
        setupLog.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        setupLog.detachAppender(logs);
    }

    @Test
    void everyFlowgateTopicIsCreatedAsDefinedScaledToOneBroker() throws Exception {
        List<String> created = TopicSetup.ensure(admin, Topics.DEFINITIONS, TIMEOUT);

        assertThat(created).containsExactlyInAnyOrderElementsOf(Topics.ALL);
        for (TopicDefinition topic : Topics.DEFINITIONS) {
            var description = admin.describeTopics(List.of(topic.name())).allTopicNames().get().get(topic.name());
            assertThat(description.partitions()).hasSize(topic.partitions());
            assertThat(description.partitions().get(0).replicas()).hasSize(1);
            Config config = config(topic.name());
            assertThat(config.get("min.insync.replicas").value()).isEqualTo("1");
            assertThat(config.get("max.message.bytes").value()).isEqualTo(Integer.toString(topic.maxMessageBytes()));
            assertThat(config.get("retention.ms").value()).isEqualTo(Long.toString(topic.retention().toMillis()));
            assertThat(config.get("cleanup.policy").value()).isEqualTo(topic.cleanupPolicy());
        }
        assertThat(warnings()).isEmpty();

        // a second start finds them all as defined: nothing created, nothing to warn about
        assertThat(TopicSetup.ensure(admin, Topics.DEFINITIONS, TIMEOUT)).isEmpty();
        assertThat(warnings()).isEmpty();
    }

    @Test
    void anExistingTopicThatDiffersGetsOneWarningPerDifference() throws Exception {
        TopicDefinition defined = new TopicDefinition("drift.inbound", 4, 3, 2, 2_000_000, Duration.ofDays(7), "delete", "test");
        admin.createTopics(List.of(new NewTopic(defined.name(), 2, (short) 1).configs(Map.of(
                "max.message.bytes", "1000",
                "retention.ms", "3600000",
                "cleanup.policy", "compact")))).all().get();

        assertThat(TopicSetup.ensure(admin, List.of(defined), TIMEOUT)).isEmpty();

        List<String> warnings = warnings();
        assertThat(warnings).hasSize(4).allMatch(w -> w.contains("drift.inbound"));
        assertThat(warnings).filteredOn(w -> w.contains("has 2 partitions, Flowgate defines 4")).hasSize(1);
        assertThat(warnings).filteredOn(w -> w.contains("max.message.bytes=1000, Flowgate defines 2000000")).hasSize(1);
        assertThat(warnings).filteredOn(w -> w.contains("retention.ms=3600000, Flowgate defines 604800000")).hasSize(1);
        assertThat(warnings).filteredOn(w -> w.contains("cleanup.policy=compact, Flowgate defines delete")).hasSize(1);
        // left as it was: a warning, not a silent change of someone else's topic
        assertThat(config(defined.name()).get("max.message.bytes").value()).isEqualTo("1000");
    }

    @Test
    void twoCreatorsRacingCreateEachTopicOnceAndNeitherFails() throws Exception {
        List<TopicDefinition> topics = List.of(
                new TopicDefinition("race.a", 3, 3, 2, 2_000_000, Duration.ofDays(2), "delete", "test"),
                new TopicDefinition("race.b", 2, 3, 2, 1_500_000, Duration.ofDays(3), "delete", "test"));
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<String>>> creators = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                creators.add(pool.submit(() -> {
                    try (Admin own = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                        own.describeCluster().nodes().get(); // connected before the race starts
                        start.await();
                        return TopicSetup.ensure(own, topics, TIMEOUT);
                    }
                }));
            }
            List<String> createdByEither = new ArrayList<>();
            for (Future<List<String>> creator : creators) {
                createdByEither.addAll(creator.get());
            }
            assertThat(createdByEither).containsExactlyInAnyOrder("race.a", "race.b");
        } finally {
            pool.shutdownNow();
        }
        assertThat(warnings()).isEmpty();
        assertThat(config("race.a").get("retention.ms").value()).isEqualTo(Long.toString(Duration.ofDays(2).toMillis()));
        assertThat(config("race.b").get("max.message.bytes").value()).isEqualTo("1500000");
    }

    private List<String> warnings() {
        return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static Config config(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }
}
