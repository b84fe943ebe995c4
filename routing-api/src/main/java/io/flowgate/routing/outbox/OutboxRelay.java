package io.flowgate.routing.outbox;

import io.flowgate.routing.kafka.KafkaProperties;
import io.flowgate.routing.kafka.KafkaStatus;
import io.flowgate.routing.outbox.OutboxTable.Row;
import io.flowgate.routing.outbox.RelayProducer.Sent;
import io.flowgate.routing.system.DedicatedConnection;
import io.flowgate.routing.system.worker.Worker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.stereotype.Component;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Publishes committed outbox rows to Kafka and deletes them: the half of the transactional outbox that
 * turns "committed" into "published", even across a crash or a Kafka outage.
 *
 * <p>How it stays correct:
 * <ul>
 *   <li>One relay per database: every routing-api instance runs this worker, but only the one holding a
 *       PostgreSQL advisory lock publishes; the lock lives as long as the worker's own connection, so when
 *       that instance dies another takes over within a poll interval. A single publisher in {@code seq}
 *       order is what keeps one key's events in order on Kafka.</li>
 *   <li>Rows are selected, sent with an idempotent producer ({@code acks=all}), and deleted in the same
 *       transaction only once Kafka acknowledged them. A row is therefore never lost, and never published
 *       again once deleted. A crash after Kafka's acknowledgement but before the commit publishes those rows
 *       a second time, with the same {@code event_id}: consumers deduplicate by it (docs/events.md).</li>
 *   <li>Kafka unreachable: the relay waits (no client is touched, see {@link KafkaStatus}). A batch
 *       not acknowledged within {@code relay-ack-timeout} is given up and retried with backoff by a fresh
 *       producer. The outage's one warning and its end are logged by the Kafka watch ({@link KafkaStatus}); the relay warns
 *       only when Kafka is reachable and does not acknowledge.</li>
 *   <li>A row Kafka refuses for good (too large, invalid topic) is parked, not retried forever, so it
 *       cannot block the events behind it.</li>
 * </ul>
 * Woken by {@code LISTEN/NOTIFY} ({@link RelayWakeup}) within milliseconds of a commit; polls every
 * {@code relay-poll-interval} in case a wake-up was lost. After draining it writes the heartbeats that
 * keep the analytics' event time moving in quiet periods ({@link TransitionHeartbeats}).
 *
 * <p>This class is the worker loop and the leadership; the statements on the table are in
 * {@link OutboxTable}, sending and sorting Kafka's answers in {@link RelayProducer}.
 */
@Component
class OutboxRelay extends Worker {

    /** The advisory lock that makes one instance the relay; a constant that must never change ("Flowgate"). */
    static final long RELAY_LOCK = 0x466c6f7767617465L;
    /** {@code application_name} of the relay's connection, to find it in {@code pg_stat_activity}. */
    static final String APPLICATION_NAME = "flowgate-outbox-relay";

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final Duration METRICS_EVERY = Duration.ofSeconds(1);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final KafkaProperties properties;
    private final DataSourceProperties database;
    private final KafkaStatus kafka;
    private final RelayWakeup wakeup;
    private final Counter published;
    private final Counter publishErrors;
    private final TransitionHeartbeats heartbeats;
    private final RelayProducer producer;
    private volatile boolean active;
    private volatile long backlog;
    private volatile long parked;
    private volatile double oldestAgeAtRefresh;
    private volatile long refreshedAtNanos;

    // worker thread only
    private Connection connection;
    private long nextRefreshNanos;
    private boolean lastFailurePublishing;
    private PublishFailed lastPublishFailure;

