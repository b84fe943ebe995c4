package io.flowgate.routing.chat;

import io.flowgate.routing.system.worker.Worker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.IntUnaryOperator;

/**
 * The chat's periodic work, every {@code housekeeping-interval}: marks silent leads cold, and forgets
 * processed message ids and delivery statuses older than {@code dedup-retention}, so that neither table
 * grows forever. Every instance runs it; the cold sweep skips rows another instance holds, and the
 * pruning is idempotent. A failed round (the database away) is logged once ({@link Worker}) and tried again
 * an interval later.
 */
@Component
class ChatHousekeeping extends Worker {

    private static final Logger log = LoggerFactory.getLogger(ChatHousekeeping.class);
    private static final int PRUNE_BATCH = 5_000;
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final ReEngagement reEngagement;
    private final ProcessedMessages processed;
    private final MessageStatuses statuses;
    private final ChatProperties properties;
    private final Clock clock;

    ChatHousekeeping(ReEngagement reEngagement, ProcessedMessages processed, MessageStatuses statuses,
                     ChatProperties properties, Clock clock) {
        // a failed round is tried again an interval later, like any other
        super("flowgate-chat-housekeeping", log, properties.housekeepingInterval(), properties.housekeepingInterval(),
                properties.housekeepingInterval(), STOP_GRACE);
        this.reEngagement = reEngagement;
        this.processed = processed;
        this.statuses = statuses;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    protected Duration firstDelay() {
        return properties.housekeepingInterval();
    }

    /** Deletes in short statements, so a large backlog never holds one long lock. */
    private static void prune(IntUnaryOperator batch) {
        int deleted;
        do {
            deleted = batch.applyAsInt(PRUNE_BATCH);
        } while (deleted == PRUNE_BATCH);
    }

    @Override
    protected Step step() {
        reEngagement.markColdLeads();
        Instant cutoff = clock.instant().minus(properties.dedupRetention());
        prune(limit -> processed.prune(cutoff, limit));
        prune(limit -> statuses.prune(cutoff, limit));
        return Step.IDLE;
    }

    @Override
    protected String failureMessage(Throwable cause) {
        return "chat housekeeping failed (" + cause + ")";
    }

    @Override
    protected String recoveryMessage() {
        return "chat housekeeping works again";
    }

    @Override
    protected void unblock() {
        interruptThread();
    }
}
