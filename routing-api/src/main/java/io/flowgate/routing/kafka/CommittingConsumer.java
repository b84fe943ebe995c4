package io.flowgate.routing.kafka;

import io.flowgate.events.EventJson;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.routing.system.DatabaseOutage;
import io.flowgate.routing.system.worker.Worker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A consumer of Flowgate topics that applies each record to the database and commits offsets by hand
 * (the chat consumer, the webhook consumer): a plain {@link KafkaConsumer} on one background thread.
 *
 * <ul>
 *   <li>Records are applied one at a time, in offset order per partition, each in its own database
 *       transaction. Other consumers of the group (other instances) own other partitions; a rebalance may hand
 *       a record to two of them at once, which the subclass's deduplication must make harmless.</li>
 *   <li>Offsets are committed by hand, after the transactions of the records they cover committed: a crash
 *       redelivers at most the last poll's records (at least once). A poll whose records were all skipped
 *       ({@link #mayApply}, {@link #apply} declining) leaves its offsets to a later poll's commit, made at the
 *       latest a second after the previous one: a crash may then also redeliver up to a second of skipped
 *       records, which are skipped again.</li>
 *   <li>Database away: the record is retried with backoff (one warning, one line on recovery: {@link Worker}), and the
 *       partition does not move past it, so no record is skipped and none overtakes another. A record that
 *       fails for another reason is retried {@value #MAX_ATTEMPTS} times, then given up ({@link #gaveUp}) and
 *       skipped, so that one bad record cannot stop the partition for good.</li>
 *   <li>Kafka away: no consumer exists ({@link KafkaStatus}), so there is no reconnect log flood; it is created
 *       again when Kafka is back, and continues from the committed offsets.</li>
 * </ul>
 */
public abstract class CommittingConsumer extends Worker {

    /** After the Kafka watch and the outbox relay, before the web server; stopped in the reverse order. */
    public static final int PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 1024;
    public static final int MAX_POLL_RECORDS = 200;
    public static final int MAX_ATTEMPTS = 3;
    /** What a fetch gathers when {@link #fetchWait()} is not zero: a few hundred events. */
    public static final int FETCH_MIN_BYTES = 64 * 1024;

    private static final Logger log = LoggerFactory.getLogger(CommittingConsumer.class);
    private static final AtomicInteger CLIENTS = new AtomicInteger();
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);
    private static final long SKIPPED_COMMIT_EVERY_NANOS = Duration.ofSeconds(1).toNanos();

    private final KafkaStatus kafka;
    private final String name;
    private final String groupId;
    private final List<String> topics;
    private final MeterRegistry meters;
    private final Counter notForThis;
    private final Counter unreadable;
    private volatile KafkaConsumer<String, byte[]> consumer;

    // worker thread only
    private final Map<TopicPartition, Attempts> attempts = new HashMap<>();
    private String retrying = "the record"; // the record the database failure holds up, for the warning
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
    private boolean changed; // a record since the last commit did something (applied, gave up, unreadable)
    private long lastCommitNanos = System.nanoTime();

    /** Failed attempts at the record at {@code offset}. */
    private record Attempts(long offset, int count) {
    }

    /**
     * @param name    what the logs and the metric {@code flowgate.<name>.updates} call it ({@code chat}, {@code webhooks})
     * @param groupId the consumer group
     * @param topics  the topics read
     */
    protected CommittingConsumer(KafkaStatus kafka, String name, String groupId, List<String> topics, MeterRegistry meters) {
        super("flowgate-" + name + "-consumer", log, Duration.ZERO, Duration.ofMillis(200), Duration.ofSeconds(10), STOP_GRACE);
        this.kafka = kafka;
        this.name = name;
        this.groupId = groupId;
        this.topics = List.copyOf(topics);
        this.meters = meters;
        this.notForThis = meters.counter("flowgate." + name + ".updates", "outcome", "not_for_" + name);
        this.unreadable = meters.counter("flowgate." + name + ".updates", "outcome", "unreadable");
    }

    /**
     * Applies one event (in its own transaction, committed on return). A failure the database caused is
     * retried until it goes away; any other is retried {@value #MAX_ATTEMPTS} times.
     *
     * @return whether the event was for this consumer (else it is counted as {@code not_for_<name>})
     */
    protected abstract boolean apply(FlowgateEvent event);

    /**
     * Whether a record may be for this consumer, looked at before it is parsed (called for every record, so
     * it must be cheap). False skips the record unparsed, counted as {@code not_for_<name>} like an event
     * {@link #apply} declined; it must be false only for records {@link #apply} would certainly decline.
     * The default looks at nothing.
     */
    protected boolean mayApply(byte[] value) {
        return true;
    }

    /**
     * How long the broker may hold a fetch to gather {@link #FETCH_MIN_BYTES} for it; zero (the default) answers a
     * fetch as soon as one record is there. A consumer that may lag that long gets one fetch per many records
     * instead of one per few while the topic is busy.
     */
    protected Duration fetchWait() {
        return Duration.ZERO;
    }

    /** The event is skipped after {@value #MAX_ATTEMPTS} failed attempts; record that if it matters. */
    protected void gaveUp(FlowgateEvent event) {
    }

    @Override
    public synchronized void start() {
        kafka.onUnavailable(this::wakeUp);
        super.start();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** Ends a poll in progress at once (thread-safe); the loop then looks at why. */
    private void wakeUp() {
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        wake();
    }

    @Override
    protected void unblock() {
        // the record in progress finishes its transaction; what it committed is committed to Kafka too
        wakeUp();
    }

    @Override
    protected Step step() throws InterruptedException {
        try {
            if (!kafka.isAvailable()) {
                close();
                kafka.awaitAvailable(POLL);
                return Step.WORKED;
            }
            if (consumer == null) {
                consumer = open();
            }
            return pollOnce();
        } catch (WakeupException e) {
            return Step.WORKED; // stop, or Kafka went away: the loop looks again
        } catch (KafkaException e) {
            close();
            throw e;
        }
    }

    @Override
    protected String failureMessage(Throwable cause) {
        return cause instanceof KafkaException
                ? name + " consumer failed (" + cause + "); reconnecting"
                : name + " consumer cannot reach the database (" + describe(cause) + "); " + retrying + " waits";
    }

    @Override
    protected String recoveryMessage() {
        return name + " consumer works again";
    }

    @Override
    protected boolean worthWarning(Throwable cause) {
        // a record that fails for another reason is logged per attempt by failed(...)
        return cause instanceof KafkaException || isTransient(cause);
    }

    @Override
    protected void stopped() {
        close();
    }

    private KafkaConsumer<String, byte[]> open() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "flowgate-routing-" + name + "-" + CLIENTS.incrementAndGet());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a new group starts at the beginning of the retained messages: nothing written before the first start is lost
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (!fetchWait().isZero()) {
            config.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, FETCH_MIN_BYTES);
            config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) fetchWait().toMillis());
        }
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        c.subscribe(topics);
        return c;
    }

    /** One poll: apply its records in order per partition, then commit what was applied; failed when one is to be retried. */
    private Step pollOnce() {
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
        RuntimeException retryLater = null;
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                if (!running()) {
                    break;
                }
                RuntimeException failure = handle(partition, record);
                if (failure != null) {
                    // nothing behind it in this partition may overtake it
                    consumer.seek(partition, record.offset());
                    retryLater = failure;
                    break;
                }
                uncommitted.put(partition, new OffsetAndMetadata(record.offset() + 1));
            }
        }
        if (changed || retryLater != null || System.nanoTime() - lastCommitNanos >= SKIPPED_COMMIT_EVERY_NANOS) {
            commitUncommitted();
        }
        return retryLater == null ? Step.WORKED : Step.failed(retryLater);
    }

    /** Commits the offsets of the records handled since the last commit (of the partitions still assigned). */
    private void commitUncommitted() {
        lastCommitNanos = System.nanoTime();
        changed = false;
        uncommitted.keySet().retainAll(consumer.assignment());
        if (uncommitted.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> applied = Map.copyOf(uncommitted);
        uncommitted.clear();
        commit(applied);
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> applied) {
        try {
            consumer.commitSync(applied, COMMIT_TIMEOUT);
        } catch (WakeupException wakeUp) {
            // a stop (or Kafka going away) interrupted the commit: the applied records are committed first
            try {
                consumer.commitSync(applied, COMMIT_TIMEOUT);
            } catch (KafkaException e) {
                log.debug("{} consumer offsets not committed on wake-up: {}", name, e.toString());
            }
            throw wakeUp;
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the partitions moved to another consumer, which will see these records again as duplicates
            log.info("{} consumer offsets not committed ({}); the records are deduplicated when redelivered", name, e.getClass().getSimpleName());
        }
    }

    /** Applies one record; returns null when done with it, else the failure for which it is to be tried again. */
    private RuntimeException handle(TopicPartition partition, ConsumerRecord<String, byte[]> record) {
        if (record.value() != null && !mayApply(record.value())) {
            notForThis.increment();
            attempts.remove(partition);
            return null;
        }
        FlowgateEvent event;
        try {
            event = record.value() == null ? null : EventJson.fromBytes(record.value());
        } catch (IllegalArgumentException e) {
            log.warn("{} consumer skips an unreadable record at {}@{}", name, partition, record.offset());
            unreadable.increment();
            changed = true;
            return null;
        }
        try {
            if (event == null || !apply(event)) {
                notForThis.increment();
            } else {
                changed = true;
            }
            attempts.remove(partition);
            return null;
        } catch (RuntimeException e) {
            return failed(partition, record, event, e);
        }
    }

    private RuntimeException failed(TopicPartition partition, ConsumerRecord<String, byte[]> record, FlowgateEvent event, RuntimeException e) {
        if (isTransient(e)) {
            retrying = partition + "@" + record.offset();
            return e;
        }
        Attempts previous = attempts.get(partition);
        int count = previous != null && previous.offset() == record.offset() ? previous.count() + 1 : 1;
        if (count < MAX_ATTEMPTS) {
            attempts.put(partition, new Attempts(record.offset(), count));
            log.warn("{} consumer failed on {}@{} (attempt {} of {}): {}", name, partition, record.offset(), count, MAX_ATTEMPTS, describe(e));
            log.debug("failure details", e);
            return e;
        }
        attempts.remove(partition);
        changed = true;
        log.error("{} consumer gives up on {}@{} after {} attempts and skips it: {}", name, partition, record.offset(), count, describe(e));
        log.debug("failure details", e);
        if (event != null) {
            gaveUp(event);
        }
        meters.counter("flowgate." + name + ".updates", "outcome", "failed").increment();
        return null;
    }

    /** Failures that go away by themselves: the database unreachable or lost ({@link DatabaseOutage}), a deadlock, a serialization conflict. */
    private static boolean isTransient(Throwable e) {
        if (DatabaseOutage.isOutage(e)) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TransientDataAccessException || t instanceof DataAccessResourceFailureException
                    || t instanceof RecoverableDataAccessException || t instanceof CannotCreateTransactionException
                    || t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
                return true;
            }
        }
        return false;
    }

    /**
     * A failure for the log without its message: database messages quote the values of the row (phone
     * numbers, answers), which must not reach the logs.
     */
    private static String describe(Throwable e) {
        StringBuilder out = new StringBuilder(e.getClass().getSimpleName());
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            out.append(" <- ").append(t.getClass().getSimpleName());
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                out.append(" (SQLState ").append(sql.getSQLState()).append(')');
            }
        }
        return out.toString();
    }

    private void close() {
        KafkaConsumer<String, byte[]> c = consumer;
        consumer = null;
        // offsets of skipped records not committed yet: the next consumer reads those records again and skips them
        uncommitted.clear();
        changed = false;
        if (c != null) {
            try {
                c.close(Duration.ofSeconds(5));
            } catch (KafkaException | IllegalStateException e) {
                log.debug("{} consumer close: {}", name, e.toString());
            }
        }
    }
}