    OutboxRelay(KafkaProperties properties, DataSourceProperties database, KafkaStatus kafka,
                RelayWakeup wakeup, MeterRegistry registry) {
        super("flowgate-outbox-relay", log, properties.relayPollInterval(), Duration.ofMillis(200), Duration.ofSeconds(10), STOP_GRACE);
        this.properties = properties;
        this.database = database;
        this.kafka = kafka;
        this.wakeup = wakeup;
        this.heartbeats = new TransitionHeartbeats(properties.heartbeatInterval(), Clock.systemUTC());
        this.producer = new RelayProducer(properties);
        this.published = Counter.builder("flowgate.outbox.published")
                .description("outbox events published to Kafka by this instance").register(registry);
        this.publishErrors = Counter.builder("flowgate.outbox.publish.errors")
                .description("outbox batches Kafka did not acknowledge (retried)").register(registry);
        Gauge.builder("flowgate.outbox.backlog", this, r -> r.backlog)
                .description("committed outbox events not yet published (parked ones excluded)").register(registry);
        Gauge.builder("flowgate.outbox.oldest.age", this, OutboxRelay::oldestAgeSeconds).baseUnit("seconds")
                .description("age of the oldest unpublished outbox event").register(registry);
        Gauge.builder("flowgate.outbox.parked", this, r -> r.parked)
                .description("outbox events Kafka refused for good, waiting for an operator").register(registry);
        Gauge.builder("flowgate.outbox.relay.active", this, r -> r.active ? 1 : 0)
                .description("1 on the instance that currently publishes the outbox").register(registry);
    }

    @Override
    protected void unblock() {
        if (active) {
            wakeup.wakeNow(); // ends the worker's wait for a notification at once
        }
    }

    @Override
    protected void abandon() {
        // still waiting for acknowledgements from a Kafka that does not answer: give the batch up,
        // its rows stay in the outbox for the next relay
        producer.abort();
    }

    @Override
    protected void stopped() {
        closeConnection();
        producer.close();
    }

    @Override
    public int getPhase() {
        return KafkaStatus.PHASE + 1;
    }

    /** Whether this instance currently holds the relay role. */
    boolean isActive() {
        return active;
    }

    @Override
    protected Step step() throws SQLException, InterruptedException {
        try {
            if (connection == null) {
                // a server that vanished without closing the socket must not hang the relay: 60 s, longer than any statement here
                connection = DedicatedConnection.open(database, APPLICATION_NAME, 60);
            }
            if (!active && tryBecomeRelay()) {
                log.info("this instance is now the outbox relay");
            }
            refreshBacklogIfDue();
            if (!active) {
                return Step.idleFor(properties.relayPollInterval());
            }
            if (!kafka.isAvailable()) {
                // an idle producer would retry, and log, about once a second for the whole outage
                producer.close();
                kafka.awaitAvailable(properties.relayPollInterval());
                // read the wake-ups that arrived meanwhile, so they do not pile up on the server
                connection.unwrap(PGConnection.class).getNotifications();
                return Step.WORKED;
            }
            PublishFailed failed = drain();
            if (failed != null) {
                return Step.failed(failed);
            }
            heartbeats.sendIfDue(connection, producer.producer());
            // wait for a commit's wake-up, or poll, or the next heartbeat
            long waitMillis = Math.min(properties.relayPollInterval().toMillis(), heartbeats.untilDue().toMillis());
            connection.unwrap(PGConnection.class).getNotifications((int) Math.max(1, waitMillis));
            return Step.WORKED;
        } catch (SQLException | RuntimeException e) {
            lastFailurePublishing = false;
            closeConnection();
            throw e;
        }
    }

    /** A batch Kafka did not acknowledge (its acknowledged rows are deleted); {@code waiting} rows stay in the outbox. */
    private static final class PublishFailed extends Exception {
        private final int waiting;

        PublishFailed(Throwable cause, int waiting) {
            super(cause);
            this.waiting = waiting;
        }
    }

    @Override
    protected String failureMessage(Throwable cause) {
        if (cause instanceof PublishFailed failed) {
            return "outbox relay cannot publish to Kafka although it is reachable (" + failed.getCause() + "); "
                    + failed.waiting + " event(s) of this batch stay in the outbox";
        }
        if (cause instanceof SQLException) {
            return "outbox relay lost its database connection (" + cause.getMessage() + "); events wait";
        }
        return "outbox relay failed (" + cause + ")";
    }

