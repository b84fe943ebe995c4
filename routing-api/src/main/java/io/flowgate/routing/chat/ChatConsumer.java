package io.flowgate.routing.chat;

import io.flowgate.events.EventJson;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.events.InboundUpdate;
import io.flowgate.events.MetaFlowSignal;
import io.flowgate.events.StaleSession;
import io.flowgate.events.Topics;
import io.flowgate.routing.kafka.KafkaStatus;
import io.flowgate.routing.metahealth.MetaHealthHistory;
import io.flowgate.routing.system.Backoff;
import io.flowgate.routing.system.DatabaseOutage;
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
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.DependsOn;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;
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
 * Consumes {@code flowgate.inbound} (and {@code flowgate.stale-sessions}) for the chat state machine, and
 * {@code flowgate.meta-health} for Meta's view of the Flows ({@link MetaHealthHistory}): a plain
 * {@link KafkaConsumer} on one background thread, group {@code flowgate.chat.consumer-group}.
 *
 * <ul>
 *   <li>Records are applied one at a time, in offset order per partition, each in its own database
 *       transaction; since a user's updates share a partition (the key is the user), one user's messages are
 *       never applied concurrently by this consumer. Other consumers of the group (other instances) own other
 *       partitions; a rebalance may hand a record to two of them at once, which the per-message
 *       deduplication and the lead's row lock make harmless.</li>
 *   <li>Offsets are committed by hand, after the transactions of the records they cover committed: a crash
 *       redelivers at most the last poll's records, which are then recognized as duplicates.</li>
 *   <li>Database away: the record is retried with backoff (one warning, one line on recovery), and the
 *       partition does not move past it, so no message is skipped and none overtakes another. A record that
 *       fails for another reason is retried {@value #MAX_ATTEMPTS} times, then recorded as failed and
 *       skipped, so that one bad record cannot stop the partition for good.</li>
 *   <li>Kafka away: no consumer exists ({@link KafkaStatus}), so there is no reconnect log flood; it is created
 *       again when Kafka is back, and continues from the committed offsets.</li>
 * </ul>
 */
@Component
@DependsOn("exampleMachine") // the example is installed before the first message is read
class ChatConsumer implements SmartLifecycle {

    /** After the Kafka watch and the outbox relay, before the web server; stopped in the reverse order. */
    static final int PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 1024;
    static final int MAX_POLL_RECORDS = 200;
    static final int MAX_ATTEMPTS = 3;

    private static final Logger log = LoggerFactory.getLogger(ChatConsumer.class);
    private static final AtomicInteger CLIENTS = new AtomicInteger();
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaStatus kafka;
    private final InboundProcessor inbound;
    private final ReEngagement reEngagement;
    private final MetaHealthHistory metaHealth;
    private final ChatProperties properties;
    private final MeterRegistry meters;
    private final Object pause = new Object();

    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread worker;

    // worker thread only
    private final Map<TopicPartition, Attempts> attempts = new HashMap<>();
    private final Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10));
    private boolean databaseFailing;
    private boolean kafkaFailing;

    /** Failed attempts at the record at {@code offset}. */
    private record Attempts(long offset, int count) {
    }

    /** What to do after a record. */
    private enum Result { DONE, RETRY }

    ChatConsumer(KafkaStatus kafka, InboundProcessor inbound, ReEngagement reEngagement, MetaHealthHistory metaHealth,
                 ChatProperties properties, MeterRegistry meters) {
        this.kafka = kafka;
        this.inbound = inbound;
        this.reEngagement = reEngagement;
        this.metaHealth = metaHealth;
        this.properties = properties;
        this.meters = meters;
    }

    @Override
    public synchronized void start() {
        running = true;
        kafka.onUnavailable(this::wakeUp);
        worker = new Thread(this::work, "flowgate-chat-consumer");
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        wakeUp();
        if (worker != null) {
            try {
                // the record in progress finishes its transaction; what it committed is committed to Kafka too
                worker.join(STOP_GRACE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            worker = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
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
        synchronized (pause) {
            pause.notifyAll();
        }
    }

    private void work() {
        while (running) {
            try {
                if (!kafka.isAvailable()) {
                    close();
                    kafka.awaitAvailable(POLL);
                    continue;
                }
                if (consumer == null) {
                    consumer = open();
                }
                pollOnce();
                if (kafkaFailing) {
                    kafkaFailing = false;
                    log.info("chat consumer reads {} again", Topics.INBOUND);
                }
            } catch (WakeupException e) {
                // stop, or Kafka went away: the loop looks again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (KafkaException e) {
                if (running && !kafkaFailing) {
                    kafkaFailing = true;
                    log.warn("chat consumer failed ({}); reconnecting with backoff", e.toString());
                }
                close();
                pause(backoff.next());
            }
        }
        close();
    }

    private KafkaConsumer<String, byte[]> open() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, properties.consumerGroup());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "flowgate-routing-chat-" + CLIENTS.incrementAndGet());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a new group starts at the beginning of the retained messages: nothing written before the first start is lost
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(Topics.INBOUND, Topics.STALE_SESSIONS, Topics.META_HEALTH));
        return c;
    }

    /** One poll: apply its records in order per partition, then commit what was applied. */
    private void pollOnce() {
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
        Map<TopicPartition, OffsetAndMetadata> applied = new HashMap<>();
        boolean retryLater = false;
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                if (!running) {
                    break;
                }
                if (handle(partition, record) == Result.RETRY) {
                    // nothing behind it in this partition may overtake it
                    consumer.seek(partition, record.offset());
                    retryLater = true;
                    break;
                }
                applied.put(partition, new OffsetAndMetadata(record.offset() + 1));
            }
        }
        commit(applied);
        if (retryLater) {
            pause(backoff.next());
        } else {
            backoff.reset();
        }
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> applied) {
        if (applied.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(applied, COMMIT_TIMEOUT);
        } catch (WakeupException wakeUp) {
            // a stop (or Kafka going away) interrupted the commit: the applied records are committed first
            try {
                consumer.commitSync(applied, COMMIT_TIMEOUT);
            } catch (KafkaException e) {
                log.debug("chat consumer offsets not committed on wake-up: {}", e.toString());
            }
            throw wakeUp;
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the partitions moved to another consumer, which will see these records again as duplicates
            log.info("chat consumer offsets not committed ({}); the records are deduplicated when redelivered", e.getClass().getSimpleName());
        }
    }

    private Result handle(TopicPartition partition, ConsumerRecord<String, byte[]> record) {
        FlowgateEvent event;
        try {
            event = record.value() == null ? null : EventJson.fromBytes(record.value());
        } catch (IllegalArgumentException e) {
            log.warn("chat consumer skips an unreadable record at {}@{}", partition, record.offset());
            meters.counter("flowgate.chat.updates", "outcome", "unreadable").increment();
            return Result.DONE;
        }
        try {
            if (event instanceof InboundUpdate update) {
                inbound.process(update);
            } else if (event instanceof StaleSession stale) {
                reEngagement.staleSession(stale);
            } else if (event instanceof MetaFlowSignal signal) {
                metaHealth.record(signal);
            } else {
                meters.counter("flowgate.chat.updates", "outcome", "not_for_chat").increment();
            }
            attempts.remove(partition);
            if (databaseFailing) {
                databaseFailing = false;
                log.info("chat consumer reaches the database again");
            }
            return Result.DONE;
        } catch (RuntimeException e) {
            return failed(partition, record, event, e);
        }
    }

    private Result failed(TopicPartition partition, ConsumerRecord<String, byte[]> record, FlowgateEvent event, RuntimeException e) {
        if (isTransient(e)) {
            if (!databaseFailing) {
                databaseFailing = true;
                log.warn("chat consumer cannot reach the database ({}); retrying {}@{} with backoff",
                        describe(e), partition, record.offset());
            }
            return Result.RETRY;
        }
        Attempts previous = attempts.get(partition);
        int count = previous != null && previous.offset() == record.offset() ? previous.count() + 1 : 1;
        if (count < MAX_ATTEMPTS) {
            attempts.put(partition, new Attempts(record.offset(), count));
            log.warn("chat consumer failed on {}@{} (attempt {} of {}): {}", partition, record.offset(), count, MAX_ATTEMPTS, describe(e));
            log.debug("failure details", e);
            return Result.RETRY;
        }
        attempts.remove(partition);
        log.error("chat consumer gives up on {}@{} after {} attempts and skips it: {}", partition, record.offset(), count, describe(e));
        log.debug("failure details", e);
        if (event instanceof InboundUpdate update) {
            inbound.recordFailure(update);
        }
        meters.counter("flowgate.chat.updates", "outcome", "failed").increment();
        return Result.DONE;
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

    private void pause(Duration duration) {
        synchronized (pause) {
            if (!running) {
                return;
            }
            try {
                pause.wait(duration.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void close() {
        KafkaConsumer<String, byte[]> c = consumer;
        consumer = null;
        if (c != null) {
            try {
                c.close(Duration.ofSeconds(5));
            } catch (KafkaException | IllegalStateException e) {
                log.debug("chat consumer close: {}", e.toString());
            }
        }
    }
}
