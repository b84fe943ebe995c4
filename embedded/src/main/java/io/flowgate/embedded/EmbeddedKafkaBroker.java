package io.flowgate.embedded;

import io.flowgate.events.TopicDefinition;
import io.flowgate.events.TopicSetup;
import io.flowgate.events.Topics;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real Kafka broker (KRaft, broker and controller combined) running inside this JVM. Its data
 * directory and ports survive {@link #stop()}, so a test can stop the broker and {@link #start()} it
 * again to simulate an outage. The embedded run uses it when {@code KAFKA_BOOTSTRAP_SERVERS} is not set,
 * with its data in the run's home ({@link #start(Path, int)}), so topics, records and committed offsets
 * survive a restart of the process.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final Path logDir;
    private final int port;
    private final int controllerPort;
    private final int defaultPartitions;
    private static final Duration THROWAWAY_RETENTION = Duration.ofDays(365L * 100);
    private final boolean kept;
    private KafkaRaftServer server;

    private EmbeddedKafkaBroker(Path logDir, int port, int controllerPort, int defaultPartitions, boolean kept) {
        this.logDir = logDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.defaultPartitions = defaultPartitions;
        this.kept = kept;
    }

    /** Formats a fresh data directory and starts a broker on free ports; it deletes no record by age. */
    public static EmbeddedKafkaBroker start(int defaultPartitions) {
        return start(0, defaultPartitions);
    }

    /** Formats a fresh data directory and starts a broker on {@code port} (0: a free one). */
    public static EmbeddedKafkaBroker start(int port, int defaultPartitions) {
        try {
            Path dir = Files.createTempDirectory("flowgate-kafka-");
            var broker = new EmbeddedKafkaBroker(dir, port > 0 ? port : freePort(), freePort(), defaultPartitions, false);
            broker.format();
            broker.start();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "embedded-kafka-stop"));
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("embedded Kafka did not start", e);
        }
    }

    /**
     * Starts a broker on free ports whose data (log dirs and KRaft metadata) lives in {@code dataDirectory}
     * and survives the process: the directory is formatted only when it holds no broker yet, and a later
     * start reuses its cluster id, topics, records and committed offsets. The caller stops the broker.
     */
    public static EmbeddedKafkaBroker start(Path dataDirectory, int defaultPartitions) {
        try {
            Files.createDirectories(dataDirectory);
            var broker = new EmbeddedKafkaBroker(dataDirectory, freePort(), freePort(), defaultPartitions, true);
            if (Files.exists(dataDirectory.resolve("data").resolve("meta.properties"))) {
                log.info("embedded Kafka: reusing the data in {}", dataDirectory);
            } else {
                broker.format();
            }
            broker.start();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("embedded Kafka did not start in " + dataDirectory, e);
        }
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /** Starts the broker (again) on the same ports and data directory. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        long started = System.nanoTime();
        KafkaRaftServer s = new KafkaRaftServer(KafkaConfig.fromProps(config(), false), Time.SYSTEM);
        s.startup();
        server = s;
        log.info("embedded Kafka on {} ({} ms)", bootstrapServers(), (System.nanoTime() - started) / 1_000_000);
    }

    /** Stops the broker, keeping its data: {@link #start()} brings the same topics and offsets back. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
        log.info("embedded Kafka on {} stopped", bootstrapServers());
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /**
     * Creates the topics that do not exist yet, each with {@code partitions} partitions: a Flowgate topic
     * as {@link Topics#DEFINITIONS} describes it, any other (a test's own) with Kafka's defaults.
     */
    public void createTopics(Collection<String> topics, int partitions) {
        List<TopicDefinition> wanted = definitions(topics, partitions);
        if (!kept) {
            // retention goes by record timestamps, and a topic's retention.ms overrides the broker's "keep
            // everything": a test replaying a day from weeks ago would see its records deleted under it
            wanted = wanted.stream().map(topic -> topic.withRetention(THROWAWAY_RETENTION)).toList();
        }
        ensure(bootstrapServers(), wanted);
    }

    /**
     * Creates missing topics on any cluster through {@link TopicSetup}, which also warns about every way
     * an existing Flowgate topic differs from its definition.
     */
    public static void createTopics(String bootstrapServers, Collection<String> topics, int partitions) {
        ensure(bootstrapServers, definitions(topics, partitions));
    }

    private static List<TopicDefinition> definitions(Collection<String> topics, int partitions) {
        return topics.stream()
                .map(name -> Topics.definition(name).orElseGet(() -> testTopic(name)).withPartitions(partitions))
                .toList();
    }

    private static void ensure(String bootstrapServers, List<TopicDefinition> wanted) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            TopicSetup.ensure(admin, wanted, Duration.ofSeconds(30));
        }
    }

    /** The configuration of {@code topic} as the broker describes it (every entry with a value), and its partition count. */
    public Map<String, String> describeTopic(String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Map<String, String> described = new TreeMap<>();
            admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource).entries().stream()
                    .filter(e -> e.value() != null).forEach(e -> described.put(e.name(), e.value()));
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().size();
            described.put("partitions", Integer.toString(partitions));
            return described;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe topic " + topic + ": " + e, e);
        }
    }

    private static TopicDefinition testTopic(String name) {
        return new TopicDefinition(name, 1, 3, 1, 1_048_588, Duration.ofDays(7), "delete", "a test's own topic");
    }

    @Override
    public void close() {
        stop();
    }

    private void format() throws IOException {
        Path cfg = logDir.resolve("format.properties");
        try (var out = Files.newBufferedWriter(cfg)) {
            config().store(out, "flowgate embedded kafka");
        }
        var output = new ByteArrayOutputStream();
        int rc = StorageTool.execute(new String[]{"format", "-t", Uuid.randomUuid().toString(), "-c", cfg.toString()},
                new PrintStream(output, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            throw new IllegalStateException("kafka storage format failed: " + output.toString(StandardCharsets.UTF_8));
        }
    }

    private Properties config() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        p.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.resolve("data").toString());
        p.put("num.partitions", Integer.toString(defaultPartitions));
        p.put("auto.create.topics.enable", "true");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("log.cleaner.enable", "false");
        // Retention goes by record timestamps: a replayed or simulated day from weeks ago would be deleted 30 s
        // after start. A throwaway broker keeps everything; a kept one (the embedded run) keeps 7 days.
        p.put("log.retention.ms", kept ? Long.toString(Duration.ofDays(7).toMillis()) : "-1");
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
