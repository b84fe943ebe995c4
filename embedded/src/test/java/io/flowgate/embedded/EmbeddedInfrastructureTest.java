package io.flowgate.embedded;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedInfrastructureTest {

    @Test
    void eachCallGetsItsOwnDatabase() throws Exception {
        var pg = EmbeddedPostgresServer.shared();
        String a = pg.newDatabase("t");
        String b = pg.newDatabase("t");
        assertThat(a).isNotEqualTo(b);
        try (var c = DriverManager.getConnection(a, pg.user(), pg.password()); var st = c.createStatement()) {
            st.execute("CREATE TABLE only_in_a (x int)");
        }
        try (var c = DriverManager.getConnection(b, pg.user(), pg.password());
             var rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void brokerKeepsRecordsAcrossARestart() throws Exception {
        try (var broker = EmbeddedKafkaBroker.start(2)) {
            broker.createTopics(List.of("t"), 2);
            send(broker, "before");
            broker.stop();
            broker.start();
            send(broker, "after");
            assertThat(read(broker, 2)).containsExactly("before", "after");
        }
    }

    /** The embedded run's broker: a new broker on the same directory (as after a restart of the process). */
    @Test
    void aBrokerOnAKeptDirectoryComesBackWithItsTopicsRecordsAndCommittedOffsets(@TempDir Path home) throws Exception {
        Path dir = home.resolve("kafka");
        try (var broker = EmbeddedKafkaBroker.start(dir, 2)) {
            broker.createTopics(List.of("t"), 2);
            send(broker, "before");
            assertThat(read(broker, 1)).containsExactly("before");
        }
        try (var broker = EmbeddedKafkaBroker.start(dir, 2)) {
            send(broker, "after");
            assertThat(read(broker, 1)).as("group g resumes after what it had committed").containsExactly("after");
        }
    }

    private static void send(EmbeddedKafkaBroker broker, String value) throws Exception {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("t", "k", value)).get();
        }
    }

    private static List<String> read(EmbeddedKafkaBroker broker, int expected) {
        List<String> seen = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "g",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("t"));
            long deadline = System.currentTimeMillis() + 30_000;
            while (seen.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
            }
            consumer.commitSync();
        }
        return seen;
    }
}
