package io.flowgate.routing.outbox;

import io.flowgate.routing.kafka.KafkaProperties;
import io.flowgate.routing.kafka.KafkaStatus;
import io.flowgate.routing.system.Backoff;
import io.flowgate.routing.system.DedicatedConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
 */
@Component
class OutboxRelay implements SmartLifecycle {

    /** The advisory lock that makes one instance the relay; a constant that must never change ("Flowgate"). */
    static final long RELAY_LOCK = 0x466c6f7767617465L;
    /** {@code application_name} of the relay's connection, to find it in {@code pg_stat_activity}. */
    static final String APPLICATION_NAME = "flowgate-outbox-relay";

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final Duration METRICS_EVERY = Duration.ofSeconds(1);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final Duration ABORTED_BATCH_GRACE = Duration.ofSeconds(5);

    private static final String SELECT_BATCH = """
            SELECT event_id, topic, record_key, payload::text FROM outbox
            WHERE parked_at IS NULL ORDER BY seq LIMIT ? FOR UPDATE""";
    private static final String BACKLOG = """
            SELECT count(*) FILTER (WHERE parked_at IS NULL),
                   coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE parked_at IS NULL)), 0),
                   count(*) FILTER (WHERE parked_at IS NOT NULL)
            FROM outbox""";

    private final KafkaProperties properties;
    private final DataSourceProperties database;
    private final KafkaStatus kafka;
    private final RelayWakeup wakeup;
    private final Counter published;
    private final Counter publishErrors;
    private final TransitionHeartbeats heartbeats;
    private final Object signal = new Object();

    private volatile boolean running;
    private volatile boolean active;
    private volatile Producer<String, byte[]> producer;
    private volatile long backlog;
    private volatile long parked;
    private volatile double oldestAgeAtRefresh;
    private volatile long refreshedAtNanos;
    private Thread worker;

