package io.flowgate.routing.chat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

/**
 * The chat's periodic work, every {@code housekeeping-interval}: marks silent leads cold, and forgets
 * processed message ids and delivery statuses older than {@code dedup-retention}, so that neither table
 * grows forever. Every instance runs it; the cold sweep skips rows another instance holds, and the
 * pruning is idempotent. A failed round (the database away) is logged once and tried again next time.
 */
@Component
class ChatHousekeeping implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ChatHousekeeping.class);
    private static final int PRUNE_BATCH = 5_000;

    private final ReEngagement reEngagement;
    private final ProcessedMessages processed;
    private final MessageStatuses statuses;
    private final ChatProperties properties;
    private final Clock clock;
    private ScheduledExecutorService executor;
    private volatile boolean failing;

    ChatHousekeeping(ReEngagement reEngagement, ProcessedMessages processed, MessageStatuses statuses,
                     ChatProperties properties, Clock clock) {
        this.reEngagement = reEngagement;
        this.processed = processed;
        this.statuses = statuses;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flowgate-chat-housekeeping");
            t.setDaemon(true);
            return t;
        });
        long every = properties.housekeepingInterval().toMillis();
        executor.scheduleWithFixedDelay(this::round, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }

    /** Deletes in short statements, so a large backlog never holds one long lock. */
    private static void prune(IntUnaryOperator batch) {
        int deleted;
        do {
            deleted = batch.applyAsInt(PRUNE_BATCH);
        } while (deleted == PRUNE_BATCH);
    }

    private void round() {
        try {
            reEngagement.markColdLeads();
            Instant cutoff = clock.instant().minus(properties.dedupRetention());
            prune(limit -> processed.prune(cutoff, limit));
            prune(limit -> statuses.prune(cutoff, limit));
            if (failing) {
                failing = false;
                log.info("chat housekeeping works again");
            }
        } catch (RuntimeException e) {
            // the scheduler would silently stop calling a task that threw
            if (!failing) {
                failing = true;
                log.warn("chat housekeeping failed ({}); retrying every {}", e.toString(), properties.housekeepingInterval());
            }
        }
    }
}