    /**
     * While Kafka is known to be away, the Kafka watch ({@link KafkaStatus}) has already logged the outage's one
     * warning and will log its end, so the relay adds nothing above debug; it warns (once, until it publishes
     * again) only when Kafka is reachable and still does not acknowledge.
     */
    @Override
    protected boolean worthWarning(Throwable cause) {
        return !(cause instanceof PublishFailed) || kafka.isAvailable();
    }

    @Override
    protected boolean isBug(Throwable cause) {
        // a bug must not end the worker for good (committed events would never be published), but its trace is wanted
        return cause instanceof RuntimeException;
    }

    @Override
    protected String recoveryMessage() {
        return lastFailurePublishing ? "outbox relay publishes again" : "outbox relay is connected to the database again";
    }

    /** Publishes batches until the outbox is empty; the failure when a batch failed and the relay should back off. */
    private PublishFailed drain() throws SQLException {
        while (running()) {
            Batch batch = publishBatch();
            if (batch == Batch.FAILED) {
                return lastPublishFailure;
            }
            if (batch == Batch.LAST) {
                return null;
            }
            refreshBacklogIfDue();
        }
        return null;
    }

    /** One transaction: select, publish, wait for the acks, delete. */
    private Batch publishBatch() throws SQLException {
        connection.setAutoCommit(false);
        try {
            List<Row> rows = OutboxTable.selectBatch(connection, properties.relayBatchSize());
            if (rows.isEmpty()) {
                connection.commit();
                return Batch.LAST;
            }
            Sent sent = producer.send(rows);
            OutboxTable.delete(connection, sent.acked());
            for (Map.Entry<Row, Throwable> poison : sent.poison().entrySet()) {
                OutboxTable.park(connection, poison.getKey(), poison.getValue());
            }
            connection.commit();
            published.increment(sent.acked().size());
            if (sent.failure() != null) {
                publishFailed(sent.failure(), rows.size() - sent.acked().size());
                return Batch.FAILED;
            }
            boolean handledAll = sent.acked().size() + sent.poison().size() == rows.size();
            return handledAll && rows.size() < properties.relayBatchSize() ? Batch.LAST : Batch.MORE;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw e;
        } finally {
            if (connection != null && !connection.isClosed()) {
                connection.setAutoCommit(true);
            }
        }
    }

    private void publishFailed(Throwable cause, int waiting) {
        publishErrors.increment();
        lastFailurePublishing = true;
        lastPublishFailure = new PublishFailed(cause, waiting);
    }

    private boolean tryBecomeRelay() throws SQLException {
        try (PreparedStatement st = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            st.setLong(1, RELAY_LOCK);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return false;
                }
            }
        }
        try (Statement st = connection.createStatement()) {
            st.execute("LISTEN " + RelayWakeup.CHANNEL);
        }
        active = true;
        return true;
    }

    private void refreshBacklogIfDue() throws SQLException {
        long now = System.nanoTime();
        if (now < nextRefreshNanos) {
            return;
        }
        OutboxTable.Backlog counted = OutboxTable.backlog(connection);
        backlog = counted.unsent();
        oldestAgeAtRefresh = counted.oldestAgeSeconds();
        parked = counted.parked();
        long took = System.nanoTime() - now;
        refreshedAtNanos = now;
        // counting a huge backlog (a long Kafka outage) must not eat the relay's time
        nextRefreshNanos = now + Math.max(METRICS_EVERY.toNanos(), 20 * took);
    }

    private double oldestAgeSeconds() {
        return backlog == 0 ? 0 : oldestAgeAtRefresh + (System.nanoTime() - refreshedAtNanos) / 1e9;
    }

    private void rollbackQuietly() {
        try {
            if (connection != null && !connection.isClosed()) {
                connection.rollback();
            }
        } catch (SQLException ignored) {
            // the connection is dropped by the caller
        }
    }

    private void closeConnection() {
        active = false;
        if (connection != null) {
            try {
                connection.close(); // releases the advisory lock: another instance takes over
            } catch (SQLException ignored) {
                // already broken
            }
            connection = null;
        }
    }

    private enum Batch { MORE, LAST, FAILED }
}