    // worker thread only
    private Connection connection;
    private long nextRefreshNanos;
    private final Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10));
    private long publishFailingSinceNanos = -1;
    private boolean publishFailureWarned;
    private boolean databaseFailing;

    OutboxRelay(KafkaProperties properties, DataSourceProperties database, KafkaStatus kafka,
                RelayWakeup wakeup, MeterRegistry registry) {
        this.properties = properties;
        this.database = database;
        this.kafka = kafka;
        this.wakeup = wakeup;
        this.heartbeats = new TransitionHeartbeats(properties.heartbeatInterval(), Clock.systemUTC());
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
    public void start() {
        running = true;
        worker = new Thread(this::work, "flowgate-outbox-relay");
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public void stop() {
        running = false;
        synchronized (signal) {
            signal.notifyAll();
        }
        if (worker == null) {
            return;
        }
        if (active) {
            wakeup.wakeNow(); // ends the worker's wait for a notification at once
        }
        join(STOP_GRACE);
        if (worker.isAlive()) {
            // still waiting for acknowledgements from a Kafka that does not answer: give the batch up,
            // its rows stay in the outbox for the next relay
            abortProducer();
            join(STOP_GRACE);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return KafkaStatus.PHASE + 1;
    }

    /** Whether this instance currently holds the relay role. */
    boolean isActive() {
        return active;
    }

    private void work() {
        while (running) {
            try {
                if (connection == null) {
                    // a server that vanished without closing the socket must not hang the relay: 60 s, longer than any statement here
                    connection = DedicatedConnection.open(database, APPLICATION_NAME, 60);
                }
                if (!active && tryBecomeRelay()) {
                    log.info("this instance is now the outbox relay");
                }
                if (databaseFailing) {
                    databaseFailing = false;
                    backoff.reset();
                    log.info("outbox relay is connected to the database again");
                }
                refreshBacklogIfDue();
                if (!active) {
                    pause(properties.relayPollInterval());
                } else if (!kafka.isAvailable()) {
                    // an idle producer would retry, and log, about once a second for the whole outage
                    closeProducer();
                    kafka.awaitAvailable(properties.relayPollInterval());
                    // read the wake-ups that arrived meanwhile, so they do not pile up on the server
                    connection.unwrap(PGConnection.class).getNotifications();
                } else if (drain()) {
                    backoff.reset();
                    heartbeats.sendIfDue(connection, producer());
                    // wait for a commit's wake-up, or poll, or the next heartbeat
                    long waitMillis = Math.min(properties.relayPollInterval().toMillis(), heartbeats.untilDue().toMillis());
                    connection.unwrap(PGConnection.class).getNotifications((int) Math.max(1, waitMillis));
                } else {
                    pause(backoff.next());
                }
            } catch (SQLException e) {
                if (running && !databaseFailing) {
                    databaseFailing = true;
                    log.warn("outbox relay lost its database connection ({}); events wait, retrying with backoff", e.getMessage());
                }
                closeConnection();
                pause(backoff.next());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                // a bug must not end the worker for good: committed events would never be published
                log.error("outbox relay failed; retrying", e);
                closeConnection();
                pause(backoff.next());
            }
        }
        closeConnection();
        closeProducer();
    }

    /** Publishes batches until the outbox is empty; false when a batch failed and the relay should back off. */
    private boolean drain() throws SQLException {
        while (running) {
            Batch batch = publishBatch();
            if (batch != Batch.MORE) {
                return batch == Batch.LAST;
            }
            refreshBacklogIfDue();
        }
        return true;
    }

    /** One transaction: select, publish, wait for the acks, delete. */
    private Batch publishBatch() throws SQLException {
        connection.setAutoCommit(false);
        try {
            List<Row> rows = selectBatch();
            if (rows.isEmpty()) {
                connection.commit();
                return Batch.LAST;
            }
            Sent sent = send(rows);
            delete(sent.acked());
            for (Map.Entry<Row, Throwable> poison : sent.poison().entrySet()) {
                park(poison.getKey(), poison.getValue());
            }
            connection.commit();
            published.increment(sent.acked().size());
            if (sent.failure() != null) {
                publishFailed(sent.failure(), rows.size() - sent.acked().size());
                return Batch.FAILED;
            }
            publishSucceeded();
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

    private List<Row> selectBatch() throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement(SELECT_BATCH)) {
            st.setInt(1, properties.relayBatchSize());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
        }
        return rows;
    }

    /** Sends the rows in order and waits for Kafka's answers; never throws. */
    private Sent send(List<Row> rows) {
        List<Future<RecordMetadata>> futures = new ArrayList<>(rows.size());
        try {
            Producer<String, byte[]> p = producer();
            for (Row row : rows) {
                Future<RecordMetadata> future;
                try {
                    future = p.send(record(row));
                } catch (RuntimeException e) {
                    future = CompletableFuture.failedFuture(e);
                }
                futures.add(future);
                if (future.isDone() && !succeeded(future)) {
                    break; // refused at once: the rows behind it (maybe the same key) must not overtake it
                }
            }
        } catch (RuntimeException cannotCreateProducer) {
            return new Sent(List.of(), Map.of(), cannotCreateProducer);
        }
        List<Row> acked = new ArrayList<>(futures.size());
        Map<Row, Throwable> poison = new LinkedHashMap<>();
        Throwable failure = null;
        long deadline = System.nanoTime() + properties.relayAckTimeout().toNanos();
        boolean aborted = false;
        for (int i = 0; i < futures.size(); i++) {
            Row row = rows.get(i);
            try {
                futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                acked.add(row);
            } catch (ExecutionException e) {
                if (isPoison(e.getCause())) {
                    poison.put(row, e.getCause());
                } else if (failure == null) {
                    failure = e.getCause();
                }
            } catch (TimeoutException e) {
                if (aborted) {
                    break;
                }
                // no answer in time: stop this producer so every pending send fails now, and collect what
                // was acknowledged before; the rest is retried by a fresh producer
                failure = new TimeoutException("Kafka did not acknowledge within " + properties.relayAckTimeout());
                abortProducer();
                aborted = true;
                deadline = System.nanoTime() + ABORTED_BATCH_GRACE.toNanos();
                i--;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e;
                break;
            }
        }
        if (failure != null) {
            abortProducer(); // a producer that failed may hold state that makes retries misbehave
        }
        return new Sent(acked, poison, failure);
    }

    private static ProducerRecord<String, byte[]> record(Row row) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("event_id", row.eventId().getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(row.topic(), null, null, row.key(), row.payload().getBytes(StandardCharsets.UTF_8), headers);
    }

    private static boolean succeeded(Future<?> done) {
        try {
            done.get();
            return true;
        } catch (ExecutionException | InterruptedException | RuntimeException e) {
            return false;
        }
    }

    /** Failures that a retry cannot fix: the record itself is unacceptable to Kafka. */
    private static boolean isPoison(Throwable t) {
        return t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
                || t instanceof InvalidRecordException || t instanceof InvalidTopicException
                || t instanceof SerializationException;
    }

    private void delete(List<Row> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        // one statement per row, sent as one batch: a primary-key lookup is always planned as such, whereas
        // "event_id = ANY(array)" may be planned as a scan of the whole table when its statistics are stale,
        // which a queue table's nearly always are
        try (PreparedStatement st = connection.prepareStatement("DELETE FROM outbox WHERE event_id = ?")) {
            for (Row row : rows) {
                st.setString(1, row.eventId());
                st.addBatch();
            }
            st.executeBatch();
        }
    }

    private void park(Row row, Throwable reason) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(
                "UPDATE outbox SET parked_at = now(), park_reason = ? WHERE event_id = ?")) {
            st.setString(1, reason.toString());
            st.setString(2, row.eventId());
            st.executeUpdate();
        }
        log.error("outbox event {} for {} parked: Kafka refuses it for good ({}). Fix the cause, then "
                + "UPDATE outbox SET parked_at = NULL WHERE event_id = '{}' to publish it", row.eventId(), row.topic(), reason, row.eventId());
    }

    /**
     * A batch Kafka did not acknowledge. While Kafka is known to be away, the Kafka watch ({@link KafkaStatus}) has
     * already logged the outage's one warning and will log its end, so the relay adds nothing above debug;
     * it warns (once, until it publishes again) only when Kafka is reachable and still does not acknowledge.
     */
    private void publishFailed(Throwable cause, int waiting) {
        publishErrors.increment();
        if (publishFailingSinceNanos < 0) {
            publishFailingSinceNanos = System.nanoTime();
        }
        if (!publishFailureWarned && kafka.isAvailable()) {
            publishFailureWarned = true;
            log.warn("outbox relay cannot publish to Kafka although it is reachable ({}); {} event(s) of this batch "
                    + "stay in the outbox, retrying with backoff up to {} s", cause.toString(), waiting, backoff.max().toSeconds());
        } else {
            log.debug("outbox relay cannot publish ({}); {} event(s) stay in the outbox", cause.toString(), waiting);
        }
    }

    private void publishSucceeded() {
        if (publishFailingSinceNanos >= 0) {
            long seconds = (System.nanoTime() - publishFailingSinceNanos) / 1_000_000_000;
            if (publishFailureWarned) {
                log.info("outbox relay publishes again after {} s of failures", seconds);
            } else {
                log.debug("outbox relay publishes again after {} s", seconds);
            }
            publishFailingSinceNanos = -1;
            publishFailureWarned = false;
        }
    }

    private Producer<String, byte[]> producer() {
        Producer<String, byte[]> p = producer;
        if (p == null) {
            Map<String, Object> config = Map.ofEntries(
                    Map.entry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.bootstrapServers()),
                    Map.entry(ProducerConfig.CLIENT_ID_CONFIG, "flowgate-outbox-relay"),
                    Map.entry(ProducerConfig.ACKS_CONFIG, "all"),
                    Map.entry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                    Map.entry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5),
                    Map.entry(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE),
                    // the relay bounds each batch itself (relay-ack-timeout) and then aborts the producer;
                    // a record expiring inside the producer instead could let a later one of its key overtake it
                    Map.entry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE),
                    Map.entry(ProducerConfig.MAX_BLOCK_MS_CONFIG, properties.relayAckTimeout().toMillis()),
                    Map.entry(ProducerConfig.LINGER_MS_CONFIG, 0),
                    Map.entry(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024));
            p = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
            producer = p;
        }
        return p;
    }

    /** Closes the producer at once, failing whatever it has not sent; safe from any thread. */
    private void abortProducer() {
        close(Duration.ZERO);
    }

    private void closeProducer() {
        close(Duration.ofSeconds(1));
    }

    private void close(Duration timeout) {
        Producer<String, byte[]> p = producer;
        producer = null;
        if (p != null) {
            try {
                p.close(timeout);
            } catch (RuntimeException e) {
                log.debug("outbox producer did not close cleanly: {}", e.toString());
            }
        }
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
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(BACKLOG)) {
            rs.next();
            backlog = rs.getLong(1);
            oldestAgeAtRefresh = rs.getDouble(2);
            parked = rs.getLong(3);
        }
        long took = System.nanoTime() - now;
        refreshedAtNanos = now;
        // counting a huge backlog (a long Kafka outage) must not eat the relay's time
        nextRefreshNanos = now + Math.max(METRICS_EVERY.toNanos(), 20 * took);
    }

    private double oldestAgeSeconds() {
        return backlog == 0 ? 0 : oldestAgeAtRefresh + (System.nanoTime() - refreshedAtNanos) / 1e9;
    }

    private void pause(Duration duration) {
        synchronized (signal) {
            if (running) {
                try {
                    signal.wait(Math.max(1, duration.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
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

    private void join(Duration timeout) {
        try {
            worker.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private enum Batch { MORE, LAST, FAILED }

    private record Row(String eventId, String topic, String key, String payload) {
    }

    private record Sent(List<Row> acked, Map<Row, Throwable> poison, Throwable failure) {
    }
}
