package io.flowgate.routing.outbox;

import io.flowgate.embedded.EmbeddedPostgresServer;
import io.flowgate.events.EventJson;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.Heartbeat;
import io.flowgate.events.Topics;
import io.flowgate.schema.FlowgateSchema;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.DefaultPartitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay's heartbeats against a real outbox table: one per partition of the transitions topic, at the
 * time of the oldest committed transition still to publish when there is one, never going backwards.
 * Kafka's own {@link MockProducer} records what is sent (the relay with a broker is {@code OutboxRelayTest}).
 */
class TransitionHeartbeatsTest {

    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    private static final int PARTITIONS = 4;

    private String url;
    private MockProducer<String, byte[]> producer;

    @BeforeEach
    void freshOutboxAndProducer() {
        url = EmbeddedPostgresServer.shared().newDatabase("heartbeats");
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url);
        ds.setUser(EmbeddedPostgresServer.shared().user());
        FlowgateSchema.migrate(ds);
        Node node = new Node(0, "localhost", 9092);
        List<PartitionInfo> partitions = IntStream.range(0, PARTITIONS)
                .mapToObj(p -> new PartitionInfo(Topics.TRANSITIONS, p, node, new Node[]{node}, new Node[]{node})).toList();
        Cluster cluster = new Cluster("test", List.of(node), partitions, Set.of(), Set.of());
        producer = new MockProducer<>(cluster, true, new DefaultPartitioner(), new StringSerializer(), new ByteArraySerializer());
    }

    @Test
    void everyPartitionGetsOneAtNowWhenNothingWaits() throws Exception {
        TransitionHeartbeats heartbeats = new TransitionHeartbeats(Duration.ofSeconds(1), Clock.fixed(NOW, ZoneOffset.UTC));
        try (Connection c = connect()) {
            heartbeats.sendIfDue(c, producer);
        }
        assertThat(sent()).extracting(Heartbeat::partition).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(sent()).extracting(Heartbeat::eventTime).containsOnly(NOW);
        assertThat(producer.history()).allSatisfy(r -> {
            assertThat(r.topic()).isEqualTo(Topics.TRANSITIONS);
            assertThat(r.partition()).isEqualTo(((Heartbeat) EventJson.fromBytes(r.value())).partition());
        });
    }

    @Test
    void aCommittedTransitionNotYetPublishedHoldsTheHeartbeatAtItsEventTime() throws Exception {
        Instant waiting = NOW.minus(Duration.ofMinutes(3));
        try (Connection c = connect()) {
            append(c, waiting, false);
            append(c, NOW.minus(Duration.ofMinutes(1)), false);
            append(c, NOW.minus(Duration.ofHours(5)), true); // parked: waits for an operator, holds nothing back
            new TransitionHeartbeats(Duration.ofSeconds(1), Clock.fixed(NOW, ZoneOffset.UTC)).sendIfDue(c, producer);
        }
        assertThat(sent()).hasSize(PARTITIONS).extracting(Heartbeat::eventTime).containsOnly(waiting);
    }

    @Test
    void heartbeatsFollowTheIntervalAndNeverRepeatOrGoBack() throws Exception {
        MutableClock clock = new MutableClock(NOW);
        TransitionHeartbeats heartbeats = new TransitionHeartbeats(Duration.ofMillis(50), clock);
        try (Connection c = connect()) {
            heartbeats.sendIfDue(c, producer);
            heartbeats.sendIfDue(c, producer); // not due yet
            assertThat(sent()).hasSize(PARTITIONS);

            Thread.sleep(60);
            heartbeats.sendIfDue(c, producer); // due, but the time has not moved: nothing new to say
            assertThat(sent()).hasSize(PARTITIONS);

            clock.now = NOW.plusSeconds(1);
            append(c, NOW.minusSeconds(10), false); // committed late, with an older time: cannot move time back
            Thread.sleep(60);
            heartbeats.sendIfDue(c, producer);
            assertThat(sent()).hasSize(PARTITIONS);

            c.createStatement().execute("DELETE FROM outbox");
            Thread.sleep(60);
            heartbeats.sendIfDue(c, producer);
        }
        assertThat(sent()).hasSize(2 * PARTITIONS).extracting(Heartbeat::eventTime).containsOnly(NOW, NOW.plusSeconds(1));
    }

    private List<Heartbeat> sent() {
        return producer.history().stream().map(ProducerRecord::value).map(EventJson::fromBytes).map(Heartbeat.class::cast).toList();
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(url, EmbeddedPostgresServer.shared().user(), EmbeddedPostgresServer.shared().password());
    }

    private static void append(Connection c, Instant eventTime, boolean parked) throws Exception {
        FlowTransition t = new FlowTransition("t-" + System.nanoTime(), eventTime, "flow", "s", "u", eventTime, "", "A",
                "INIT", Map.of(), false, false, FlowTransition.SOURCE_FLOW);
        try (PreparedStatement st = c.prepareStatement("INSERT INTO outbox (event_id, topic, record_key, payload, parked_at) "
                + "VALUES (?, ?, ?, CAST(? AS json), " + (parked ? "now()" : "NULL") + ")")) {
            st.setString(1, t.eventId());
            st.setString(2, Topics.TRANSITIONS);
            st.setString(3, t.key());
            st.setString(4, EventJson.toJson(t));
            st.executeUpdate();
        }
    }

    private static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
