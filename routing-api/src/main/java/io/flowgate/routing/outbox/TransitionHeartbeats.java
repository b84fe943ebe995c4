package io.flowgate.routing.outbox;

import io.flowgate.events.EventJson;
import io.flowgate.events.Heartbeat;
import io.flowgate.events.Topics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The outbox relay's heartbeats: one {@link Heartbeat} record on every partition of
 * {@link Topics#TRANSITIONS} every {@code heartbeat-interval}, so that the analytics job's event time moves
 * on while no user does anything (a session abandoned in a quiet evening is flagged stale
 * {@code stale-after} later, not the next morning), through records a batch replay reads too.
 *
 * <p>A heartbeat must never claim a time for which a transition is still to come. Its time is therefore
 * min(now, event time of the oldest committed outbox row not yet published), taken after the relay drained
 * the outbox and before the rows behind the heartbeat could be published: a committed transition is never
 * behind a heartbeat of a later time. What no query can see is a transaction still in flight (its event
 * time was taken, it has not committed yet); the analytics job's {@code --out-of-orderness} (2 s) is the
 * bound for that, as it is for endpoint requests, which travel straight to Kafka. A transaction that takes
 * longer than that from its event time to its commit makes its transition late (docs/events.md). Parked
 * rows do not hold heartbeats back: they wait for an operator, and are late when they are finally sent.
 *
 * <p>Only the relay (the instance holding the advisory lock) sends them, on its own thread and producer,
 * so they are ordered on each partition with the rows the relay publishes.
 */
final class TransitionHeartbeats {

    private static final Logger log = LoggerFactory.getLogger(TransitionHeartbeats.class);

    private final Duration interval;
    private final Clock clock;
    private long nextDueNanos;
    private Instant lastSent = Instant.EPOCH;
    private volatile boolean failing;

    TransitionHeartbeats(Duration interval, Clock clock) {
        this.interval = interval;
        this.clock = clock;
    }

    /** How long the relay may wait before the next heartbeat is due (zero when it is due). */
    Duration untilDue() {
        return Duration.ofNanos(Math.max(0, nextDueNanos - System.nanoTime()));
    }

    /**
     * Sends one heartbeat per partition when the interval has passed. Call it only right after the relay
     * drained the outbox, on the relay's thread and with its producer. Sends are not waited for: a lost
     * heartbeat is replaced by the next one.
     */
    void sendIfDue(Connection connection, Producer<String, byte[]> producer) throws SQLException {
        long nowNanos = System.nanoTime();
        if (nowNanos < nextDueNanos) {
            return;
        }
        nextDueNanos = nowNanos + interval.toNanos();
        Instant now = clock.instant(); // before the query: a row committed before it is seen by it
        Instant oldest = oldestUnsent(connection);
        Instant at = oldest != null && oldest.isBefore(now) ? oldest : now;
        if (!at.isAfter(lastSent)) {
            return; // event time only moves forward; the same heartbeat twice says nothing new
        }
        List<PartitionInfo> partitions;
        try {
            partitions = producer.partitionsFor(Topics.TRANSITIONS);
        } catch (RuntimeException e) {
            sendFailed(e);
            return;
        }
        for (PartitionInfo partition : partitions) {
            Heartbeat heartbeat = Heartbeat.of(at, partition.partition());
            RecordHeaders headers = new RecordHeaders();
            headers.add("event_id", heartbeat.eventId().getBytes(StandardCharsets.UTF_8));
            try {
                producer.send(new ProducerRecord<>(Topics.TRANSITIONS, partition.partition(), null, heartbeat.key(),
                        EventJson.toBytes(heartbeat), headers), (metadata, e) -> {
                            if (e != null) {
                                sendFailed(e);
                            }
                        });
            } catch (RuntimeException e) {
                sendFailed(e);
                return;
            }
        }
        lastSent = at;
        if (failing) {
            failing = false;
            log.info("outbox relay sends heartbeats again");
        }
    }

    private static Instant oldestUnsent(Connection connection) throws SQLException {
        try {
            return OutboxTable.oldestUnsent(connection);
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("22")) {
                // a row whose event_time is not a time (not written by EventJson): it cannot hold anything back
                log.debug("oldest outbox row has no readable event_time: {}", e.getMessage());
                return null;
            }
            throw e;
        }
    }

    private void sendFailed(Exception e) {
        if (!failing) {
            failing = true;
            log.warn("outbox relay cannot send heartbeats to {} ({}); analytics event time waits", Topics.TRANSITIONS, e.toString());
        }
    }
}
